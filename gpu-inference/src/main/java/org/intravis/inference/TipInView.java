package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * Whether a needle's tip is in view: a tip on the picture's border is where the picture ends, not where the needle
 * does (its shaft goes on out of view, or the network took the end of a reflector crossing the picture for a tip), so
 * such a needle is shown as unsure (no alert), never dropped. On the 1.2.4 model's evaluation sets no needle's sure tip
 * lay on the border; straight reflectors crossing the picture from the B-mode simulation did (ultrasound model card,
 * "What fails"). The picture is the content crop's box in frame pixels, or the whole frame.
 */
public final class TipInView {
    /** How near the border (share of the picture's larger side) a tip counts as on it. */
    static final double BORDER_SHARE = 0.01;

    private TipInView() {
    }

    /**
     * Shows {@code d} (frame pixels) as unsure when its tip lies on the border of the picture: {@code box} over a
     * {@code frameW} x {@code frameH} frame (null or whole: the frame). Returns whether it did.
     */
    public static boolean demoteTipOnBorder(InstrumentDetection d, ContentBox box, int frameW, int frameH) {
        if (!d.found || d.confidence < Annotations.LOW_CONFIDENCE) {
            return false;
        }
        boolean whole = box == null || box.isWhole();
        double left = whole ? 0 : (double) box.x0() * frameW / box.grid();
        double top = whole ? 0 : (double) box.y0() * frameH / box.grid();
        double right = whole ? frameW - 1 : (double) box.x1() * frameW / box.grid() - 1;
        double bottom = whole ? frameH - 1 : (double) box.y1() * frameH / box.grid() - 1;
        double near = BORDER_SHARE * Math.max(right - left, bottom - top);
        if (EntryRule.borderDistance(left, top, right, bottom, d.tipX, d.tipY) > near) {
            return false;
        }
        // under the line whatever it was: halved, as a tentative track's, and never at it
        d.confidence = Math.min(d.confidence * 0.5f, Math.nextDown((float) Annotations.LOW_CONFIDENCE));
        return true;
    }
}
