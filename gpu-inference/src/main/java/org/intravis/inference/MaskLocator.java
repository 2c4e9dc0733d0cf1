package org.intravis.inference;

/**
 * What the mask-based locators share: the instrument's channel thresholded into a binary mask (or a ground-truth
 * mask copied in), its largest connected component, the tip heat map's peak search, and the limits that scale with
 * the resolution (at 256 px: at least 10 pixels, a tip searched for within 8 px). Subclasses fit the instrument to
 * the mask in {@link #fit}.
 */
abstract class MaskLocator implements InstrumentLocator {
    protected final int w;
    protected final int h;
    /** The mask of the current call: 1 (or non-zero) where the instrument is. */
    protected final byte[] mask;
    protected final LargestComponent component;
    protected final TipPeak peak = new TipPeak();
    /** Resolution relative to the 256 px the limits are set at. */
    protected final double scale;
    protected final int minPixels;
    protected final float tipRadius;
    /** The picture's outermost pixel centres in this grid ({@link #picture}): the whole grid until told. */
    protected double pictureLeft;
    protected double pictureTop;
    protected double pictureRight;
    protected double pictureBottom;
    /** The share of the grid the picture fills, each way. */
    protected double pictureWidthShare = 1;
    protected double pictureHeightShare = 1;

    MaskLocator(int width, int height) {
        this.w = width;
        this.h = height;
        this.mask = new byte[width * height];
        this.component = new LargestComponent(width, height);
        this.scale = Math.max(width, height) / 256.0;
        this.minPixels = (int) Math.max(4, Math.round(10 * scale * scale));
        this.tipRadius = (float) (8 * scale);
        picture(null);
    }

    @Override
    public void picture(ContentBox box) {
        boolean whole = box == null || box.isWhole();
        double sx = whole ? 0 : (double) w / box.grid();
        double sy = whole ? 0 : (double) h / box.grid();
        pictureLeft = whole ? 0 : box.x0() * sx;
        pictureTop = whole ? 0 : box.y0() * sy;
        pictureRight = whole ? w - 1 : Math.max(pictureLeft, box.x1() * sx - 1);
        pictureBottom = whole ? h - 1 : Math.max(pictureTop, box.y1() * sy - 1);
        pictureWidthShare = whole ? 1 : (double) (box.x1() - box.x0()) / box.grid();
        pictureHeightShare = whole ? 1 : (double) (box.y1() - box.y0()) / box.grid();
    }

    @Override
    public final boolean locate(float[] probs, int maskOffset, double threshold, int tipOffset, double tipThreshold,
                                InstrumentDetection out) {
        int n = w * h;
        for (int i = 0; i < n; i++) {
            mask[i] = probs[maskOffset + i] > threshold ? (byte) 1 : 0;
        }
        return fit(probs, maskOffset, tipOffset, tipThreshold, out);
    }

    @Override
    public final boolean locateInMask(byte[] binary, InstrumentDetection out) {
        System.arraycopy(binary, 0, mask, 0, w * h);
        return fit(null, 0, -1, 0, out);
    }

    /**
     * Fits the instrument to {@link #mask}; {@code probs} is null for a ground-truth mask (every pixel weighs 1),
     * else the planes with the mask's channel at {@code offset}. Returns whether one was found.
     */
    abstract boolean fit(float[] probs, int offset, int tipOffset, double tipThreshold, InstrumentDetection out);

    /**
     * The tip map's verdict on the tip found from the mask ({@code out}'s tip, with {@link #peak} searched near it):
     * when the peak is strong enough and {@code agrees} with the instrument's shape, the tip moves onto it and the
     * confidence is the mean of mask and peak; otherwise the confidence is their product, so an instrument the tip
     * map does not confirm is shown as low confidence and raises no alert unless the peak is strong.
     */
    protected final void confirmTip(boolean agrees, double tipThreshold, double meanProb, InstrumentDetection out) {
        out.tipPeak = peak.value;
        if (peak.value >= tipThreshold && agrees) {
            out.tipX = peak.x;
            out.tipY = peak.y;
            out.refined = true;
            out.confidence = (float) ((meanProb + peak.value) / 2);
        } else {
            out.confidence = (float) (meanProb * peak.value);
        }
    }

    public final int width() {
        return w;
    }

    public final int height() {
        return h;
    }
}
