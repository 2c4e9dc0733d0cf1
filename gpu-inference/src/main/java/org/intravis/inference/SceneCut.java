package org.intravis.inference;

/**
 * Tells whether a stream's frame shows the same scene as the stream's frame before it (the model's previous frame
 * of that stream, often several capture frames earlier) or another one: the frame size changed, the frame's time
 * went back or jumped by more than {@link #MAX_GAP_MS} (a replay seek, a reconnected source, inference paused on a
 * live stream), or the picture itself changed (another recording, patient or view): the correlation of
 * {@value #CELLS} x {@value #CELLS} thumbnails of the whole frame under {@link #MIN_CORRELATION}. On a cut what a
 * stream carries over time (tip tracks and their alerts, the zone average, zone ids) starts again, so that nothing
 * seen in one scene is drawn, or alerted on, in another as if it were still there.
 * <p>
 * The threshold is measured (model card, "Scene cuts"): within the real videos here (the needle clip up to 0.5 s
 * apart, the PLUS sweeps 4 frames apart) the thumbnails correlate at 0.90 or more; neighbouring images of the
 * nerve/vessel set (other scans, same scanner and protocol) at 0.85 at most, median 0.44; different scanners about
 * 0. The whole frame, not the model's crop: a sector picture's crop box moves from frame to frame. A flat frame (no
 * picture: a lifted probe) cannot be compared; the scene after it is compared with the last picture before it.
 * <p>
 * The frame's time is the source's presentation time when the source gives one (a paused replay's frames keep
 * theirs; an offline analysis reads frames as fast as the model takes them, so their capture times say nothing),
 * else its capture time.
 * <p>
 * About 16,000 pixel reads a frame; no allocation after construction; one per stream, one thread at a time.
 */
public final class SceneCut {
    /** Thumbnail cells per side. */
    static final int CELLS = 16;
    /** Pixels read per cell along each axis (a regular grid inside the cell). */
    static final int SAMPLES = 8;
    /** Thumbnails correlating less than this show another scene. */
    static final double MIN_CORRELATION = 0.8;
    /** Frames of a stream further apart than this (presentation or capture time) do not continue each other. */
    static final long MAX_GAP_MS = 1000;
    /** A presentation time not known. */
    public static final long NO_PTS = Long.MIN_VALUE;

    private float[] last = new float[CELLS * CELLS];
    private float[] now = new float[CELLS * CELLS];
    private boolean primed;
    private boolean lastValid; // last holds a picture's thumbnail
    private int lastW;
    private int lastH;
    private long lastNanos;
    private long lastPts = NO_PTS;
    private double lastCorrelation = Double.NaN;

    /**
     * Whether this frame starts another scene than the stream's previous frame (the first frame does not).
     *
     * @param pixels     the frame's pixels, or null when they cannot be read (then only size and time are judged)
     * @param ptsMicros  the source's presentation time ({@link org.intravis.pipeline.FrameSlot#sourcePtsMicros}),
     *                   or {@link #NO_PTS}
     */
    public boolean cut(GreyPixels pixels, int width, int height, long capturedNanos, long ptsMicros) {
        boolean valid = pixels != null && thumbnail(pixels, now);
        boolean cut = false;
        lastCorrelation = Double.NaN;
        if (primed) {
            long gapMicros = ptsMicros != NO_PTS && lastPts != NO_PTS ? ptsMicros - lastPts
                    : (capturedNanos - lastNanos) / 1_000;
            cut = width != lastW || height != lastH || gapMicros < 0 || gapMicros > MAX_GAP_MS * 1_000L;
            if (!cut && valid && lastValid) {
                lastCorrelation = correlation(last, now);
                cut = lastCorrelation < MIN_CORRELATION;
            }
        }
        primed = true;
        lastW = width;
        lastH = height;
        lastNanos = capturedNanos;
        lastPts = ptsMicros;
        if (valid) {
            float[] t = last;
            last = now;
            now = t;
            lastValid = true;
        } else if (cut) {
            lastValid = false; // another scene, not yet seen: compare the next picture with nothing
        }
        return cut;
    }

    /** The thumbnails' correlation the last call judged by, NaN when it judged by size or time or could not compare. */
    double lastCorrelation() {
        return lastCorrelation;
    }

    /** Zero-mean, unit-norm thumbnail of cell means into {@code out}; false for a flat frame (nothing to compare). */
    static boolean thumbnail(GreyPixels p, float[] out) {
        int w = p.width();
        int h = p.height();
        if (w < 1 || h < 1) {
            return false;
        }
        int grid = CELLS * SAMPLES;
        double sum = 0;
        for (int cy = 0; cy < CELLS; cy++) {
            for (int cx = 0; cx < CELLS; cx++) {
                float cell = 0;
                for (int sy = 0; sy < SAMPLES; sy++) {
                    int y = (int) (((long) (cy * SAMPLES + sy) * 2 + 1) * h / (2L * grid));
                    for (int sx = 0; sx < SAMPLES; sx++) {
                        int x = (int) (((long) (cx * SAMPLES + sx) * 2 + 1) * w / (2L * grid));
                        cell += p.at(x, y);
                    }
                }
                out[cy * CELLS + cx] = cell;
                sum += cell;
            }
        }
        float mean = (float) (sum / out.length);
        double norm = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] -= mean;
            norm += (double) out[i] * out[i];
        }
        // below about a grey level's spread over the frame there is no picture to compare
        if (norm < (double) out.length * SAMPLES * SAMPLES * SAMPLES * SAMPLES) {
            return false;
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < out.length; i++) {
            out[i] *= inv;
        }
        return true;
    }

    private static double correlation(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
