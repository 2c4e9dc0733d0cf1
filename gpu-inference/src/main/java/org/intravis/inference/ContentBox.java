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

    /**
     * Finds the box in the grid image ({@code grid} x {@code grid} grey bytes, row by row, read in place). Columns: with
     * {@code columnShare} 0, every column holding a pixel above {@code above}; otherwise the longest run of columns
     * holding at least that share of the fullest column's picture pixels, gaps of up to {@link #gap} columns bridged.
     * The second keeps burned-in scanner graphics beside the picture (labels, depth dots, scale ticks: a few pixels
     * per column) out of the box, where the first lets a corner label stretch the crop. Rows: every row holding a
     * picture pixel within those columns. A box under a quarter of the grid either way is not a picture (a caption,
     * a logo), so the whole grid is used. {@code columnCounts} is the caller's scratch, {@code grid} long.
     */
    void find(ByteBuffer pixels, int grid, int above, double columnShare, int[] columnCounts) {
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
            return;
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
            if (rowHasPicture(pixels, y * grid, left, right, above)) {
                if (top < 0) {
                    top = y;
                }
                bottom = y + 1;
            }
        }
        if (top < 0 || right - left < grid / 4 || bottom - top < grid / 4) {
            whole(grid);
            return;
        }
        set(left, top, right, bottom, grid);
    }

    /** Columns without enough picture that may sit inside the picture's run (a dark stripe): 3 on a 512 grid. */
    static int gap(int grid) {
        return Math.max(1, grid / 160);
    }

    private static boolean rowHasPicture(ByteBuffer pixels, int rowStart, int left, int right, int above) {
        for (int x = left; x < right; x++) {
            if ((pixels.get(rowStart + x) & 0xff) > above) {
                return true;
            }
        }
        return false;
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
