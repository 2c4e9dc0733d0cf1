package org.intravis.inference;

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
     * Finds the box from the grid image's per-column and per-row maxima; a box under a quarter of the grid either way
     * is not a picture (a caption, a logo), so the whole grid is used.
     */
    void find(byte[] columnMax, byte[] rowMax, int grid, int above) {
        int left = first(columnMax, grid, above);
        int top = first(rowMax, grid, above);
        if (left < 0 || top < 0) {
            whole(grid);
            return;
        }
        int right = last(columnMax, grid, above) + 1;
        int bottom = last(rowMax, grid, above) + 1;
        if (right - left < grid / 4 || bottom - top < grid / 4) {
            whole(grid);
            return;
        }
        set(left, top, right, bottom, grid);
    }

    private static int first(byte[] max, int n, int above) {
        for (int i = 0; i < n; i++) {
            if ((max[i] & 0xff) > above) {
                return i;
            }
        }
        return -1;
    }

    private static int last(byte[] max, int n, int above) {
        for (int i = n - 1; i >= 0; i--) {
            if ((max[i] & 0xff) > above) {
                return i;
            }
        }
        return -1;
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
