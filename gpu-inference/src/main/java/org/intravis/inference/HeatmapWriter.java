package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * The explainability heat map: each output channel's probabilities averaged down to {@code side x side} cells
 * (area averaging) and stored as 8-bit confidence (0..255 for 0..1) into an {@link Annotations} holder.
 * Allocation-free after construction.
 */
public final class HeatmapWriter {
    private final int w;
    private final int h;
    private final int side;
    private final int[] xBin;
    private final int[] yBin;
    private final float[] sums;
    private final int[] counts;

    public HeatmapWriter(int width, int height, int side) {
        if (side < 1 || side > Annotations.MAX_HEATMAP_SIDE) {
            throw new IllegalArgumentException("heat map side must be 1.." + Annotations.MAX_HEATMAP_SIDE + ", was " + side);
        }
        this.w = width;
        this.h = height;
        this.side = Math.min(side, Math.min(width, height));
        xBin = new int[width];
        yBin = new int[height];
        for (int x = 0; x < width; x++) {
            xBin[x] = (int) ((long) x * this.side / width);
        }
        for (int y = 0; y < height; y++) {
            yBin[y] = (int) ((long) y * this.side / height);
        }
        sums = new float[this.side * this.side];
        counts = new int[this.side * this.side];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                counts[yBin[y] * this.side + xBin[x]]++;
            }
        }
    }

    /**
     * Writes {@code classes} planes of {@code probs} (each {@code width*height}, consecutive from 0) as the heat map
     * of frame {@code frameId}; at most {@link Annotations#MAX_HEATMAP_CLASSES} are kept.
     */
    public void write(float[] probs, int classes, String[] classNames, long frameId, Annotations out) {
        int kept = Math.min(classes, Annotations.MAX_HEATMAP_CLASSES);
        out.heatmapShape(kept, side, side, frameId, classNames);
        int cells = side * side;
        for (int c = 0; c < kept; c++) {
            java.util.Arrays.fill(sums, 0f);
            int base = c * w * h;
            for (int y = 0; y < h; y++) {
                int row = yBin[y] * side;
                int src = base + y * w;
                for (int x = 0; x < w; x++) {
                    sums[row + xBin[x]] += probs[src + x];
                }
            }
            int dst = c * cells;
            for (int i = 0; i < cells; i++) {
                float v = sums[i] / counts[i];
                int b = Math.round((v < 0 ? 0 : (v > 1 ? 1 : v)) * 255f);
                out.heatmap[dst + i] = (byte) b;
            }
        }
    }

    public int side() {
        return side;
    }
}
