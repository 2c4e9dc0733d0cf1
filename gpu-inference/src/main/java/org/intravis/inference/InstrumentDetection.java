package org.intravis.inference;

/**
 * One instrument found in one frame, in the coordinates of the image it was found in: where its shaft enters
 * (the end nearer the border it comes from) and its tip, with a confidence. Mutable and reused.
 */
public final class InstrumentDetection {
    public boolean found;
    public byte kind;
    public float tipX;
    public float tipY;
    public float entryX;
    public float entryY;
    public float confidence;
    /** Whether the tip was moved onto the tip heat map's peak. */
    public boolean refined;
    /** Peak of the tip heat map near the tip (0 when there is no tip channel). */
    public float tipPeak;

    public void clear() {
        found = false;
        refined = false;
        confidence = 0;
        tipPeak = 0;
    }

    public void set(byte instrumentKind, float ex, float ey, float tx, float ty, float conf) {
        found = true;
        kind = instrumentKind;
        entryX = ex;
        entryY = ey;
        tipX = tx;
        tipY = ty;
        confidence = conf;
    }

    @Override
    public String toString() {
        return found ? "InstrumentDetection{kind=" + kind + ", entry=(" + entryX + "," + entryY + "), tip=(" + tipX
                + "," + tipY + "), conf=" + confidence + (refined ? ", refined" : "") + "}" : "InstrumentDetection{none}";
    }
}
