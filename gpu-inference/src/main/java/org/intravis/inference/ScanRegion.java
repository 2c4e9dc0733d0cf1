package org.intravis.inference;

/**
 * The part of an ultrasound picture that is not image: the black outside a curvilinear or phased-array sector,
 * capture-card margins, the notch at a sector's apex. Found on the model's input as the dark pixels connected to
 * the input's border (a flood fill through pixels dark in their whole 3x3 neighbourhood, so it does not leak
 * through dark speckle), then widened by a small margin. The model's outputs are cleared there: a sector's straight
 * edge looks like a needle entering from the border and the black outside like a vessel lumen, and a model trained
 * on linear-probe pictures mistakes both. A vessel lumen inside tissue is dark too, but not connected to the border.
 * <p>
 * Turned on per model by its sidecar ({@code input.backgroundBelow}, grey level 0..255). One instance per thread;
 * allocation-free after construction.
 */
final class ScanRegion {
    private final int w;
    private final int h;
    private final int margin;
    private final boolean[] dark;
    private final boolean[] background;
    private final boolean[] across;
    private final boolean[] widened;
    private final int[] queue;

    /** @param margin pixels by which the background is widened (at the model's resolution) */
    ScanRegion(int width, int height, int margin) {
        this.w = width;
        this.h = height;
        this.margin = margin;
        this.dark = new boolean[width * height];
        this.background = new boolean[width * height];
        this.across = new boolean[width * height];
        this.widened = new boolean[width * height];
        this.queue = new int[width * height];
    }

    /**
     * Finds the background in one input plane ({@code w*h} normalised floats from {@code offset}); a pixel is dark
     * below {@code darkBelow} in the same (normalised) units. Returns the number of background pixels (widened).
     */
    int find(float[] input, int offset, float darkBelow) {
        int n = w * h;
        for (int i = 0; i < n; i++) {
            background[i] = false;
        }
        // dark in the whole 3x3 neighbourhood (the input's edge counts as dark)
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean d = true;
                for (int dy = -1; dy <= 1 && d; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= h) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        if (xx >= 0 && xx < w && input[offset + yy * w + xx] >= darkBelow) {
                            d = false;
                            break;
                        }
                    }
                }
                dark[y * w + x] = d;
            }
        }
        int head = 0;
        int tail = 0;
        for (int x = 0; x < w; x++) {
            tail = seed(x, tail);
            tail = seed((h - 1) * w + x, tail);
        }
        for (int y = 1; y < h - 1; y++) {
            tail = seed(y * w, tail);
            tail = seed(y * w + w - 1, tail);
        }
        while (head < tail) {
            int p = queue[head++];
            int x = p % w;
            int y = p / w;
            if (x > 0) {
                tail = seed(p - 1, tail);
            }
            if (x < w - 1) {
                tail = seed(p + 1, tail);
            }
            if (y > 0) {
                tail = seed(p - w, tail);
            }
            if (y < h - 1) {
                tail = seed(p + w, tail);
            }
        }
        if (tail == 0) {
            for (int i = 0; i < n; i++) {
                widened[i] = false;
            }
            return 0;
        }
        // widen by the margin (and by the 3x3 test's one pixel): the sector's edge itself is cleared too;
        // a square neighbourhood, separably: along rows into `across`, then along columns
        int r = margin + 1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean near = false;
                for (int xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r) && !near; xx++) {
                    near = background[y * w + xx];
                }
                across[y * w + x] = near;
            }
        }
        int count = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean near = false;
                for (int yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r) && !near; yy++) {
                    near = across[yy * w + x];
                }
                widened[y * w + x] = near;
                count += near ? 1 : 0;
            }
        }
        return count;
    }

    private int seed(int p, int tail) {
        if (dark[p] && !background[p]) {
            background[p] = true;
            queue[tail++] = p;
            return tail;
        }
        return tail;
    }

    /** Clears {@code planes} output planes from {@code offset} (each {@code w*h}) where {@link #find} found background. */
    void clear(float[] probs, int offset, int planes) {
        int n = w * h;
        for (int c = 0; c < planes; c++) {
            int base = offset + c * n;
            for (int i = 0; i < n; i++) {
                if (widened[i]) {
                    probs[base + i] = 0f;
                }
            }
        }
    }

    /** Whether pixel (x, y) of the model's grid is background (after {@link #find}). */
    boolean isBackground(int x, int y) {
        return widened[y * w + x];
    }
}
