package org.intravis.inference;

/**
 * Refines an instrument tip with the model's tip heat map: the strongest response within a radius of the tip
 * found from the shaft, located to sub-pixel precision by the probability-weighted centroid of its 3x3
 * neighbourhood. The tip moves there only when the peak is strong enough and agrees with the shaft (the caller
 * decides what agreeing means).
 */
final class TipPeak {
    float x;
    float y;
    float value;

    /**
     * Searches {@code plane} ({@code w*h} floats from {@code offset}) within {@code radius} of (cx,cy); leaves the
     * peak in {@link #x}, {@link #y}, {@link #value} (value 0 when the window is empty).
     */
    void search(float[] plane, int offset, int w, int h, float cx, float cy, float radius) {
        value = 0;
        int x0 = Math.max(0, (int) Math.floor(cx - radius));
        int x1 = Math.min(w - 1, (int) Math.ceil(cx + radius));
        int y0 = Math.max(0, (int) Math.floor(cy - radius));
        int y1 = Math.min(h - 1, (int) Math.ceil(cy + radius));
        float r2 = radius * radius;
        int bx = -1;
        int by = -1;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                float dx = x - cx;
                float dy = y - cy;
                if (dx * dx + dy * dy > r2) {
                    continue;
                }
                float v = plane[offset + y * w + x];
                if (v > value) {
                    value = v;
                    bx = x;
                    by = y;
                }
            }
        }
        if (bx < 0) {
            return;
        }
        double sw = 0;
        double sx = 0;
        double sy = 0;
        for (int y = Math.max(0, by - 1); y <= Math.min(h - 1, by + 1); y++) {
            for (int x = Math.max(0, bx - 1); x <= Math.min(w - 1, bx + 1); x++) {
                double v = plane[offset + y * w + x];
                sw += v;
                sx += v * x;
                sy += v * y;
            }
        }
        x = (float) (sx / sw);
        y = (float) (sy / sw);
    }
}
