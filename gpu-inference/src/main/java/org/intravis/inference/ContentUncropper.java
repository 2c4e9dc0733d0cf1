package org.intravis.inference;

import java.util.Arrays;

/**
 * Puts a model's outputs for a content-cropped input ({@link ContentBox}) back into the whole frame's output grid,
 * so that everything after it (thresholds, polygons, tips, heat maps) works in one frame-wide grid whether or not
 * the model crops. Bilinear, pixel centres aligned; zero outside the box. The Python reference
 * ({@code training/common.py: uncrop}) computes the same. One instance per thread; allocation-free after
 * construction.
 */
public final class ContentUncropper {
    private final int w;
    private final int h;
    private final float[] out;
    private final int[] xi0;
    private final int[] xi1;
    private final float[] fx;
    private final boolean[] xin;
    private final int[] yi0;
    private final int[] yi1;
    private final float[] fy;
    private final boolean[] yin;

    public ContentUncropper(int width, int height) {
        this.w = width;
        this.h = height;
        out = new float[width * height];
        xi0 = new int[width];
        xi1 = new int[width];
        fx = new float[width];
        xin = new boolean[width];
        yi0 = new int[height];
        yi1 = new int[height];
        fy = new float[height];
        yin = new boolean[height];
    }

    /** Rewrites {@code planes} planes of {@code probs} (w*h each, from 0) from the box's grid into the frame's. */
    public void uncrop(float[] probs, int planes, ContentBox box) {
        if (box.isWhole()) {
            return;
        }
        axis(box.x0(), box.x1(), box.grid(), w, xi0, xi1, fx, xin);
        axis(box.y0(), box.y1(), box.grid(), h, yi0, yi1, fy, yin);
        int plane = w * h;
        for (int c = 0; c < planes; c++) {
            int base = c * plane;
            for (int y = 0; y < h; y++) {
                int o = y * w;
                if (!yin[y]) {
                    Arrays.fill(out, o, o + w, 0f);
                    continue;
                }
                int r0 = base + yi0[y] * w;
                int r1 = base + yi1[y] * w;
                float wy = fy[y];
                for (int x = 0; x < w; x++) {
                    if (!xin[x]) {
                        out[o + x] = 0f;
                        continue;
                    }
                    float wx = fx[x];
                    float top = probs[r0 + xi0[x]] * (1 - wx) + probs[r0 + xi1[x]] * wx;
                    float bottom = probs[r1 + xi0[x]] * (1 - wx) + probs[r1 + xi1[x]] * wx;
                    out[o + x] = top * (1 - wy) + bottom * wy;
                }
            }
            System.arraycopy(out, 0, probs, base, plane);
        }
    }

    /**
     * For each output pixel along one axis of n: its centre in grid pixels, whether that lies in [lo, hi), and the
     * two neighbouring pixels of the cropped output (n over [lo, hi)) with the second one's weight.
     */
    private static void axis(int lo, int hi, int grid, int n, int[] i0, int[] i1, float[] f, boolean[] inside) {
        for (int i = 0; i < n; i++) {
            double centre = (i + 0.5) * grid / n;
            inside[i] = centre >= lo && centre < hi;
            double c = (centre - lo) * n / (hi - lo) - 0.5;
            c = Math.min(Math.max(c, 0), n - 1);
            int a = (int) Math.floor(c);
            i0[i] = a;
            i1[i] = Math.min(a + 1, n - 1);
            f[i] = (float) (c - a);
        }
    }
}
