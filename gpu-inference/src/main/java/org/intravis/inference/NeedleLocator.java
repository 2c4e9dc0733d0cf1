package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * Finds a straight instrument (a needle) in a segmentation: the largest connected component of the mask, its
 * shaft line by a probability-weighted principal-axis fit, the shaft's two ends as the extreme projections of its
 * pixels on that line, and the tip by {@link EntryRule}. When a tip heat map is given, its strongest peak is the
 * tip if it is strong enough and lies on the shaft's line (extended: the mask often stops short of the tip), and
 * the entry is then the shaft end farther from it; otherwise the tip moves to a strong peak near the shaft's end.
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
    /** Allowed sideways error per pixel of extrapolation beyond the shaft's end (about 6 degrees). */
    private static final double EXTRAPOLATION_SLOPE = 0.1;

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
        if (tipOffset < 0) {
            out.set(Annotations.INSTRUMENT_NEEDLE, ex, ey, tx, ty, (float) meanProb);
            return true;
        }
        // A strong tip response on the shaft's line wins over the shaft's end: the mask often breaks up along the
        // shaft (faint segments, reverberation gaps) and its largest piece then stops short of the tip, or the
        // border rule picks the wrong end of a needle entering near a corner. The tip map has learned the tip.
        peak.search(probs, tipOffset, w, h, w / 2f, h / 2f, (float) Math.hypot(w, h));
        double peakOffLine = Math.abs((peak.x - mx) * -dy + (peak.y - my) * dx);
        double along = (peak.x - mx) * dx + (peak.y - my) * dy;
        double beyondShaft = Math.max(0, Math.max(along - tmax, tmin - along));
        // beside the shaft the peak must sit on it; beyond its end, the extrapolated direction is a few degrees off
        if (peak.value >= tipThreshold && peakOffLine <= agreePx + EXTRAPOLATION_SLOPE * beyondShaft) {
            double da = Math.hypot(peak.x - ax, peak.y - ay);
            double db = Math.hypot(peak.x - bx, peak.y - by);
            ex = (float) (da > db ? ax : bx);
            ey = (float) (da > db ? ay : by);
            out.set(Annotations.INSTRUMENT_NEEDLE, ex, ey, peak.x, peak.y, (float) meanProb);
            out.tipPeak = peak.value;
            out.refined = true;
            out.confidence = (float) ((meanProb + peak.value) / 2);
            return true;
        }
        peak.search(probs, tipOffset, w, h, tx, ty, tipRadius);
        out.set(Annotations.INSTRUMENT_NEEDLE, ex, ey, tx, ty, (float) meanProb);
        out.tipPeak = peak.value;
        double offLine = Math.abs((peak.x - mx) * -dy + (peak.y - my) * dx);
        if (peak.value >= tipThreshold && offLine <= agreePx) {
            out.tipX = peak.x;
            out.tipY = peak.y;
            out.refined = true;
            out.confidence = (float) ((meanProb + peak.value) / 2);
        } else {
            // Not confirmed by the tip map: straight bright reflectors entering from the side (a fascia line, a bone
            // surface) also make a needle-like mask (ultrasound model card), so such a needle is reported with the
            // product of both, as WireLocator does: shown as low confidence, and no alerts, unless the peak is strong.
            out.confidence = (float) (meanProb * peak.value);
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
