package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * Finds a straight instrument (a needle) in a segmentation: the largest connected component of the mask (of a
 * labelled mask, {@link #locateInMask}, every set pixel), its
 * shaft line by a probability-weighted principal-axis fit made robust by refitting on the pixels near the line
 * (a needle is straight: a tissue band the mask runs on into, at another angle, is left out), the shaft as the
 * heaviest run of pixels centred on the line with gaps no longer than {@code maxGap} (a collinear blob beyond a
 * long gap is not shaft), its two ends, and the tip by {@link EntryRule}. A short shaft is shown with less
 * confidence; one without any support keeps its near-zero confidence (shown as low, no alert), see {@link #fit}.
 * When a tip heat map is given, its strongest peak is the tip if it is strong enough and lies on the shaft's line (extended: the mask often stops short of the tip), and
 * the entry is then the shaft end farther from it; otherwise the tip is the shaft's deeper end (an in-plane needle
 * only goes deeper as it advances; the border rule for a nearly level shaft: {@link EntryRule#aIsEntryInPlane}) and
 * moves to a strong peak near it.
 * <p>
 * Works at the resolution it is built for (the model's output, or a ground-truth mask's for evaluation); limits
 * scale with it. Allocation-free after construction. One instance per thread.
 */
public final class NeedleLocator extends MaskLocator {
    private final double minLength;
    private final double minElongation;
    private final double agreePx;
    /** Allowed sideways error per pixel of extrapolation beyond the shaft's end (about 6 degrees). */
    private static final double EXTRAPOLATION_SLOPE = 0.1;
    /** Half-widths of the band around the line that each refit keeps, at 256 px (shrinking: coarse, then tight). */
    private static final double[] REFIT_BANDS = {6.0, 3.5, 2.5};
    /** Least share of the component's weight on the shaft (in the band, in the run) for it to be a needle. */
    private static final double MIN_ON_LINE = 0.5;
    /**
     * Shaft lengths (at 256 px, entry to tip, in the picture's own size: {@link #picture}) from which a needle's
     * confidence rises from 0 to in full.
     */
    private static final double SHORT_SHAFT = 16;
    private static final double SURE_SHAFT = 40;
    /** How far (at 256 px) the centre of a bin's pixels may lie from the line for the bin to be shaft. */
    private static final double CENTRE_TOLERANCE = 1.5;
    private final double maxGap;
    private final double shortShaft;
    private final double sureShaft;
    private final int bins;
    private final float[] along;      // per bin along the line: the weight of the pixels projecting there
    private final float[] offsets;    // per bin: their weighted offset from the line (to find where it bends away)

    public NeedleLocator(int width, int height) {
        super(width, height);
        this.maxGap = 8 * scale;
        this.shortShaft = SHORT_SHAFT * scale;
        this.sureShaft = SURE_SHAFT * scale;
        this.bins = (int) Math.ceil(2 * Math.hypot(width, height)) + 3;
        this.along = new float[bins];
        this.offsets = new float[bins];
        this.minLength = 6 * scale;
        this.minElongation = 2.5;
        this.agreePx = 3 * scale;
    }

    @Override
    boolean fit(float[] probs, int offset, int tipOffset, double tipThreshold, InstrumentDetection out) {
        if (!fitShaft(probs, offset, tipOffset, tipThreshold, out)) {
            return false;
        }
        if (probs != null) {
            // A short bright streak is not yet a sure needle: fragments of tissue, the end of a fascia line at the
            // picture's edge (the hard negatives of the real clip, 24-35 px long at 256, against 43-86 for its
            // needle) make such streaks, and a needle just entering grows past them within a few frames.
            // Measured in the picture's size: in a capture frame whose picture fills half its width the same needle
            // spans half as many grid pixels across, and was judged a short streak (ultrasound model card, 1.2.2)
            double length = Math.hypot((out.tipX - out.entryX) / pictureWidthShare,
                    (out.tipY - out.entryY) / pictureHeightShare);
            if (length <= shortShaft) {
                // confidence 0 whatever the tip map says: a dashed "needle" at 0 % told the reader nothing, and such
                // streaks were most of the needle network's false needles on tissue (1.2.3, model card)
                out.clear();
                return false;
            }
            out.confidence *= (float) Math.min(1, (length - shortShaft) / (sureShaft - shortShaft));
            // A needle without support from the tip map is still reported, as low confidence (no alert): dropping those
            // under 0.1 cost 0.05 of the synthetic needles' detection (1.00 -> 0.95) for a real clip whose fascia views
            // such needles never make confident (tuning frames: 0.10 of them get a low one; model card)
        }
        return true;
    }

    private boolean fitShaft(float[] probs, int offset, int tipOffset, double tipThreshold, InstrumentDetection out) {
        out.clear();
        // a labelled mask is needle wherever it is set: one drawn in pieces along a faint stretch keeps its far piece
        // (the shaft's run joins gaps up to maxGap; a piece beyond that, or off the line, is not shaft)
        int size = probs == null ? component.all(mask) : component.find(mask);
        if (size < minPixels) {
            return false;
        }
        int[] px = component.pixels();
        double sw = centroid(px, size, probs, offset, 0, 0, 1, 0, Double.NaN, false);
        double mx = centroidX;
        double my = centroidY;
        double theta = axis(px, size, probs, offset, mx, my, Double.NaN, 0, 0, 0);
        double l1 = lastL1;
        double l2 = lastL2;
        // robust: refit on the pixels near the current line, with a shrinking band
        for (double bandAt256 : REFIT_BANDS) {
            double band = bandAt256 * scale;
            if (centroid(px, size, probs, offset, mx, my, Math.cos(theta), Math.sin(theta), band, false) <= 0) {
                break;
            }
            double nmx = centroidX;
            double nmy = centroidY;
            theta = axis(px, size, probs, offset, nmx, nmy, band, mx, my, theta);
            mx = nmx;
            my = nmy;
            l1 = lastL1;
            l2 = lastL2;
        }
        double dx = Math.cos(theta);
        double dy = Math.sin(theta);
        double band = REFIT_BANDS[REFIT_BANDS.length - 1] * scale;
        int centre = bins / 2;
        if (!shaftRun(px, size, probs, offset, mx, my, dx, dy)) {
            return false;
        }
        // once more on the shaft alone: a band the mask ran on into no longer tilts the line
        if (centroid(px, size, probs, offset, mx, my, dx, dy, band, true) > 0) {
            double nmx = centroidX;
            double nmy = centroidY;
            // the principal axis of the shaft's pixels alone (within the band, on the run)
            double t2 = principalAxis(px, size, probs, offset, nmx, nmy, band, mx, my, dx, dy, true, Double.NaN);
            if (!Double.isNaN(t2)) {
                theta = t2;
                mx = nmx;
                my = nmy;
                dx = Math.cos(theta);
                dy = Math.sin(theta);
                l1 = lastL1;
                l2 = lastL2;
                if (!shaftRun(px, size, probs, offset, mx, my, dx, dy)) {
                    return false;
                }
            }
        }
        int bestStart = runStart;
        int bestEnd = runEnd;
        double runFrom = bestStart - centre - 0.5;
        double runTo = bestEnd - centre + 0.5;
        double tmin = Double.MAX_VALUE;
        double tmax = -Double.MAX_VALUE;
        double meanProb = 0;
        double shaftWeight = 0;
        int counted = 0;
        for (int k = 0; k < size; k++) {
            int p = px[k];
            double rx = (p % w) - mx;
            double ry = (p / w) - my;
            double t = rx * dx + ry * dy;
            int b = centre + (int) Math.round(t);
            if (Math.abs(rx * -dy + ry * dx) <= band && t >= runFrom && t <= runTo && b >= 0 && b < bins
                    && along[b] > 0) {
                double wgt = probs == null ? 1 : probs[offset + p];
                meanProb += wgt;
                shaftWeight += wgt;
                counted++;
                tmin = Math.min(tmin, t);
                tmax = Math.max(tmax, t);
            }
        }
        if (counted < minPixels) {
            return false;
        }
        meanProb /= counted;
        // a blob, not a shaft: short, not elongated, or most of the component off the line (a band through a disc)
        if (tmax - tmin < minLength || Math.sqrt(l1 / l2) < minElongation || shaftWeight < MIN_ON_LINE * sw) {
            return false;
        }
        double ax = mx + tmin * dx;
        double ay = my + tmin * dy;
        double bx = mx + tmax * dx;
        double by = my + tmax * dy;
        // with a tip map, an unconfirmed needle's tip is its deeper end where the shaft drops (the border rule took a
        // flat needle's far part, near the opposite side, the wrong way round); a mask alone (a ground-truth mask
        // among them) keeps the border rule
        boolean aEntry = tipOffset >= 0
                ? EntryRule.aIsEntryInPlane(pictureLeft, pictureTop, pictureRight, pictureBottom, ax, ay, bx, by)
                : EntryRule.aIsEntry(pictureLeft, pictureTop, pictureRight, pictureBottom, ax, ay, bx, by);
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
        double offLine = Math.abs((peak.x - mx) * -dy + (peak.y - my) * dx);
        // unconfirmed, the product: straight bright reflectors entering from the side (a fascia line, a bone surface)
        // also make a needle-like mask (ultrasound model card)
        confirmTip(offLine <= agreePx, tipThreshold, meanProb, out);
        return true;
    }

    private double lastL1;
    private double lastL2;
    private int runStart;
    private int runEnd;

    /**
     * Bins the component's pixels along the line through (mx, my) in direction (dx, dy) and picks the shaft: the
     * heaviest run of bins whose pixels are centred on the line (where the mask runs on into a band at another
     * angle, the centre drifts off within a few pixels), with gaps up to {@code maxGap}. Leaves it in
     * {@link #runStart}..{@link #runEnd} (bins; {@code along} is positive on shaft bins). Returns whether there is one.
     */
    private boolean shaftRun(int[] px, int size, float[] probs, int offset, double mx, double my, double dx, double dy) {
        double wide = REFIT_BANDS[0] * scale;
        java.util.Arrays.fill(along, 0f);
        java.util.Arrays.fill(offsets, 0f);
        int centre = bins / 2;
        for (int k = 0; k < size; k++) {
            int p = px[k];
            double rx = (p % w) - mx;
            double ry = (p / w) - my;
            double off = rx * -dy + ry * dx;
            if (Math.abs(off) <= wide) {
                int b = centre + (int) Math.round(rx * dx + ry * dy);
                if (b >= 0 && b < bins) {
                    float wgt = probs == null ? 1f : probs[offset + p];
                    along[b] += wgt;
                    offsets[b] += (float) (wgt * off);
                }
            }
        }
        double centredWithin = CENTRE_TOLERANCE * scale;
        int bestStart = -1;
        int bestEnd = -1;
        double bestWeight = 0;
        int start = -1;
        int lastOn = -1;
        double weight = 0;
        for (int b = 0; b <= bins; b++) {
            boolean on = b < bins && along[b] > 0 && Math.abs(offsets[b] / along[b]) <= centredWithin;
            if (b < bins && !on) {
                along[b] = -along[b]; // not shaft
            }
            if (on && start >= 0 && b - lastOn - 1 > maxGap) { // a gap too long: the run ends
                if (weight > bestWeight) {
                    bestWeight = weight;
                    bestStart = start;
                    bestEnd = lastOn;
                }
                start = -1;
            }
            if (on) {
                if (start < 0) {
                    start = b;
                    weight = 0;
                }
                weight += along[b];
                lastOn = b;
            }
            if (b == bins && start >= 0 && weight > bestWeight) {
                bestWeight = weight;
                bestStart = start;
                bestEnd = lastOn;
            }
        }
        runStart = bestStart;
        runEnd = bestEnd;
        return bestStart >= 0;
    }

    /**
     * The principal-axis angle of the pixels (probability-weighted) about (mx, my); with a finite {@code band}, only
     * those within it of the line through (lx, ly) at angle {@code lTheta}. Leaves the two eigenvalues in
     * {@link #lastL1} and {@link #lastL2}.
     */
    private double axis(int[] px, int size, float[] probs, int offset, double mx, double my, double band,
                        double lx, double ly, double lTheta) {
        return principalAxis(px, size, probs, offset, mx, my, band, lx, ly, Math.cos(lTheta), Math.sin(lTheta), false,
                lTheta);
    }

    private double centroidX;
    private double centroidY;

    /**
     * The weighted centroid of the pixels {@link #near} the line through (lx, ly) in direction (ldx, ldy), left in
     * {@link #centroidX} and {@link #centroidY}; returns their weight (0: none, the centroid is then not set).
     */
    private double centroid(int[] px, int size, float[] probs, int offset, double lx, double ly, double ldx, double ldy,
                            double band, boolean runOnly) {
        double iw = 0;
        double ix = 0;
        double iy = 0;
        for (int k = 0; k < size; k++) {
            int p = px[k];
            if (near(p, lx, ly, ldx, ldy, band, runOnly)) {
                double wgt = probs == null ? 1 : probs[offset + p];
                iw += wgt;
                ix += wgt * (p % w);
                iy += wgt * (p / w);
            }
        }
        if (iw > 0) {
            centroidX = ix / iw;
            centroidY = iy / iw;
        }
        return iw;
    }

    /**
     * Whether pixel {@code p} lies within {@code band} (NaN: any distance) of the line through (lx, ly) in direction
     * (ldx, ldy), and with {@code runOnly} also on the shaft's run ({@link #runStart}..{@link #runEnd}).
     */
    private boolean near(int p, double lx, double ly, double ldx, double ldy, double band, boolean runOnly) {
        double rx = (p % w) - lx;
        double ry = (p / w) - ly;
        if (!Double.isNaN(band) && Math.abs(rx * -ldy + ry * ldx) > band) {
            return false;
        }
        if (!runOnly) {
            return true;
        }
        int b = bins / 2 + (int) Math.round(rx * ldx + ry * ldy);
        return b >= runStart && b <= runEnd && along[b] > 0;
    }

    /**
     * The weighted covariance of the pixels about (mx, my) and its major axis's angle, leaving the eigenvalues in
     * {@link #lastL1} and {@link #lastL2}. Only pixels within {@code band} (NaN: any) of the line through (lx, ly) in
     * direction (ldx, ldy) count, and with {@code runOnly} only those on the shaft's run; {@code none} is returned
     * when no pixel counts.
     */
    private double principalAxis(int[] px, int size, float[] probs, int offset, double mx, double my, double band,
                                 double lx, double ly, double ldx, double ldy, boolean runOnly, double none) {
        double sw = 0;
        double cxx = 0;
        double cyy = 0;
        double cxy = 0;
        for (int k = 0; k < size; k++) {
            int p = px[k];
            if (!near(p, lx, ly, ldx, ldy, band, runOnly)) {
                continue;
            }
            int x = p % w;
            int y = p / w;
            double wgt = probs == null ? 1 : probs[offset + p];
            double ddx = x - mx;
            double ddy = y - my;
            sw += wgt;
            cxx += wgt * ddx * ddx;
            cyy += wgt * ddy * ddy;
            cxy += wgt * ddx * ddy;
        }
        if (sw <= 0) {
            return none;
        }
        cxx /= sw;
        cyy /= sw;
        cxy /= sw;
        double half = (cxx - cyy) / 2;
        double root = Math.sqrt(half * half + cxy * cxy);
        lastL1 = (cxx + cyy) / 2 + root;
        lastL2 = Math.max((cxx + cyy) / 2 - root, 1e-6);
        return 0.5 * Math.atan2(2 * cxy, cxx - cyy);
    }
}
