package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * Moves a needle's tip along its line to where the frame's own pixels say its shaft ends: back for any needle, on
 * for one shown as unsure. The network's mask and tip map give
 * the line at a quarter or less of the frame's resolution, and on real tissue the mask can run on past the tip along
 * a bright band beside the needle (ultrasound model card, "Real needles"). Along the line from the entry to beyond
 * the network's tip this samples, at frame resolution, a thin-ridge response: the centre's grey minus the brighter
 * of the two sides a few pixels away across the line (a needle is a thin line brighter than both sides; a wide band
 * or an edge is not). It then
 * <ol>
 *   <li>corrects the line onto the ridge: on the middle of the shaft it takes, per sample, the offset across the line
 *       with the strongest response within a few pixels, and fits a straight line to those offsets (weighted by the
 *       response, outliers dropped). A band more than {@code LATERAL} pixels beside the needle is not the same
 *       ridge and never enters;</li>
 *   <li>reads the evidence along the corrected line (the best response within {@code TOLERANCE} of it), smoothed
 *       over a few pixels; the bar it must clear is a share of the shaft's level (its median over the middle of the
 *       shaft), lowered to what the tissue beside the needle shows (the same response on parallel lines) when that is
 *       quieter;</li>
 *   <li>puts the tip at the change point: the position beyond the middle of the shaft that maximises the running
 *       sum of (evidence minus bar). Short faint or broken stretches do not end the shaft when evidence resumes after
 *       them; a long stretch without it does, wherever the mask went. For a confident needle only a change point
 *       before the network's tip moves the tip: its tip map confirmed where the needle ends, and going on would
 *       follow any bright line the needle meets. An unsure needle (confidence under
 *       {@link Annotations#LOW_CONFIDENCE}, no alert) has no such confirmation, and a flat needle's mask often covers
 *       only its near part: for it the change point is looked for up to where the line leaves the frame.</li>
 * </ol>
 * When the shaft shows no ridge (level under {@link #MIN_LEVEL} grey levels) or the line is too short, the tip stays
 * where the network put it. Distances scale with the frame (a picture 860 px high is the reference scale).
 * <p>
 * Allocation-free once its buffers fit the largest frame seen; one instance per thread.
 */
public final class NeedleTipEvidence {
    /** The frame size at which the pixel distances below hold (the labelled real clip's). */
    private static final double REFERENCE_SIZE = 860;
    /** Distance across the line of the two side samples (px at the reference scale). */
    private static final double SIDE = 6;
    /** How far across the line the ridge is looked for when correcting the line. */
    private static final double LATERAL = 4;
    /** Step of those offsets. */
    private static final double LATERAL_STEP = 0.5;
    /** How far from the corrected line the evidence is read. */
    private static final double TOLERANCE = 2;
    /** Smoothing along the line (px, box). */
    private static final double SMOOTH = 9;
    /** How far beyond the network's tip the shaft may go on. */
    private static final double BEYOND = 100;
    /** The part of the line (fractions of entry-to-tip) whose ridge sets the line and the shaft's level. */
    private static final double MID_FROM = 0.2;
    private static final double MID_TO = 0.8;
    /** The tip is not looked for before this fraction of the line: the network's shaft is there. */
    private static final double SEARCH_FROM = 0.5;
    /** The share of the shaft's level below which a stretch counts against the shaft... */
    private static final double LEVEL_SHARE = 0.35;
    /**
     * ...unless the tissue beside the needle makes ridges that strong (the 90th percentile of the same response on
     * lines {@code BESIDE} px to either side): a faint distal shaft in quiet tissue is still shaft. Never below this
     * share of the level, though.
     */
    private static final double MIN_LEVEL_SHARE = 0.15;
    private static final double BESIDE = 16;
    private static final double BESIDE_PERCENTILE = 0.9;
    /** Least shaft level (grey levels of ridge contrast) to act on: below it the pixels show no needle line. */
    static final double MIN_LEVEL = 2;
    /** The shortest line (px at the reference scale) worth refining. */
    private static final double MIN_LINE = 20;

    private int capacity;
    private int offsetsCount;
    private float[] response;   // [sample * offsetsCount + offset]: ridge response
    private float[] column;     // scratch for smoothing one offset's column
    private float[] evidence;   // per sample along the corrected line
    private float[] bestOffset; // per sample: the offset of the strongest response
    private float[] bestWeight;
    private float[] scratch;
    private float[] beside;     // per sample: the ridge response on the lines beside the needle
    private boolean[] inside;
    private double fitA;
    private double fitB;

    /** The thin-ridge response at (x, y) across direction (nx, ny): the centre minus the brighter side; 0 off the frame. */
    private static float ridge(GreyPixels frame, double x, double y, double side, double nx, double ny) {
        float v = frame.sample(x, y) - Math.max(frame.sample(x - side * nx, y - side * ny),
                frame.sample(x + side * nx, y + side * ny));
        return v == v ? v : 0;
    }

    /**
     * Moves {@code d}'s tip (frame pixels, as {@code frame}) along its line to where the pixels' evidence of the
     * shaft ends. Returns whether it moved it; {@code d} stays as it was when the pixels show no needle line.
     */
    public boolean refine(GreyPixels frame, InstrumentDetection d) {
        if (!d.found) {
            return false;
        }
        double sc = Math.max(0.4, Math.min(2.5, Math.min(frame.width(), frame.height()) / REFERENCE_SIZE));
        double ex = d.entryX;
        double ey = d.entryY;
        double ux = d.tipX - ex;
        double uy = d.tipY - ey;
        double length = Math.hypot(ux, uy);
        double diagonal = Math.hypot(frame.width(), frame.height());
        if (!(length >= MIN_LINE * sc) || length > 2 * diagonal) {
            return false; // too short to read, or not a needle of this frame (its tip far off it)
        }
        ux /= length;
        uy /= length;
        double nx = -uy;
        double ny = ux;
        double lateral = LATERAL * sc;
        double step = LATERAL_STEP * sc;
        int offsets = 2 * (int) Math.round(lateral / step) + 1;
        // sized for the longest line the frame holds, so that a stream's buffers are made once
        ensure((int) (Math.max(diagonal, length) + BEYOND * sc) + 2, offsets);
        int samples = Math.min(capacity, (int) (length + BEYOND * sc) + 1);
        // an unsure needle's line is read on to the frame's edge (off the frame a sample has no evidence), and never
        // less far than a sure one's: the tissue's ridges are read over the first samples
        int reach = d.confidence < Annotations.LOW_CONFIDENCE
                ? Math.max(samples, Math.min(capacity, (int) diagonal + 1)) : samples;
        double side = SIDE * sc;
        double besideAt = BESIDE * sc;
        for (int i = 0; i < reach; i++) {
            double cx = ex + i * ux;
            double cy = ey + i * uy;
            inside[i] = frame.sample(cx, cy) == frame.sample(cx, cy); // not NaN: on the frame
            beside[i] = Math.max(ridge(frame, cx - besideAt * nx, cy - besideAt * ny, side, nx, ny),
                    ridge(frame, cx + besideAt * nx, cy + besideAt * ny, side, nx, ny));
            for (int j = 0; j < offsets; j++) {
                double o = (j - offsets / 2) * step;
                double px = cx + o * nx;
                double py = cy + o * ny;
                response[i * offsets + j] = ridge(frame, px, py, side, nx, ny);
            }
        }
        int smooth = Math.max(1, (int) Math.round(SMOOTH * sc)) | 1;
        smoothAlong(response, reach, offsets, smooth);
        smoothAlong(beside, reach, 1, smooth);
        int tip = shaftEnd(length, offsets, step, samples, reach, sc);
        if (tip > (int) length && reach > samples) {
            // an unsure needle went on: the line was set on the middle of the network's short shaft, so set it again
            // on the middle of the longer one (a line extrapolated far drifts off a thin needle) and look once more
            double a = fitA;
            double b = fitB;
            int again = shaftEnd(tip, offsets, step, samples, reach, sc);
            if (again >= 0) {
                tip = again;
            } else {
                fitA = a;
                fitB = b;
            }
        }
        if (tip < 0 || tip >= (int) length && (reach == samples || tip == (int) length)) {
            // no needle line in the pixels, or the shaft's evidence goes on to the network's tip or beyond: a
            // confident needle is only ever shortened
            return false;
        }
        double across = fitA + fitB * tip;
        d.tipX = (float) (ex + tip * ux + across * nx);
        d.tipY = (float) (ey + tip * uy + across * ny);
        return true;
    }

    /**
     * Sets the line on the ridge of the middle of a shaft {@code length} samples long and returns where the pixels'
     * evidence of it ends (a sample index up to {@code reach}), or -1 when the line is too short or shows no ridge.
     * The tissue's ridges are read over the first {@code samples} samples, so that the bar does not depend on the
     * reach.
     */
    private int shaftEnd(double length, int offsets, double step, int samples, int reach, double sc) {
        int midFrom = (int) (MID_FROM * length);
        int midTo = (int) (MID_TO * length);
        if (midTo - midFrom < 5) {
            return -1;
        }
        for (int i = midFrom; i <= midTo; i++) {
            int best = 0;
            for (int j = 1; j < offsets; j++) {
                if (response[i * offsets + j] > response[i * offsets + best]) {
                    best = j;
                }
            }
            bestOffset[i] = (float) ((best - offsets / 2) * step);
            bestWeight[i] = Math.max(0f, response[i * offsets + best]);
        }
        fitOffsets(midFrom, midTo, sc);
        double tolerance = TOLERANCE * sc;
        for (int i = 0; i < reach; i++) {
            double predicted = fitA + fitB * i;
            float best = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < offsets; j++) {
                if (Math.abs((j - offsets / 2) * step - predicted) <= tolerance) {
                    best = Math.max(best, response[i * offsets + j]);
                }
            }
            evidence[i] = inside[i] && best != Float.NEGATIVE_INFINITY ? best : 0;
        }
        int n = midTo - midFrom + 1;
        System.arraycopy(evidence, midFrom, scratch, 0, n);
        double level = select(scratch, n, n / 2);
        if (!(level >= MIN_LEVEL)) {
            return -1;
        }
        int m = 0;
        for (int i = 0; i < samples; i++) {
            if (inside[i]) {
                scratch[m++] = beside[i];
            }
        }
        double tissue = m > 0 ? select(scratch, m, Math.min(m - 1, (int) (BESIDE_PERCENTILE * m))) : 0;
        double bar = Math.min(LEVEL_SHARE * level, Math.max(tissue, MIN_LEVEL_SHARE * level));
        int from = (int) (SEARCH_FROM * length);
        double sum = 0;
        double bestSum = Double.NEGATIVE_INFINITY;
        int tip = from;
        for (int i = from; i < reach; i++) {
            sum += evidence[i] - bar;
            if (sum > bestSum) {
                bestSum = sum;
                tip = i;
            }
        }
        return tip;
    }

    /** A box filter of odd width {@code k} along the line, per offset (edges: the mean of what is there). */
    private void smoothAlong(float[] response, int samples, int offsets, int k) {
        if (k <= 1) {
            return;
        }
        int half = k / 2;
        for (int j = 0; j < offsets; j++) {
            for (int i = 0; i < samples; i++) {
                column[i] = response[i * offsets + j];
            }
            double run = 0;
            int lo = 0;
            int hi = -1;
            for (int i = 0; i < samples; i++) {
                int wantHi = Math.min(samples - 1, i + half);
                int wantLo = Math.max(0, i - half);
                while (hi < wantHi) {
                    run += column[++hi];
                }
                while (lo < wantLo) {
                    run -= column[lo++];
                }
                response[i * offsets + j] = (float) (run / (hi - lo + 1));
            }
        }
    }

    /**
     * A straight line through the ridge's offsets across the line, weighted by its response, over samples
     * {@code from..to}; three rounds, each dropping samples more than twice the median residual (at least a pixel)
     * off. Leaves offset = {@link #fitA} + {@link #fitB} * sample; zero when nothing supports a line.
     */
    private void fitOffsets(int from, int to, double sc) {
        fitA = 0;
        fitB = 0;
        double cut = Double.POSITIVE_INFINITY;
        for (int round = 0; round < 3; round++) {
            double sw = 0;
            double ss = 0;
            double so = 0;
            double sss = 0;
            double sso = 0;
            for (int i = from; i <= to; i++) {
                double w = bestWeight[i];
                if (w <= 0 || Math.abs(bestOffset[i] - (fitA + fitB * i)) > cut) {
                    continue;
                }
                sw += w;
                ss += w * i;
                so += w * bestOffset[i];
                sss += w * i * i;
                sso += w * i * bestOffset[i];
            }
            double det = sw * sss - ss * ss;
            if (sw <= 0 || Math.abs(det) < 1e-9) {
                fitA = 0;
                fitB = 0;
                return;
            }
            fitB = (sw * sso - ss * so) / det;
            fitA = (so - fitB * ss) / sw;
            int m = 0;
            for (int i = from; i <= to; i++) {
                if (bestWeight[i] > 0) {
                    scratch[m++] = (float) Math.abs(bestOffset[i] - (fitA + fitB * i));
                }
            }
            cut = Math.max(sc, 2 * select(scratch, m, m / 2));
        }
    }

    /**
     * The {@code k}-th smallest of {@code a[0..n)} (reorders them): quickselect, in place. Arrays.sort would do, but
     * it may allocate a merge buffer for partly sorted input, and this runs on the inference thread.
     */
    static float select(float[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            float pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private void ensure(int samples, int offsets) {
        if (samples <= capacity && offsets == offsetsCount && response != null) {
            return;
        }
        // a larger frame or line than before: grow once (the frame size of a stream is steady)
        capacity = Math.max(samples, capacity);
        offsetsCount = offsets;
        response = new float[capacity * offsets];
        column = new float[capacity];
        evidence = new float[capacity];
        bestOffset = new float[capacity];
        bestWeight = new float[capacity];
        scratch = new float[capacity];
        beside = new float[capacity];
        inside = new boolean[capacity];
    }
}
