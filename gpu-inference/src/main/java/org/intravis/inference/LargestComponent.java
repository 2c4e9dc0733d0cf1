package org.intravis.inference;

/**
 * Finds the largest 8-connected component of a binary mask with a breadth-first flood fill over preallocated
 * arrays (no allocation per call). The component's pixel indices ({@code y * width + x}) are left in
 * {@link #pixels()} from 0 to {@link #size()}.
 */
public final class LargestComponent {
    private final int width;
    private final int height;
    private final int[] order;
    private final byte[] visited;
    private int bestStart;
    private int size;

    public LargestComponent(int width, int height) {
        this.width = width;
        this.height = height;
        this.order = new int[width * height];
        this.visited = new byte[width * height];
    }

    /**
     * Labels {@code mask} (non-zero = foreground, {@code width * height} bytes) and keeps the largest component;
     * returns its size in pixels (0 when the mask is empty).
     */
    public int find(byte[] mask) {
        int n = width * height;
        System.arraycopy(mask, 0, visited, 0, n); // non-zero = not yet visited foreground
        int tail = 0;
        bestStart = 0;
        size = 0;
        for (int seed = 0; seed < n; seed++) {
            if (visited[seed] == 0) {
                continue;
            }
            int start = tail;
            visited[seed] = 0;
            order[tail++] = seed;
            for (int head = start; head < tail; head++) {
                int p = order[head];
                int x = p % width;
                int y = p / width;
                for (int dy = -1; dy <= 1; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= height) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        if (xx < 0 || xx >= width) {
                            continue;
                        }
                        int q = yy * width + xx;
                        if (visited[q] != 0) {
                            visited[q] = 0;
                            order[tail++] = q;
                        }
                    }
                }
            }
            if (tail - start > size) {
                size = tail - start;
                bestStart = start;
            }
        }
        if (bestStart != 0) { // move the winner to the front so callers index from 0
            System.arraycopy(order, bestStart, order, 0, size);
            bestStart = 0;
        }
        return size;
    }

    /**
     * Keeps every foreground pixel of {@code mask}, connected or not, in raster order (a labelled mask, whose every
     * set pixel is the object); returns how many.
     */
    public int all(byte[] mask) {
        int n = width * height;
        size = 0;
        bestStart = 0;
        for (int p = 0; p < n; p++) {
            if (mask[p] != 0) {
                order[size++] = p;
            }
        }
        return size;
    }

    public int[] pixels() {
        return order;
    }

    public int size() {
        return size;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }
}
