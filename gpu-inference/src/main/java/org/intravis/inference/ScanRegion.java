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
    /** Width of the padded grids ({@link #dark}, {@link #background}): the plane with a one-pixel ring. */
    private final int pw;
    private final boolean[] dark;
    private final boolean[] background;
    private final boolean[] across;
    private final boolean[] widened;
    private final int[] queue;
    private final int[] columnCount;
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
        this.pw = width + 2;
        this.across = new boolean[width * height];
        this.dark = new boolean[pw * (height + 2)];
        this.background = new boolean[pw * (height + 2)];
        this.widened = new boolean[width * height];
        this.queue = new int[width * height];
        this.columnCount = new int[width];
    }

    /**
     * Finds the background in one input plane ({@code w*h} normalised floats from {@code offset}); a pixel is dark
     * below {@code darkBelow} in the same (normalised) units. Returns the number of background pixels (widened).
     * <p>
     * {@link #dark} and {@link #background} have a ring of never-dark pixels around the plane, so the flood fill
     * steps to its four neighbours without bounds checks or a division per pixel; the widening counts columns row
     * after row: 355 against 490 µs on a 256 x 256 sector here (perf/results/jmh-20261204-postprocess), with the same
     * result (ScanRegionEquivalenceTest).
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
            int in = offset + row;
            boolean left = true;
            boolean here = input[in] < darkBelow;
            for (int x = 0; x < w; x++) {
                boolean right = x == w - 1 || input[in + x + 1] < darkBelow;
                across[row + x] = left & here & right;
                left = here;
                here = right;
            }
        }
        for (int y = 0; y < h; y++) {
            int row = y * w;
            int padded = (y + 1) * pw + 1;
            int up = y == 0 ? row : row - w;
            int down = y == h - 1 ? row : row + w;
            for (int x = 0; x < w; x++) {
                dark[padded + x] = across[row + x] & across[up + x] & across[down + x];
            }
        }
        java.util.Arrays.fill(background, false);
        int tail = 0;
        int lastRow = h * pw + 1;
        for (int x = 0; x < w; x++) {
            tail = seed(pw + 1 + x, tail);
            tail = seed(lastRow + x, tail);
        }
        for (int y = 2; y < h; y++) {
            tail = seed(y * pw + 1, tail);
            tail = seed(y * pw + w, tail);
        }
        int head = 0;
        while (head < tail) {
            int p = queue[head++];
            tail = seed(p - 1, tail);
            tail = seed(p + 1, tail);
            tail = seed(p - pw, tail);
            tail = seed(p + pw, tail);
        }
        found = tail > 0;
        if (!found) {
            return 0;
        }
        // widen by the margin (and by the 3x3 test's one pixel): the sector's edge itself is cleared too; a square
        // neighbourhood, separably: a sliding count along each row, then per column over the rows in the window
        int r = margin + 1;
        for (int y = 0; y < h; y++) {
            int row = y * w;
            int padded = (y + 1) * pw + 1;
            int inWindow = 0;
            for (int x = 0; x <= Math.min(r - 1, w - 1); x++) {
                inWindow += background[padded + x] ? 1 : 0;
            }
            for (int x = 0; x < w; x++) {
                int add = x + r;
                int drop = x - r - 1;
                if (add < w && background[padded + add]) {
                    inWindow++;
                }
                if (drop >= 0 && background[padded + drop]) {
                    inWindow--;
                }
                across[row + x] = inWindow > 0;
            }
        }
        java.util.Arrays.fill(columnCount, 0);
        for (int y = 0; y <= Math.min(r - 1, h - 1); y++) {
            addRow(y, 1);
        }
        int count = 0;
        for (int y = 0; y < h; y++) {
            if (y + r < h) {
                addRow(y + r, 1);
            }
            if (y - r - 1 >= 0) {
                addRow(y - r - 1, -1);
            }
            int row = y * w;
            for (int x = 0; x < w; x++) {
                boolean near = columnCount[x] > 0;
                widened[row + x] = near;
                count += near ? 1 : 0;
            }
        }
        return count;
    }

    /** Adds {@code sign} to the column counts where row {@code y} of the row-widened background is set. */
    private void addRow(int y, int sign) {
        int row = y * w;
        for (int x = 0; x < w; x++) {
            if (across[row + x]) {
                columnCount[x] += sign;
            }
        }
    }

    /** Marks padded pixel {@code p} background and queues it if it is dark and not yet marked. */
    private int seed(int p, int tail) {
        if (dark[p] && !background[p]) {
            background[p] = true;
            queue[tail++] = p;
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
