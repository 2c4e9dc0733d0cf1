package org.intravis.inference;

import org.bytedeco.javacpp.FloatPointer;

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
public final class ScanRegion {
    private final int w;
    private final int h;
    private final int margin;
    private final boolean[] dark;
    private final boolean[] background;
    private final boolean[] across;
    private final boolean[] widened;
    private final int[] queue;
    private boolean found;

    /** Pixels by which the background is widened, at the model's resolution. */
    static final int MARGIN_PX = 2;

    private float[] input;
    private float darkBelow;

    /** The region finder a model's sidecar asks for ({@code input.backgroundBelow}), or null when it does not. */
    public static ScanRegion forModel(ModelSpec spec) {
        if (spec.backgroundBelow() <= 0) {
            return null;
        }
        ScanRegion r = new ScanRegion(spec.width(), spec.height(), MARGIN_PX);
        r.input = new float[spec.inputRowFloats()];
        r.darkBelow = spec.backgroundBelowNormalised();
        return r;
    }

    /**
     * Finds the background in a model input row and clears {@code probs} (all its planes) there; returns whether
     * anything was cleared. Only for instances made by {@link #forModel}.
     */
    public boolean apply(FloatPointer inputRow, float[] probs) {
        inputRow.get(input, 0, input.length);
        if (find(input, 0, darkBelow) == 0) {
            return false;
        }
        clear(probs, 0, probs.length / (w * h));
        return true;
    }

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
        boolean anyDarkEdge = false;
        for (int x = 0; x < w && !anyDarkEdge; x++) {
            anyDarkEdge = input[offset + x] < darkBelow || input[offset + (h - 1) * w + x] < darkBelow;
        }
        for (int y = 0; y < h && !anyDarkEdge; y++) {
            anyDarkEdge = input[offset + y * w] < darkBelow || input[offset + y * w + w - 1] < darkBelow;
        }
        if (!anyDarkEdge) { // a picture that fills the frame (a linear probe without margins): nothing to do
            found = false;
            return 0;
        }
        // dark in the whole 3x3 neighbourhood (beyond the edge counts as dark): along rows, then along columns
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                boolean d = input[offset + row + x] < darkBelow;
                d &= x == 0 || input[offset + row + x - 1] < darkBelow;
                d &= x == w - 1 || input[offset + row + x + 1] < darkBelow;
                across[row + x] = d;
            }
        }
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                dark[row + x] = across[row + x] && (y == 0 || across[row - w + x]) && (y == h - 1 || across[row + w + x]);
            }
        }
        java.util.Arrays.fill(background, false);
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
        found = tail > 0;
        if (!found) {
            return 0;
        }
        // widen by the margin (and by the 3x3 test's one pixel): the sector's edge itself is cleared too; a square
        // neighbourhood, separably, each pass a sliding count of background pixels in the window
        int r = margin + 1;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            int inWindow = 0;
            for (int x = 0; x <= Math.min(r - 1, w - 1); x++) {
                inWindow += background[row + x] ? 1 : 0;
            }
            for (int x = 0; x < w; x++) {
                int add = x + r;
                int drop = x - r - 1;
                if (add < w && background[row + add]) {
                    inWindow++;
                }
                if (drop >= 0 && background[row + drop]) {
                    inWindow--;
                }
                across[row + x] = inWindow > 0;
            }
        }
        int count = 0;
        for (int x = 0; x < w; x++) {
            int inWindow = 0;
            for (int y = 0; y <= Math.min(r - 1, h - 1); y++) {
                inWindow += across[y * w + x] ? 1 : 0;
            }
            for (int y = 0; y < h; y++) {
                int add = y + r;
                int drop = y - r - 1;
                if (add < h && across[add * w + x]) {
                    inWindow++;
                }
                if (drop >= 0 && across[drop * w + x]) {
                    inWindow--;
                }
                boolean near = inWindow > 0;
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
        if (!found) {
            return;
        }
        int n = w * h;
        for (int i = 0; i < n; i++) {
            if (widened[i]) {
                for (int c = 0; c < planes; c++) {
                    probs[offset + c * n + i] = 0f;
                }
            }
        }
    }

    /** Whether pixel (x, y) of the model's grid is background (after {@link #find}). */
    boolean isBackground(int x, int y) {
        return found && widened[y * w + x];
    }
}
