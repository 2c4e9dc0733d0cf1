package org.intravis.pipeline;

/**
 * What a synthetic source knows to be in its frame: the instrument tip and shaft, and a label map
 * (0 background, {@link #LABEL_NERVE}, {@link #LABEL_VESSEL}, {@link #LABEL_INSTRUMENT}) at frame resolution.
 * Preallocated per slot only for sources that publish it; demos, tests and evaluation compare against it.
 */
public final class GroundTruth {
    public static final byte LABEL_BACKGROUND = 0;
    public static final byte LABEL_NERVE = 1;
    public static final byte LABEL_VESSEL = 2;
    public static final byte LABEL_INSTRUMENT = 3;

    private final byte[] labels;
    private boolean present;
    private int width;
    private int height;
    private boolean instrumentVisible;
    private byte instrumentKind;
    private float tipX;
    private float tipY;
    private float entryX;
    private float entryY;

    /** A holder able to take label maps of up to {@code maxPixels} pixels (0 for sources without ground truth). */
    public GroundTruth(int maxPixels) {
        labels = new byte[maxPixels];
    }

    public boolean present() { return present; }
    public int width() { return width; }
    public int height() { return height; }
    public int capacity() { return labels.length; }

    /** The label map, row-major, {@code width * height} bytes are valid. */
    public byte[] labels() { return labels; }

    public boolean instrumentVisible() { return instrumentVisible; }
    public byte instrumentKind() { return instrumentKind; }
    public float tipX() { return tipX; }
    public float tipY() { return tipY; }
    /** Where the instrument enters the image (the shaft's far end from the tip). */
    public float entryX() { return entryX; }
    public float entryY() { return entryY; }

    /** Marks the label map as describing a {@code width x height} frame; the writer fills {@link #labels()}. */
    public void begin(int w, int h) {
        if ((long) w * h > labels.length) {
            throw new IllegalArgumentException("label map " + w + "x" + h + " exceeds capacity " + labels.length);
        }
        width = w;
        height = h;
        present = true;
        instrumentVisible = false;
    }

    public void instrument(byte kind, float entryXpx, float entryYpx, float tipXpx, float tipYpx) {
        instrumentVisible = true;
        instrumentKind = kind;
        entryX = entryXpx;
        entryY = entryYpx;
        tipX = tipXpx;
        tipY = tipYpx;
    }

    public void clear() {
        present = false;
        instrumentVisible = false;
    }

    public void copyFrom(GroundTruth o) {
        present = o.present;
        if (!present) {
            return;
        }
        width = o.width;
        height = o.height;
        System.arraycopy(o.labels, 0, labels, 0, width * height);
        instrumentVisible = o.instrumentVisible;
        instrumentKind = o.instrumentKind;
        tipX = o.tipX;
        tipY = o.tipY;
        entryX = o.entryX;
        entryY = o.entryY;
    }
}
