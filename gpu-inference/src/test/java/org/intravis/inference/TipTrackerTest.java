package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TipTrackerTest {
    private static final long FRAME = 33_333_333L; // 30 fps
    private static final long FRAME_60 = 16_666_667L;
    private static final byte NEEDLE = Annotations.INSTRUMENT_NEEDLE;

    private static TipTracker tracker(int lostAfter) {
        return new TipTracker(new TipTracker.Config(2, lostAfter, 2.0, 5e3, 13.8, 120, 400), 8);
    }

    /** Frames 0-9: one tip from (100, 100) moving right at 3 px a frame (90 px/s); returns its track's id. */
    private static int tenFramesMovingRight(TipTracker t, TipTracker.Detections d) {
        for (int f = 0; f < 10; f++) {
            d.clear();
            d.add(NEEDLE, 100 + 3 * f, 100, 0.9f);
            t.update(d, f * FRAME);
        }
        return t.idOf(t.trackOf(0));
    }

    @Test
    void aMovingTipKeepsOneIdAndItsVelocityIsEstimated() {
        TipTracker t = tracker(3);
        TipTracker.Detections d = new TipTracker.Detections();
        java.util.Random noise = new java.util.Random(3);
        int id = -1;
        for (int f = 0; f < 60; f++) {
            d.clear();
            // 120 px/s to the right, 60 px/s down, with 1 px measurement noise
            d.add(NEEDLE, (float) (100 + 120.0 * f / 30 + noise.nextGaussian()), (float) (50 + 60.0 * f / 30 + noise.nextGaussian()), 0.9f);
            t.update(d, f * FRAME);
            int track = t.trackOf(0);
            if (f == 0) {
                id = t.idOf(track);
                assertThat(t.stateOf(track)).isEqualTo(Annotations.TRACK_TENTATIVE);
            } else {
                assertThat(t.idOf(track)).isEqualTo(id);
                assertThat(t.stateOf(track)).isEqualTo(Annotations.TRACK_CONFIRMED);
            }
        }
        int track = t.trackOf(0);
        assertThat(t.vxOf(track)).isCloseTo(120f, within(15f));
        assertThat(t.vyOf(track)).isCloseTo(60f, within(15f));
        assertThat(t.xOf(track)).isCloseTo(100f + 120f * 59 / 30, within(2f));
        Annotations a = new Annotations();
        t.writeTips(a);
        assertThat(a.tipCount()).isEqualTo(1);
        assertThat(a.tipId[0]).isEqualTo(id);
        assertThat(a.tipVx[0]).isCloseTo(120f, within(15f));
    }

    @Test
    void aTrackCoastsWhileMissedAndIsLostAfterNMisses() {
        TipTracker t = tracker(3);
        TipTracker.Detections d = new TipTracker.Detections();
        int id = tenFramesMovingRight(t, d);
        d.clear();
        Annotations a = new Annotations();
        for (int miss = 1; miss <= 3; miss++) {
            t.update(d, (9 + miss) * FRAME);
            a.clear();
            t.writeTips(a);
            assertThat(a.tipCount()).isEqualTo(1);
            assertThat(a.tipId[0]).isEqualTo(id);
            assertThat(a.tipState[0]).isEqualTo(miss < 3 ? Annotations.TRACK_COASTING : Annotations.TRACK_LOST);
            assertThat(a.tipX[0]).isCloseTo(100 + 3 * (9 + miss), within(3f)); // predicted onwards at 90 px/s
            // nothing seen in this frame: shown as unsure however sure the track was (0.9 a frame before the first miss)
            assertThat((double) a.tipConfidence[0]).isLessThan(Annotations.LOW_CONFIDENCE);
        }
        t.update(d, 13 * FRAME);
        a.clear();
        t.writeTips(a);
        assertThat(a.tipCount()).isZero(); // reported LOST once, then forgotten

        d.add(NEEDLE, 140, 100, 0.9f); // it comes back: a new track with a new id
        t.update(d, 14 * FRAME);
        assertThat(t.idOf(t.trackOf(0))).isNotEqualTo(id);
    }

    @Test
    void aCoastingTrackPicksUpAgainWithTheSameId() {
        TipTracker t = tracker(5);
        TipTracker.Detections d = new TipTracker.Detections();
        int id = tenFramesMovingRight(t, d);
        d.clear();
        t.update(d, 10 * FRAME);
        t.update(d, 11 * FRAME);
        d.add(NEEDLE, 136, 100, 0.9f);
        t.update(d, 12 * FRAME);
        assertThat(t.idOf(t.trackOf(0))).isEqualTo(id);
        assertThat(t.stateOf(t.trackOf(0))).isEqualTo(Annotations.TRACK_CONFIRMED);
    }

    @Test
    void twoTipsKeepTheirIdsAndAFarJumpIsANewTrack() {
        TipTracker t = tracker(3);
        TipTracker.Detections d = new TipTracker.Detections();
        int idA = -1;
        int idB = -1;
        for (int f = 0; f < 20; f++) {
            d.clear();
            // listed in alternating order to check association is by position, not by order
            if (f % 2 == 0) {
                d.add(NEEDLE, 50 + 2 * f, 50, 0.9f);
                d.add(NEEDLE, 200 - 2 * f, 200, 0.8f);
            } else {
                d.add(NEEDLE, 200 - 2 * f, 200, 0.8f);
                d.add(NEEDLE, 50 + 2 * f, 50, 0.9f);
            }
            t.update(d, f * FRAME);
            int a = f % 2 == 0 ? 0 : 1;
            int b = 1 - a;
            if (f == 0) {
                idA = t.idOf(t.trackOf(a));
                idB = t.idOf(t.trackOf(b));
                assertThat(idA).isNotEqualTo(idB);
            } else {
                assertThat(t.idOf(t.trackOf(a))).isEqualTo(idA);
                assertThat(t.idOf(t.trackOf(b))).isEqualTo(idB);
            }
        }
        d.clear();
        d.add(NEEDLE, 88 + 250, 50, 0.9f); // 250 px away from A's prediction: outside the gate
        t.update(d, 20 * FRAME);
        assertThat(t.idOf(t.trackOf(0))).isNotIn(idA, idB);
    }

    @Test
    void aTentativeTrackThatMissesIsDroppedQuietly() {
        TipTracker t = tracker(3);
        TipTracker.Detections d = new TipTracker.Detections();
        d.add(NEEDLE, 10, 10, 0.5f);
        t.update(d, 0);
        d.clear();
        t.update(d, FRAME);
        Annotations a = new Annotations();
        t.writeTips(a);
        assertThat(a.tipCount()).isZero();
    }

    @Test
    void aTipSeenOnceIsShownAtHalfItsConfidenceUntilASecondFrameConfirmsIt() {
        TipTracker t = tracker(3); // confirmed after 2 hits
        TipTracker.Detections d = new TipTracker.Detections();
        d.add(NEEDLE, 100, 100, 0.9f);
        t.update(d, 0);
        int track = t.trackOf(0);
        assertThat(t.stateOf(track)).isEqualTo(Annotations.TRACK_TENTATIVE);
        assertThat(t.shownConfidence(track)).isCloseTo(0.45f, within(1e-6f)); // below the low mark: no alert yet
        Annotations a = new Annotations();
        t.writeTips(a);
        assertThat(a.tipConfidence[0]).isCloseTo(0.45f, within(1e-6f));
        d.clear();
        d.add(NEEDLE, 103, 100, 0.8f);
        t.update(d, FRAME);
        assertThat(t.stateOf(track)).isEqualTo(Annotations.TRACK_CONFIRMED);
        assertThat(t.shownConfidence(track)).isCloseTo(0.6f * 0.9f + 0.4f * 0.8f, within(1e-6f));
    }

    /** Twenty still frames of a sure tip at (500, 180), 60 fps, with the default tuning; returns its track. */
    private static int stillSureTip(TipTracker t, TipTracker.Detections d) {
        for (int f = 0; f < 20; f++) {
            d.clear();
            d.add(NEEDLE, 500, 180, 0.9f);
            t.update(d, f * FRAME_60);
        }
        return t.trackOf(0);
    }

    @Test
    void aTipThatJumpsPastItsGateLeavesNoGhostBehind() {
        // the real clip: a slower scanner's frames repeated by a 60 fps capture, so the needle's tip stands still for
        // frames and then moves ~30 px in one, past a still track's gate
        TipTracker t = new TipTracker(TipTracker.Config.defaults(), 8);
        TipTracker.Detections d = new TipTracker.Detections();
        int old = stillSureTip(t, d);
        d.clear();
        d.add(NEEDLE, 529, 172, 0.8f);
        t.update(d, 20 * FRAME_60);
        int jumped = t.trackOf(0);
        assertThat(jumped).isNotEqualTo(old);
        assertThat(t.shownConfidence(jumped)).isCloseTo(0.4f, within(1e-6f)); // a new track: not yet sure
        // but the same instrument: its id (and with it its alerts, kept per tip id) goes on
        assertThat(t.idOf(jumped)).isEqualTo(t.idOf(old));
        Annotations a = new Annotations();
        t.writeTips(a);
        assertThat(a.tipCount()).isEqualTo(1); // no unsure ghost of the old track coasting at (500, 180)
        assertThat(a.tipX[0]).isCloseTo(529f, within(0.01f));
        assertThat(a.tipY[0]).isCloseTo(172f, within(0.01f));
        d.clear();
        d.add(NEEDLE, 530, 172, 0.8f);
        t.update(d, 21 * FRAME_60);
        assertThat(t.trackOf(0)).isEqualTo(jumped);
        assertThat(t.shownConfidence(jumped)).isCloseTo(0.8f, within(1e-6f));
        a = new Annotations();
        t.writeTips(a);
        assertThat(a.tipCount()).isEqualTo(1);
    }

    @Test
    void aTipThatFlipsBackIsItsOldTrackAgain() {
        TipTracker t = new TipTracker(TipTracker.Config.defaults(), 8);
        TipTracker.Detections d = new TipTracker.Detections();
        int old = stillSureTip(t, d);
        int id = t.idOf(old);
        d.clear();
        d.add(NEEDLE, 529, 172, 0.8f); // a flash 30 px away: a new track, the old one unseen
        t.update(d, 20 * FRAME_60);
        d.clear();
        d.add(NEEDLE, 500, 180, 0.9f); // back where it was
        t.update(d, 21 * FRAME_60);
        assertThat(t.idOf(t.trackOf(0))).isEqualTo(id);
        Annotations a = new Annotations();
        t.writeTips(a);
        assertThat(a.tipCount()).isEqualTo(1); // the flash's track dropped quietly, the old one shown again
        assertThat(a.tipId[0]).isEqualTo(id);
        assertThat(a.tipState[0]).isEqualTo(Annotations.TRACK_CONFIRMED);
    }

    @Test
    void aTipFlippingBetweenTwoPlacesIsDrawnOnceWhereItIsSeen() {
        // the mirrored clip: the tip found alternately at two places along the shaft, each with a confirmed track
        TipTracker t = new TipTracker(TipTracker.Config.defaults(), 8);
        TipTracker.Detections d = new TipTracker.Detections();
        int a = t.idOf(stillSureTip(t, d));
        float[][] seen = {{529, 172}, {529, 172}, {500, 180}, {529, 172}, {500, 180}};
        for (int f = 0; f < seen.length; f++) {
            d.clear();
            d.add(NEEDLE, seen[f][0], seen[f][1], 0.8f);
            t.update(d, (20 + f) * FRAME_60);
            Annotations shown = new Annotations();
            t.writeTips(shown);
            assertThat(shown.tipCount()).as("frame %d", f).isEqualTo(1);
            assertThat(shown.tipX[0]).as("frame %d", f).isCloseTo(seen[f][0], within(0.01f));
        }
        assertThat(t.idOf(t.trackOf(0))).isEqualTo(a);
    }

    @Test
    void aSureTrackLendsNoConfidenceToAWeakTipThatAppearsNearIt() {
        TipTracker t = new TipTracker(TipTracker.Config.defaults(), 8);
        TipTracker.Detections d = new TipTracker.Detections();
        stillSureTip(t, d);
        for (int f = 20; f < 24; f++) { // the needle fades; a weak line 60 px away is found instead
            d.clear();
            d.add(NEEDLE, 560, 180, 0.3f);
            t.update(d, f * FRAME_60);
            Annotations a = new Annotations();
            t.writeTips(a);
            for (int i = 0; i < a.tipCount(); i++) {
                assertThat(a.tipConfidence[i]).as("frame %d", f).isLessThan((float) Annotations.LOW_CONFIDENCE);
            }
        }
    }

    /**
     * The tracker's filter is the textbook Kalman filter of its model (constant velocity, white-noise acceleration,
     * position measured): its state matches one written out with plain 4 x 4 matrices at every frame, with uneven
     * frame intervals (30, 60 and 20 fps) and a missed frame, to float precision. Gain or covariance faults that leave
     * a tip roughly right but smoothed wrongly fail here.
     */
    @Test
    void itsFilterIsTheTextbookKalmanFilterOfItsModel() {
        TipTracker.Config cfg = TipTracker.Config.defaults();
        TipTracker t = new TipTracker(cfg, 4);
        TipTracker.Detections d = new TipTracker.Detections();
        java.util.Random noise = new java.util.Random(11);
        long[] steps = {FRAME, FRAME_60, 50_000_000L};
        double r2 = cfg.measurementNoisePx() * cfg.measurementNoisePx();
        double v2 = cfg.initialSpeedSigma() * cfg.initialSpeedSigma();
        double[] xs = null;
        double[][] ps = null;
        long now = 0;
        long last = 0;
        for (int f = 0; f < 40; f++) {
            now += f == 0 ? 0 : steps[f % 3];
            double sec = now / 1e9;
            double zx = 100 + 150 * sec + 40 * sec * sec + 2 * noise.nextGaussian();
            double zy = 200 - 80 * sec + 2 * noise.nextGaussian();
            boolean seen = f != 20;
            d.clear();
            if (seen) {
                d.add(NEEDLE, (float) zx, (float) zy, 0.9f);
            }
            t.update(d, now);
            if (f == 0) {
                xs = new double[] {(float) zx, (float) zy, 0, 0};
                ps = new double[][] {{r2, 0, 0, 0}, {0, r2, 0, 0}, {0, 0, v2, 0}, {0, 0, 0, v2}};
            } else {
                double dt = (now - last) / 1e9;
                double[][] fm = {{1, 0, dt, 0}, {0, 1, 0, dt}, {0, 0, 1, 0}, {0, 0, 0, 1}};
                double q = cfg.accelerationNoise();
                double a = q * dt * dt * dt / 3;
                double b = q * dt * dt / 2;
                double c = q * dt;
                double[][] qm = {{a, 0, b, 0}, {0, a, 0, b}, {b, 0, c, 0}, {0, b, 0, c}};
                xs = times(fm, xs);
                ps = plus(times(times(fm, ps), transpose(fm)), qm);
                if (seen) {
                    double[][] sm = {{ps[0][0] + r2, ps[0][1]}, {ps[1][0], ps[1][1] + r2}};
                    double det = sm[0][0] * sm[1][1] - sm[0][1] * sm[1][0];
                    double[][] si = {{sm[1][1] / det, -sm[0][1] / det}, {-sm[1][0] / det, sm[0][0] / det}};
                    double[][] k = new double[4][2];
                    for (int i = 0; i < 4; i++) {
                        for (int j = 0; j < 2; j++) {
                            k[i][j] = ps[i][0] * si[0][j] + ps[i][1] * si[1][j];
                        }
                    }
                    double yx = (float) zx - xs[0];
                    double yy = (float) zy - xs[1];
                    double[][] ikh = new double[4][4];
                    for (int i = 0; i < 4; i++) {
                        xs[i] += k[i][0] * yx + k[i][1] * yy;
                        ikh[i][i] = 1;
                        ikh[i][0] -= k[i][0];
                        ikh[i][1] -= k[i][1];
                    }
                    ps = times(ikh, ps);
                }
            }
            last = now;
            int track = seen ? t.trackOf(0) : 0;
            assertThat(t.active(track)).isTrue();
            assertThat(t.xOf(track)).as("frame %d x", f).isCloseTo((float) xs[0], within(1e-3f));
            assertThat(t.yOf(track)).as("frame %d y", f).isCloseTo((float) xs[1], within(1e-3f));
            assertThat(t.vxOf(track)).as("frame %d vx", f).isCloseTo((float) xs[2], within(1e-3f));
            assertThat(t.vyOf(track)).as("frame %d vy", f).isCloseTo((float) xs[3], within(1e-3f));
        }
        assertThat(t.stateOf(t.trackOf(0))).isEqualTo(Annotations.TRACK_CONFIRMED);
    }

    private static double[] times(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < v.length; j++) {
                out[i] += m[i][j] * v[j];
            }
        }
        return out;
    }

    private static double[][] times(double[][] a, double[][] b) {
        double[][] out = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                for (int k = 0; k < b.length; k++) {
                    out[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return out;
    }

    private static double[][] transpose(double[][] a) {
        double[][] out = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                out[j][i] = a[i][j];
            }
        }
        return out;
    }

    private static double[][] plus(double[][] a, double[][] b) {
        double[][] out = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                out[i][j] = a[i][j] + b[i][j];
            }
        }
        return out;
    }
}
