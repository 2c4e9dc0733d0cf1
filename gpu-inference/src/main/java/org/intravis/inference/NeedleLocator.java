package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * Finds a straight instrument (a needle) in a segmentation: the largest connected component of the mask, its
 * shaft line by a probability-weighted principal-axis fit, the shaft's two ends as the extreme projections of its
 * pixels on that line, and the tip by {@link EntryRule}. When a tip heat map is given, the tip moves to its peak if
 * the peak is strong enough and lies on the shaft line (within a few pixels of it, near the shaft's end).
 * <p>
 * Works at the resolution it is built for (the model's output, or a ground-truth mask's for evaluation); limits
 * scale with it. Allocation-free after construction. One instance per thread.
 */
public final class NeedleLocator {
    private final int w;
    private final int h;
    private final byte[] mask;
    private final LargestComponent component;
    private final TipPeak peak = new TipPeak();
    private final int minPixels;
    private final double minLength;
    private final double minElongation;
    private final float tipRadius;
    private final double agreePx;

    public NeedleLocator(int width, int height) {
        this.w = width;
        this.h = height;
        this.mask = new byte[width * height];
        this.component = new LargestComponent(width, height);
        double scale = Math.max(width, height) / 256.0;
        this.minPixels = (int) Math.max(4, Math.round(10 * scale * scale));
        this.minLength = 6 * scale;
        this.minElongation = 2.5;
        this.tipRadius = (float) (8 * scale);
        this.agreePx = 3 * scale;
    }

    /**
     * Locates the needle in probability planes: {@code probs[needleOffset ..]} is the needle channel,
     * {@code probs[tipOffset ..]} the tip heat map ({@code tipOffset < 0}: none). Returns whether one was found.
     */
    public boolean locate(float[] probs, int needleOffset, double threshold, int tipOffset, double tipThreshold,
                          InstrumentDetection out) {
        int n = w * h;
        for (int i = 0; i < n; i++) {
            mask[i] = probs[needleOffset + i] > threshold ? (byte) 1 : 0;
        }
        return fit(probs, needleOffset, tipOffset, tipThreshold, out);
    }

    /** Locates the needle in a binary mask (non-zero = needle), without a heat map: the ground-truth rule. */
    public boolean locateInMask(byte[] binary, InstrumentDetection out) {
        System.arraycopy(binary, 0, mask, 0, w * h);
        return fit(null, 0, -1, 0, out);
    }

    private boolean fit(float[] probs, int offset, int tipOffset, double tipThreshold, InstrumentDetection out) {
        out.clear();
        int size = component.find(mask);
        if (size < minPixels) {
            return false;
        }
        int[] px = component.pixels();
        double sw = 0;
        double mx = 0;
        double my = 0;
        for (int k = 0; k < size; k++) {
            int p = px[k];
            double wgt = probs == null ? 1 : probs[offset + p];
            sw += wgt;
            mx += wgt * (p % w);
            my += wgt * (p / w);
        }
        mx /= sw;
        my /= sw;
        double cxx = 0;
        double cyy = 0;
        double cxy = 0;
        for (int k = 0; k < size; k++) {
            int p = px[k];
            double wgt = probs == null ? 1 : probs[offset + p];
            double dx = (p % w) - mx;
            double dy = (p / w) - my;
            cxx += wgt * dx * dx;
            cyy += wgt * dy * dy;
            cxy += wgt * dx * dy;
        }
        cxx /= sw;
        cyy /= sw;
        cxy /= sw;
        double half = (cxx - cyy) / 2;
        double root = Math.sqrt(half * half + cxy * cxy);
        double l1 = (cxx + cyy) / 2 + root;
        double l2 = Math.max((cxx + cyy) / 2 - root, 1e-6);
        double theta = 0.5 * Math.atan2(2 * cxy, cxx - cyy);
        double dx = Math.cos(theta);
        double dy = Math.sin(theta);
        double tmin = Double.MAX_VALUE;
        double tmax = -Double.MAX_VALUE;
        double meanProb = 0;
        for (int k = 0; k < size; k++) {
            int p = px[k];
            double t = ((p % w) - mx) * dx + ((p / w) - my) * dy;
            if (t < tmin) {
                tmin = t;
            }
            if (t > tmax) {
                tmax = t;
            }
            meanProb += probs == null ? 1 : probs[offset + p];
        }
        meanProb /= size;
        if (tmax - tmin < minLength || Math.sqrt(l1 / l2) < minElongation) {
            return false; // a blob, not a shaft
        }
        double ax = mx + tmin * dx;
        double ay = my + tmin * dy;
        double bx = mx + tmax * dx;
        double by = my + tmax * dy;
        boolean aEntry = EntryRule.aIsEntry(w, h, ax, ay, bx, by);
        float ex = (float) (aEntry ? ax : bx);
        float ey = (float) (aEntry ? ay : by);
        float tx = (float) (aEntry ? bx : ax);
        float ty = (float) (aEntry ? by : ay);
        out.set(Annotations.INSTRUMENT_NEEDLE, ex, ey, tx, ty, (float) meanProb);
        if (tipOffset >= 0) {
            peak.search(probs, tipOffset, w, h, tx, ty, tipRadius);
            out.tipPeak = peak.value;
            double offLine = Math.abs((peak.x - mx) * -dy + (peak.y - my) * dx);
            if (peak.value >= tipThreshold && offLine <= agreePx) {
                out.tipX = peak.x;
                out.tipY = peak.y;
                out.refined = true;
                out.confidence = (float) ((meanProb + peak.value) / 2);
            }
        }
        return true;
    }

    public int width() {
        return w;
    }

    public int height() {
        return h;
    }
}
