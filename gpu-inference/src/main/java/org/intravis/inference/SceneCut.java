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
 * The thumbnail is the mean of an 8 x 8 grid of pixels in each cell, over the whole frame (not the model's crop: a
 * sector picture's crop box moves from frame to frame); the correlation is taken over the cells that are picture in
 * either frame (brighter than the frame's darkest cell by {@value #DARK_CELL_GREY} grey levels), so that the black
 * margins and burned-in graphics every frame of a scanner's capture shares do not make two scans look alike. The
 * threshold is measured (model card, "Scene cuts"): within the real videos here (the needle clip up to 0.5 s apart,
 * the PLUS sweeps 4 frames apart) the thumbnails correlate at 0.80 or more, at 0.95 or more one frame apart;
 * neighbouring images of the nerve/vessel set (other scans, same scanner and protocol) at 0.76 at most, 0.80 when
 * each is letterboxed with the same scanner graphics. A frame with too little picture to compare (a lifted probe:
 * black) is not judged by its picture; the scene after it is compared with the last picture before it.
 * <p>
 * The time between two frames is the stream's {@link FrameClock} step: presentation times when the source gives them
 * (a paused replay's frames keep theirs; an offline analysis reads frames as fast as the model takes them, so their
 * capture times say nothing), else capture times.
 * <p>
 * About 16,000 pixel reads a frame; no allocation after construction; one per stream, one thread at a time.
 */
public final class SceneCut {
    /** Thumbnail cells per side. */
    static final int CELLS = 16;
    /** Pixels read per cell along each axis (a regular grid inside the cell). */
    static final int SAMPLES = 8;
    /** Thumbnails correlating less than this show another scene. */
    static final double MIN_CORRELATION = 0.75;
    /** A cell is picture when its mean is this many grey levels above the frame's darkest cell's. */
    static final float DARK_CELL_GREY = 8;
    /** Picture cells a frame needs to be compared at all. */
    static final int MIN_PICTURE_CELLS = 16;
    /** Frames of a stream further apart than this (presentation or capture time) do not continue each other. */
    static final long MAX_GAP_MS = 1000;

    private float[] last = new float[CELLS * CELLS];
    private float[] now = new float[CELLS * CELLS];
    private boolean primed;
    private boolean lastValid; // last holds a picture's thumbnail
    private int lastW;
    private int lastH;
    private double lastCorrelation = Double.NaN;

    /**
     * Whether this frame starts another scene than the stream's previous frame (the first frame does not).
     *
     * @param pixels    the frame's pixels, or null when they cannot be read (then only size and time are judged)
     * @param stepNanos the time from the stream's previous frame ({@link FrameClock#advance})
     */
    public boolean cut(GreyPixels pixels, int width, int height, long stepNanos) {
        boolean valid = pixels != null && thumbnail(pixels, now);
        boolean cut = false;
        lastCorrelation = Double.NaN;
        if (primed) {
            cut = width != lastW || height != lastH || stepNanos < 0 || stepNanos > MAX_GAP_MS * 1_000_000L;
            if (!cut && valid && lastValid) {
                lastCorrelation = correlation(last, now);
                cut = lastCorrelation < MIN_CORRELATION;
            }
        }
        primed = true;
        lastW = width;
        lastH = height;
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

    /** Cell means of {@code p} into {@code out}; false when the frame has too little picture to compare. */
    static boolean thumbnail(GreyPixels p, float[] out) {
        int w = p.width();
        int h = p.height();
        if (w < 1 || h < 1) {
            return false;
        }
        int grid = CELLS * SAMPLES;
        for (int cy = 0; cy < CELLS; cy++) {
            for (int cx = 0; cx < CELLS; cx++) {
                float cell = 0;
                for (int sy = 0; sy < SAMPLES; sy++) {
                    int y = (int) (((long) (cy * SAMPLES + sy) * 2 + 1) * h / (2L * grid));
                    for (int sx = 0; sx < SAMPLES; sx++) {
                        int x = (int) (((long) (cx * SAMPLES + sx) * 2 + 1) * w / (2L * grid));
                        cell += p.grey(x, y);
                    }
                }
                out[cy * CELLS + cx] = cell / (SAMPLES * SAMPLES);
            }
        }
        // enough picture, varying by at least a grey level, to be told from another
        float dark = darkest(out) + DARK_CELL_GREY;
        int n = 0;
        double sum = 0;
        double squares = 0;
        for (float v : out) {
            if (v > dark) {
                n++;
                sum += v;
                squares += (double) v * v;
            }
        }
        return n >= MIN_PICTURE_CELLS && squares - sum * sum / n >= n;
    }

    /** Pearson's correlation of two thumbnails over the cells that are picture in either. */
    static double correlation(float[] a, float[] b) {
        float darkA = darkest(a) + DARK_CELL_GREY;
        float darkB = darkest(b) + DARK_CELL_GREY;
        int n = 0;
        double sa = 0;
        double sb = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > darkA || b[i] > darkB) {
                n++;
                sa += a[i];
                sb += b[i];
            }
        }
        double ma = sa / n;
        double mb = sb / n;
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > darkA || b[i] > darkB) {
                double x = a[i] - ma;
                double y = b[i] - mb;
                ab += x * y;
                aa += x * x;
                bb += y * y;
            }
        }
        return ab / Math.sqrt(aa * bb);
    }

    private static float darkest(float[] t) {
        float m = Float.MAX_VALUE;
        for (float v : t) {
            m = Math.min(m, v);
        }
        return m;
    }
}
