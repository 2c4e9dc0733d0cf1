package org.intravis.inference;

/**
 * Which end of an instrument is its tip: instruments enter the picture from a border, so the end nearer a border is
 * where the shaft comes in and the other end is the tip; for an in-plane ultrasound needle, its deeper end where the
 * shaft drops ({@link #aIsEntryInPlane}). The borders are the picture's: the whole image's, or the rectangle the
 * picture fills inside a larger capture frame (its outermost pixel centres, {@code left..right} by
 * {@code top..bottom}).
 */
public final class EntryRule {
    /** Least drop in depth per unit of shaft length for depth to decide an in-plane needle's entry (sin 5 deg). */
    private static final double MIN_DESCENT = Math.sin(Math.toRadians(5));

    private EntryRule() {
    }

    /** Distance of (x,y) to the nearest border of the rectangle {@code left..right} by {@code top..bottom}. */
    public static double borderDistance(double left, double top, double right, double bottom, double x, double y) {
        return Math.min(Math.min(x - left, y - top), Math.min(right - x, bottom - y));
    }

    /**
     * Whether end A (rather than end B) is where the instrument enters the picture {@code left..right, top..bottom}: the
     * end nearer a border (A on a tie). (Measuring both ends from the entry end's nearest side instead gives the same
     * answer always: that end's distance to its side is its border distance, the other end's is at least its own.)
     */
    public static boolean aIsEntry(double left, double top, double right, double bottom, double ax, double ay, double bx,
                                   double by) {
        return borderDistance(left, top, right, bottom, ax, ay) <= borderDistance(left, top, right, bottom, bx, by);
    }

    /**
     * Whether end A (rather than end B) is where an in-plane ultrasound needle enters the picture: it enters under the
     * probe (the picture's top) or through its side and only goes deeper as it advances, so where the shaft drops at
     * least {@code 5} degrees the shallower end is the entry; a flatter shaft's ends are judged by
     * {@link #aIsEntry}. (The border rule alone took shallow needles, 8 to 12 degrees, whose deep end lies near the
     * opposite side the wrong way round: they drop more than 5 degrees, so their depth decides.)
     */
    public static boolean aIsEntryInPlane(double left, double top, double right, double bottom, double ax, double ay,
                                          double bx, double by) {
        if (Math.abs(by - ay) >= MIN_DESCENT * Math.hypot(bx - ax, by - ay)) {
            return ay < by;
        }
        return aIsEntry(left, top, right, bottom, ax, ay, bx, by);
    }
}
