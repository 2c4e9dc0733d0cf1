package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * Tracks instrument tips over frames, one constant-velocity Kalman filter per tip (state x, y, vx, vy in frame
 * pixels and pixels per second; the time step comes from the frames' capture timestamps).
 * <p>
 * Each frame, every track is predicted to the frame's time, detections are associated to tracks greedily by
 * Mahalanobis distance inside a gate (and of the same instrument kind), matched tracks are updated, unmatched
 * detections start TENTATIVE tracks with a new stable id, and unmatched tracks coast (unseen when a tip of their
 * kind was seen near them this frame: the instrument is there, not where they predict it; a new track started there
 * takes the id of the one it took over from). A track is CONFIRMED after
 * {@code confirmHits} hits, COASTING while it misses, and LOST after {@code lostAfterMisses} consecutive misses: it
 * is reported once as LOST and then forgotten (a tentative track that misses is dropped silently).
 * <p>
 * The confidence a tip is shown with ({@link #shownConfidence}) is the track's, smoothed over its hits and decaying
 * while it coasts, scaled by how much of its confirmation it has: a tip seen in one frame of the two that confirm it
 * shows half its confidence, so a single-frame detection (a flash of a bright reflector) is drawn as low confidence
 * and raises no alert until a second frame agrees; a coasting tip (nothing seen in this frame) shows half of its
 * decayed confidence, so it is always drawn as low confidence.
 * Allocation-free; one instance per stream, used by one thread.
 */
public final class TipTracker {
    /** Tuning of the tracker. */
    public record Config(int confirmHits, int lostAfterMisses, double measurementNoisePx, double accelerationNoise,
                         double gateChi2, double maxJumpPx, double initialSpeedSigma) {
        public Config {
            if (confirmHits < 1 || lostAfterMisses < 1) {
                throw new IllegalArgumentException("confirmHits and lostAfterMisses must be at least 1");
            }
            if (!(measurementNoisePx > 0) || !(accelerationNoise >= 0) || !(gateChi2 > 0) || !(maxJumpPx > 0)) {
                throw new IllegalArgumentException("tracker noise, gate and jump limits must be positive");
            }
        }

        /**
         * Defaults: confirmed after 2 hits, lost after 5 misses, 4 px measurement noise, acceleration noise
         * density 5e4 px^2/s^3 (smooth hand motion), a 99.9% gate (chi-square 13.8, 2 dof) capped at 120 px.
         */
        public static Config defaults() {
            return new Config(2, 5, 4.0, 5e4, 13.8, 120, 400);
        }
    }

    private final Config cfg;
    private final int capacity;
    private final boolean[] active;
    private final int[] id;
    private final byte[] kind;
    private final byte[] state;
    private final int[] hits;
    private final int[] misses;
    private final float[] confidence;
    private final long[] timeNanos;
    private final double[][] x;  // [track][4]
    private final double[][] p;  // [track][16] row-major covariance
    private final boolean[] matched;
    /** Tracks a tip seen near them took over from (see {@link #update}): they coast unseen until matched again. */
    private final boolean[] hidden;
    private final int[] detectionTrack;
    private final boolean[] reportLostOnce;
    private int nextId = 1;
    // scratch
    private final double[] fp = new double[16];

    public TipTracker(Config config, int capacity) {
        this.cfg = config;
        this.capacity = capacity;
        active = new boolean[capacity];
        id = new int[capacity];
        kind = new byte[capacity];
        state = new byte[capacity];
        hits = new int[capacity];
        misses = new int[capacity];
        confidence = new float[capacity];
        timeNanos = new long[capacity];
        x = new double[capacity][4];
        p = new double[capacity][16];
        matched = new boolean[capacity];
        hidden = new boolean[capacity];
        detectionTrack = new int[Detections.MAX];
        reportLostOnce = new boolean[capacity];
    }

    /** Detections of one frame, in frame pixels. Reused. */
    public static final class Detections {
        public static final int MAX = 8;
        public int count;
        public final float[] x = new float[MAX];
        public final float[] y = new float[MAX];
        public final float[] confidence = new float[MAX];
        public final byte[] kind = new byte[MAX];

        public void clear() {
            count = 0;
        }

        public boolean add(byte k, float px, float py, float conf) {
            if (count == MAX) {
                return false;
            }
            kind[count] = k;
            x[count] = px;
            y[count] = py;
            confidence[count] = conf;
            count++;
            return true;
        }
    }

    /**
     * Advances every track to {@code nowNanos} and folds in the frame's detections. Afterwards
     * {@link #trackOf(int)} says which track each detection went to.
     */
    public void update(Detections d, long nowNanos) {
        for (int t = 0; t < capacity; t++) {
            if (reportLostOnce[t]) { // reported as LOST last frame: forget it now
                reportLostOnce[t] = false;
                active[t] = false;
            }
            matched[t] = false;
            if (active[t]) {
                predict(t, nowNanos);
            }
        }
        for (int k = 0; k < d.count; k++) {
            detectionTrack[k] = -1;
        }
        // greedy association, smallest Mahalanobis distance first
        while (true) {
            double best = cfg.gateChi2();
            int bt = -1;
            int bk = -1;
            for (int t = 0; t < capacity; t++) {
                if (!active[t] || matched[t] || state[t] == Annotations.TRACK_LOST) {
                    continue;
                }
                for (int k = 0; k < d.count; k++) {
                    if (detectionTrack[k] >= 0 || d.kind[k] != kind[t]) {
                        continue;
                    }
                    double dx = d.x[k] - x[t][0];
                    double dy = d.y[k] - x[t][1];
                    if (dx * dx + dy * dy > cfg.maxJumpPx() * cfg.maxJumpPx()) {
                        continue;
                    }
                    double m = mahalanobis2(t, dx, dy);
                    if (m < best) {
                        best = m;
                        bt = t;
                        bk = k;
                    }
                }
            }
            if (bt < 0) {
                break;
            }
            matched[bt] = true;
            hidden[bt] = false;
            detectionTrack[bk] = bt;
            correct(bt, d.x[bk], d.y[bk]);
            hits[bt]++;
            misses[bt] = 0;
            confidence[bt] = 0.6f * confidence[bt] + 0.4f * d.confidence[bk];
            if (hits[bt] >= cfg.confirmHits()) {
                state[bt] = Annotations.TRACK_CONFIRMED;
            }
        }
        for (int t = 0; t < capacity; t++) {
            if (!active[t] || matched[t]) {
                continue;
            }
            misses[t]++;
            confidence[t] *= 0.7f;
            if (state[t] == Annotations.TRACK_TENTATIVE) {
                active[t] = false; // never confirmed: drop quietly
            } else if (misses[t] >= cfg.lostAfterMisses()) {
                state[t] = Annotations.TRACK_LOST;
                reportLostOnce[t] = true;
            } else {
                state[t] = Annotations.TRACK_COASTING;
            }
        }
        for (int k = 0; k < d.count; k++) {
            boolean started = detectionTrack[k] < 0;
            if (started) {
                detectionTrack[k] = start(d.kind[k], d.x[k], d.y[k], d.confidence[k], nowNanos);
            }
            hideTracksTakenOver(d, k, started);
        }
    }

    /**
     * The track of detection {@code k} (new, {@code started}, or matched) takes over from the tracks of its kind within
     * {@code maxJumpPx} that nothing matched this frame: the instrument is where it was seen, not where they were.
     * A scanner's frames repeated by a faster capture card move a tip 25-35 px in one frame after still ones (the
     * real clip at 60 fps), past a still track's gate (about 17 px), and the old track went on being drawn as an
     * unsure ghost at the old place for up to {@code lostAfterMisses} frames beside the new one (29 of the clip's 448
     * frames showed two tips); a tip flipping between two places kept two tracks, each drawn coasting while the other
     * was seen. The tracks taken over still coast unseen and are shown again if a detection comes back into their
     * gate (keeping their history); a new track takes the id of the nearest it took over from, so the instrument
     * keeps its id (and its alerts, kept per tip id, are not raised again); everything else is as before:
     * association, confirmation, confidence. At most one track of such a pair is drawn: the one seen hides the other.
     */
    private void hideTracksTakenOver(Detections d, int k, boolean started) {
        int taker = detectionTrack[k];
        if (taker < 0) {
            return;
        }
        double maxJump2 = cfg.maxJumpPx() * cfg.maxJumpPx();
        double nearest = Double.POSITIVE_INFINITY;
        for (int t = 0; t < capacity; t++) {
            if (t == taker || !active[t] || matched[t] || kind[t] != d.kind[k]
                    || state[t] == Annotations.TRACK_TENTATIVE) {
                continue;
            }
            double dx = d.x[k] - x[t][0];
            double dy = d.y[k] - x[t][1];
            double d2 = dx * dx + dy * dy;
            if (d2 <= maxJump2) {
                hidden[t] = true;
                if (started && d2 < nearest) {
                    // the same instrument: its alerts (kept per tip id) go on instead of being raised again
                    nearest = d2;
                    id[taker] = id[t];
                }
            }
        }
    }

    /** Forgets every track at once (another scene: nothing tracked in the last one is reported, lost or otherwise). */
    public void clear() {
        java.util.Arrays.fill(active, false);
        java.util.Arrays.fill(reportLostOnce, false);
    }

    /** Track slot the detection {@code k} of the last update went to (-1 when no slot was free). */
    public int trackOf(int k) {
        return detectionTrack[k];
    }

    /** Writes every live track (and those lost this frame) into {@code out}'s tips, but those taken over. */
    public void writeTips(Annotations out) {
        for (int t = 0; t < capacity; t++) {
            if (active[t] && !hidden[t]) {
                out.addTip(id[t], kind[t], state[t], (float) x[t][0], (float) x[t][1], (float) x[t][2], (float) x[t][3],
                        shownConfidence(t));
            }
        }
    }

    /**
     * The confidence the track's tip is shown with: its own, times the share of its confirmation it has; while it
     * coasts, half its (decaying) own. A coasting tip is a prediction with nothing seen in this frame, so it stays
     * under {@link Annotations#LOW_CONFIDENCE} however sure the track was: drawn as unsure and raising no alert of its
     * own (an alert it raised before is held for the alert's hold time). At 0.7 of the last confidence a sure
     * track's first coasting frame had been shown as sure, on a frame where the needle was gone.
     */
    public float shownConfidence(int track) {
        float c = confidence[track];
        return switch (state[track]) {
            case Annotations.TRACK_TENTATIVE -> c * Math.min(1f, (float) hits[track] / cfg.confirmHits());
            case Annotations.TRACK_COASTING, Annotations.TRACK_LOST -> 0.5f * c;
            default -> c;
        };
    }

    public int idOf(int track) { return id[track]; }
    public boolean active(int track) { return active[track]; }
    public byte stateOf(int track) { return state[track]; }
    public float xOf(int track) { return (float) x[track][0]; }
    public float yOf(int track) { return (float) x[track][1]; }
    public float vxOf(int track) { return (float) x[track][2]; }
    public float vyOf(int track) { return (float) x[track][3]; }
    public int capacity() { return capacity; }

    private int start(byte k, float zx, float zy, float conf, long nowNanos) {
        for (int t = 0; t < capacity; t++) {
            if (!active[t]) {
                active[t] = true;
                hidden[t] = false;
                id[t] = nextId++;
                kind[t] = k;
                state[t] = cfg.confirmHits() <= 1 ? Annotations.TRACK_CONFIRMED : Annotations.TRACK_TENTATIVE;
                hits[t] = 1;
                misses[t] = 0;
                confidence[t] = conf;
                timeNanos[t] = nowNanos;
                double[] s = x[t];
                s[0] = zx;
                s[1] = zy;
                s[2] = 0;
                s[3] = 0;
                double[] c = p[t];
                java.util.Arrays.fill(c, 0);
                double r2 = cfg.measurementNoisePx() * cfg.measurementNoisePx();
                double v2 = cfg.initialSpeedSigma() * cfg.initialSpeedSigma();
                c[0] = r2;
                c[5] = r2;
                c[10] = v2;
                c[15] = v2;
                return t;
            }
        }
        return -1;
    }

    /** x = F x; P = F P F' + Q for a constant-velocity model with white-noise acceleration. */
    private void predict(int t, long nowNanos) {
        double dt = (nowNanos - timeNanos[t]) / 1e9;
        timeNanos[t] = nowNanos;
        if (dt <= 0) {
            return;
        }
        double[] s = x[t];
        s[0] += dt * s[2];
        s[1] += dt * s[3];
        double[] c = p[t];
        // F P: rows 0,1 gain dt * rows 2,3
        for (int j = 0; j < 4; j++) {
            fp[j] = c[j] + dt * c[8 + j];
            fp[4 + j] = c[4 + j] + dt * c[12 + j];
            fp[8 + j] = c[8 + j];
            fp[12 + j] = c[12 + j];
        }
        // (F P) F': columns 0,1 gain dt * columns 2,3
        for (int i = 0; i < 4; i++) {
            c[i * 4] = fp[i * 4] + dt * fp[i * 4 + 2];
            c[i * 4 + 1] = fp[i * 4 + 1] + dt * fp[i * 4 + 3];
            c[i * 4 + 2] = fp[i * 4 + 2];
            c[i * 4 + 3] = fp[i * 4 + 3];
        }
        double q = cfg.accelerationNoise();
        double dt2 = dt * dt;
        double q11 = q * dt2 * dt / 3;
        double q13 = q * dt2 / 2;
        double q33 = q * dt;
        c[0] += q11;
        c[5] += q11;
        c[2] += q13;
        c[8] += q13;
        c[7] += q13;
        c[13] += q13;
        c[10] += q33;
        c[15] += q33;
    }

    private double mahalanobis2(int t, double dx, double dy) {
        double[] c = p[t];
        double r2 = cfg.measurementNoisePx() * cfg.measurementNoisePx();
        double s00 = c[0] + r2;
        double s01 = c[1];
        double s11 = c[5] + r2;
        double det = s00 * s11 - s01 * s01;
        return (s11 * dx * dx - 2 * s01 * dx * dy + s00 * dy * dy) / det;
    }

    /** Kalman update with a position measurement (H = [I 0]). */
    private void correct(int t, double zx, double zy) {
        double[] s = x[t];
        double[] c = p[t];
        double r2 = cfg.measurementNoisePx() * cfg.measurementNoisePx();
        double s00 = c[0] + r2;
        double s01 = c[1];
        double s10 = c[4];
        double s11 = c[5] + r2;
        double det = s00 * s11 - s01 * s10;
        double i00 = s11 / det;
        double i01 = -s01 / det;
        double i10 = -s10 / det;
        double i11 = s00 / det;
        double yx = zx - s[0];
        double yy = zy - s[1];
        // K = P H' S^-1: rows i, columns from P's first two columns
        double[] k = fp; // reuse scratch: K is 4x2, stored k[i*2 + j]
        for (int i = 0; i < 4; i++) {
            double pi0 = c[i * 4];
            double pi1 = c[i * 4 + 1];
            k[i * 2] = pi0 * i00 + pi1 * i10;
            k[i * 2 + 1] = pi0 * i01 + pi1 * i11;
        }
        for (int i = 0; i < 4; i++) {
            s[i] += k[i * 2] * yx + k[i * 2 + 1] * yy;
        }
        // P = (I - K H) P: row i minus K[i,0] * row 0 minus K[i,1] * row 1 (rows 0 and 1 read before change)
        double r00 = c[0], r01 = c[1], r02 = c[2], r03 = c[3];
        double r10 = c[4], r11 = c[5], r12 = c[6], r13 = c[7];
        for (int i = 0; i < 4; i++) {
            double k0 = k[i * 2];
            double k1 = k[i * 2 + 1];
            c[i * 4] -= k0 * r00 + k1 * r10;
            c[i * 4 + 1] -= k0 * r01 + k1 * r11;
            c[i * 4 + 2] -= k0 * r02 + k1 * r12;
            c[i * 4 + 3] -= k0 * r03 + k1 * r13;
        }
    }
}
