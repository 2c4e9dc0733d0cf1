package org.intravis.inference;

/**
 * Temporal smoothing of one stream's zone probability maps (vessel, nerve...), in the model's own grid, before
 * they are thresholded into polygons: an exponential moving average, {@code state += weight * (new - state)}, so a
 * pixel that hovers around the threshold stops switching a zone's edge, or a small zone, on and off from frame to
 * frame. It runs on the inference thread, after the model; the video never waits for it. The price is lag: a
 * moving edge is shown about {@code (1 - weight) / weight} inferences late (measured in the model card).
 * <p>
 * The average starts again from the newest map, so that nothing smears from one view into another, when the maps
 * overlap less than {@link Config#resetBelowOverlap} (soft IoU over the zone channels: the probe lifted or moved
 * far), and when its stream says so ({@link #restart}, {@link #restartAfter}): at a scene cut (another frame size,
 * time going back, another picture: {@link SceneCut}) and when frames are more than {@link Config#maxGapMs} apart
 * on the stream's {@link FrameClock} (a frozen or restarted source, a paused stream, a recording's gap).
 * <p>
 * While it is on, the zones also get hysteresis on their area: a zone in view is kept down to
 * {@link #KEEP_AREA_FRACTION} of the smallest area a new zone needs ({@link MaskPolygons}, with the boxes of the
 * regions kept in the frame before, which this class holds per zone channel and forgets when the average starts
 * again); else a small zone whose area hovers around that limit comes and goes, which averaging the maps does not
 * stop.
 * <p>
 * One per stream, used by one thread at a time; its state is allocated at the stream's first frame, nothing after.
 */
public final class ZoneSmoother {
    /** Pixels where neither map reaches this probability are left out of the overlap (background noise). */
    static final float OVERLAP_FLOOR = 0.1f;
    /** Below this much probability mass (in pixels) in both maps there is nothing to smear: no reset. */
    static final double MIN_MASS = 8;
    /** A zone in view is kept down to this fraction of the smallest area a new zone needs. */
    public static final double KEEP_AREA_FRACTION = 0.5;

    /**
     * How zones are smoothed over time.
     *
     * @param weight            weight of the newest map, in (0, 1]; 1 is off (each frame on its own)
     * @param resetBelowOverlap soft IoU of the newest map with the average below which the average restarts
     * @param maxGapMs          frames further apart than this (the stream's frame time) restart the average; 0: never
     */
    public record Config(double weight, double resetBelowOverlap, long maxGapMs) {
        /** Each frame on its own, as before smoothing existed. */
        public static final Config OFF = new Config(1, 0, 0);

        public Config {
            if (!(weight > 0 && weight <= 1)) {
                throw new IllegalArgumentException("zone smoothing weight must be in (0, 1] (1: off), was " + weight);
            }
            if (!(resetBelowOverlap >= 0 && resetBelowOverlap < 1)) {
                throw new IllegalArgumentException("zone smoothing resetBelowOverlap must be in [0, 1), was "
                        + resetBelowOverlap);
            }
            if (maxGapMs < 0) {
                throw new IllegalArgumentException("zone smoothing maxGapMs must not be negative, was " + maxGapMs);
            }
        }

        /**
         * Defaults: the newest map weighs 0.5 (about one inference of lag), restart below a soft IoU of 0.5 or
         * after 1 s without a frame.
         */
        public static Config defaults() {
            return new Config(0.5, 0.5, 1000);
        }

        public boolean on() {
            return weight < 1;
        }

    }

    private final Config cfg;
    private final float weight;
    private float[] state;
    private int[][] kept;
    private boolean primed;
    private double lastOverlap = 1;
    private long restarts;

    public ZoneSmoother(Config cfg) {
        this.cfg = cfg;
        this.weight = (float) cfg.weight();
    }

    public Config config() {
        return cfg;
    }

    /** Makes the next frame start the average afresh (another scene, told by the stream's {@link SceneCut}). */
    public void restart() {
        primed = false;
    }

    /**
     * Makes the next frame start the average afresh when it comes more than {@link Config#maxGapMs} after the one
     * before ({@code stepNanos}: the stream's {@link FrameClock} step); returns whether it will.
     */
    public boolean restartAfter(long stepNanos) {
        boolean gap = cfg.maxGapMs() > 0 && stepNanos > cfg.maxGapMs() * 1_000_000L;
        if (gap) {
            restart();
        }
        return gap;
    }

    /**
     * Smooths the zone planes of {@code probs} in place (each {@code plane} floats at {@code channels[z] * plane})
     * and returns whether they changed: false when smoothing is off or the average restarted from this frame.
     */
    public boolean smooth(float[] probs, int[] channels, int plane) {
        if (!cfg.on() || channels.length == 0) {
            return false;
        }
        if (state == null || state.length != channels.length * plane) {
            state = new float[channels.length * plane]; // once, at the stream's first frame
            kept = new int[channels.length][];
            for (int z = 0; z < channels.length; z++) {
                kept[z] = MaskPolygons.keptBoxes();
            }
            primed = false;
        }
        boolean restart = !primed;
        if (!restart) {
            lastOverlap = overlap(probs, channels, plane);
            restart = lastOverlap < cfg.resetBelowOverlap();
        } else {
            lastOverlap = 0;
        }
        if (restart) {
            for (int z = 0; z < channels.length; z++) {
                System.arraycopy(probs, channels[z] * plane, state, z * plane, plane);
                kept[z][0] = 0; // nothing in view continues into another view
            }
            primed = true;
            restarts++;
            return false;
        }
        for (int z = 0; z < channels.length; z++) {
            int p = channels[z] * plane;
            int s = z * plane;
            for (int i = 0; i < plane; i++, p++, s++) {
                float v = state[s] + weight * (probs[p] - state[s]);
                state[s] = v;
                probs[p] = v;
            }
        }
        return true;
    }

    /**
     * What was kept of the {@code z}th zone channel in the frame before ({@link MaskPolygons}'s hysteresis reads and
     * rewrites it); {@code null} while off or before the first frame.
     */
    public int[] kept(int z) {
        return kept == null ? null : kept[z];
    }

    /** Soft IoU of the newest maps with the average (1 when both are all but empty). */
    private double overlap(float[] probs, int[] channels, int plane) {
        double inter = 0;
        double union = 0;
        for (int z = 0; z < channels.length; z++) {
            int p = channels[z] * plane;
            int s = z * plane;
            for (int i = 0; i < plane; i++, p++, s++) {
                float a = probs[p];
                float b = state[s];
                float hi = Math.max(a, b);
                if (hi >= OVERLAP_FLOOR) {
                    inter += Math.min(a, b);
                    union += hi;
                }
            }
        }
        return union < MIN_MASS ? 1 : inter / union;
    }

    /** Soft IoU of the last frame with the average before it (0 when it was told to restart). */
    double lastOverlap() {
        return lastOverlap;
    }

    /** Times the average started again (the first frame included). */
    long restarts() {
        return restarts;
    }
}
