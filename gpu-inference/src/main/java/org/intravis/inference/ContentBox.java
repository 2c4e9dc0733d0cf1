package org.intravis.inference;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Where a model's input came from when its sidecar asks for the content crop ({@code input.crop}): the frame is
 * stretched to a square grid, the bounding box of its picture (pixels brighter than a grey level, inside black
 * capture margins or outside a sector) is cut out of that grid and stretched to the model's input, so the network
 * sees the picture at more resolution (the black margins take about a quarter of the real frames it was chosen on).
 * This is that box, in grid pixels (exclusive ends); the whole grid when there is no crop. Set by the
 * {@link Preprocessor} per tensor row and read back by the decoding side ({@link ContentUncropper}) for the same row.
 */
public final class ContentBox {
    private int x0;
    private int y0;
    private int x1;
    private int y1;
    private int grid;

    /** The per-column and per-row counts {@link #find} works in: one per caller (a {@link Preprocessor}), reused. */
    static final class Scratch {
        final int[] columns;
        final int[] rows;
        final int[] rowSums;

        Scratch(int grid) {
            columns = new int[grid];
            rows = new int[grid];
            rowSums = new int[grid];
        }
    }

    /**
     * Finds the box in the grid image ({@code grid} x {@code grid} grey bytes, row by row, read in place). Columns: with
     * {@code columnShare} 0, every column holding a pixel above {@code above}; otherwise the longest run of columns
     * holding at least that share of the fullest column's picture pixels, gaps of up to {@link #gap} columns bridged.
     * The second keeps burned-in scanner graphics beside the picture (labels, depth dots, scale ticks: a few pixels
     * per column) out of the box, where the first lets a corner label stretch the crop. Rows: every row holding a
     * picture pixel within those columns, less, when {@code graphicsAbove} is 0 or more, a scanner's title bar or
     * toolbar above or below the picture ({@link #peelGraphicsRows}). A box under a quarter of the grid either way is
     * not a picture (a caption, a logo): the whole grid is used. Nor is a box its picture pixels fill under a tenth
     * of ({@link #filled}): a near-anechoic picture (a clear gel or water phantom) leaves only its needle and specks
     * over {@code above}; its box is then looked for again over a quarter of that level (the black of digital
     * margins is below it), and the whole grid is used when that box is no better.
     */
    void find(ByteBuffer pixels, int grid, int above, double columnShare, int graphicsAbove, Scratch scratch) {
        if (sparseAt(pixels, grid, above, columnShare, graphicsAbove, scratch)) {
            sparseAt(pixels, grid, above / 4, columnShare, graphicsAbove, scratch); // the whole grid if no better
        }
    }

    /**
     * {@link #find} at one grey level: the box set, or the whole grid; true when that is because the box found was
     * sparse ({@link #filled}), so that a lower level may be tried.
     */
    private boolean sparseAt(ByteBuffer pixels, int grid, int above, double columnShare, int graphicsAbove,
                             Scratch scratch) {
        int[] columnCounts = scratch.columns;
        int fullest = 0;
        Arrays.fill(columnCounts, 0, grid, 0);
        for (int y = 0, i = 0; y < grid; y++) {
            for (int x = 0; x < grid; x++, i++) {
                if ((pixels.get(i) & 0xff) > above) {
                    columnCounts[x]++;
                }
            }
        }
        for (int x = 0; x < grid; x++) {
            fullest = Math.max(fullest, columnCounts[x]);
        }
        if (fullest == 0) {
            whole(grid);
            return false;
        }
        // with no share asked, one run bridging every gap: first to last column holding a picture pixel
        int need = Math.max(1, (int) Math.ceil(columnShare * fullest));
        int bridged = columnShare <= 0 ? grid : gap(grid);
        int left = 0;
        int right = 0;
        int runLeft = -1;
        int last = -1;
        for (int x = 0; x < grid; x++) {
            if (columnCounts[x] < need) {
                continue;
            }
            if (runLeft < 0 || x - last - 1 > bridged) {
                runLeft = x;
            }
            last = x;
            if (last + 1 - runLeft > right - left) {
                left = runLeft;
                right = last + 1;
            }
        }
        int top = -1;
        int bottom = -1;
        for (int y = 0; y < grid; y++) {
            int count = 0;
            int sum = 0;
            for (int x = left, i = y * grid + left; x < right; x++, i++) {
                int v = pixels.get(i) & 0xff;
                if (v > above) {
                    count++;
                    sum += v;
                }
            }
            scratch.rows[y] = count;
            scratch.rowSums[y] = sum;
            if (count > 0) {
                if (top < 0) {
                    top = y;
                }
                bottom = y + 1;
            }
        }
        if (top >= 0 && graphicsAbove >= 0) {
            long rows = peelGraphicsRows(scratch, top, bottom, right - left, grid, graphicsAbove);
            top = (int) (rows >>> 32);
            bottom = (int) rows;
        }
        if (top < 0 || right - left < grid / 4 || bottom - top < grid / 4) {
            whole(grid);
            return false;
        }
        if (!filled(scratch.rows, top, bottom, right - left)) {
            whole(grid);
            return true;
        }
        set(left, top, right, bottom, grid);
        return false;
    }

    /**
     * Rows {@code top..bottom} without a scanner's title bar or toolbar: up to two runs of rows at the top and two at
     * the bottom, each at most a fifth of the grid tall, apart from the rest by more than {@link #gap} rows without a
     * picture pixel, less than half covered by picture pixels, and whose picture pixels average brighter than
     * {@code graphicsAbove}. Text and keys are drawn bright and thin; a picture's dim lower rows (speckle just above
     * the black level, apart from the rest by black rows) average far darker, so they stay. Returns
     * {@code top << 32 | bottom}.
     */
    private static long peelGraphicsRows(Scratch s, int top, int bottom, int width, int grid, int graphicsAbove) {
        int gap = gap(grid);
        for (int k = 0; k < 2; k++) { // a bar and a second block of graphics at most
            int end = runFarEnd(s.rows, top, 1, bottom, gap);
            if (end + gap + 1 >= bottom || !graphics(s, top, end + 1, width, grid, graphicsAbove)) {
                break;
            }
            top = end + gap + 1;
            while (s.rows[top] == 0) {
                top++;
            }
        }
        for (int k = 0; k < 2; k++) {
            int end = runFarEnd(s.rows, bottom - 1, -1, top - 1, gap);
            if (end - gap - 1 <= top - 1 || !graphics(s, end, bottom, width, grid, graphicsAbove)) {
                break;
            }
            bottom = end - gap;
            while (s.rows[bottom - 1] == 0) {
                bottom--;
            }
        }
        return (long) top << 32 | bottom;
    }

    /**
     * From row {@code from} stepping {@code step}, before {@code stop}: the far end of the run of picture rows there,
     * gaps of up to {@code gap} rows bridged.
     */
    private static int runFarEnd(int[] rows, int from, int step, int stop, int gap) {
        int end = from;
        for (int y = from; y != stop && (rows[y] > 0 || Math.abs(y - end) <= gap); y += step) {
            if (rows[y] > 0) {
                end = y;
            }
        }
        return end;
    }

    /** Whether rows {@code a..b-1} look like burned-in graphics rather than picture (see {@link #peelGraphicsRows}). */
    private static boolean graphics(Scratch s, int a, int b, int width, int grid, int graphicsAbove) {
        long count = 0;
        long sum = 0;
        for (int y = a; y < b; y++) {
            count += s.rows[y];
            sum += s.rowSums[y];
        }
        return b - a <= grid / 5 && 2 * count < (long) (b - a) * width && sum > (long) graphicsAbove * count;
    }

    /**
     * Whether picture pixels fill at least a tenth of the box. A near-anechoic picture (a clear gel or water
     * phantom, its speckle under the level) leaves only its bright parts (a needle, a reflector) over it, and their
     * box, filled a few per cent, is not the picture: stretched to the input it would be a crop around the needle.
     * Every real picture measured fills 0.20 or more of its box (a sector's corners and dark tissue included; model
     * card, "Content crop").
     */
    static boolean filled(int[] rows, int top, int bottom, int width) {
        long count = 0;
        for (int y = top; y < bottom; y++) {
            count += rows[y];
        }
        return 10 * count >= (long) width * (bottom - top);
    }

    /** Columns without enough picture that may sit inside the picture's run (a dark stripe): 3 on a 512 grid. */
    static int gap(int grid) {
        return Math.max(1, grid / 160);
    }

    void set(int x0, int y0, int x1, int y1, int grid) {
        this.x0 = x0;
        this.y0 = y0;
        this.x1 = x1;
        this.y1 = y1;
        this.grid = grid;
    }

    void whole(int grid) {
        set(0, 0, grid, grid, grid);
    }

    void copyFrom(ContentBox o) {
        set(o.x0, o.y0, o.x1, o.y1, o.grid);
    }

    /** Whether the model saw the whole frame (no crop, or no picture box found). */
    public boolean isWhole() {
        return grid == 0 || (x0 == 0 && y0 == 0 && x1 == grid && y1 == grid);
    }

    public int x0() { return x0; }
    public int y0() { return y0; }
    public int x1() { return x1; }
    public int y1() { return y1; }
    public int grid() { return grid; }

    @Override
    public String toString() {
        return "[" + x0 + "," + y0 + ")-(" + x1 + "," + y1 + ") of " + grid;
    }
}
