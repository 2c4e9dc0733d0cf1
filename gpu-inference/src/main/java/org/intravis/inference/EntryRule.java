package org.intravis.inference;

/**
 * Which end of an instrument is its tip: instruments enter the picture from a border, so the end nearer a border is
 * where the shaft comes in, and the tip is the end farther from <em>that</em> border; for an in-plane ultrasound
 * needle, its deeper end where the shaft drops ({@link #aIsEntryInPlane}). The borders are the picture's:
 * the whole image's, or the rectangle the picture fills inside a larger capture frame (its outermost pixel centres,
 * {@code left..right} by {@code top..bottom}).
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

    /** Whether end A (rather than end B) is where the instrument enters the picture {@code left..right, top..bottom}. */
    public static boolean aIsEntry(double left, double top, double right, double bottom, double ax, double ay, double bx,
                                   double by) {
        double da = borderDistance(left, top, right, bottom, ax, ay);
        double db = borderDistance(left, top, right, bottom, bx, by);
        boolean aNearer = da <= db;
        double ex = aNearer ? ax : bx;
        double ey = aNearer ? ay : by;
        int side = 0;
        double nearest = Double.MAX_VALUE;
        for (int s = 0; s < 4; s++) {
            double d = distanceToSide(left, top, right, bottom, s, ex, ey);
            if (d < nearest) {
                nearest = d;
                side = s;
            }
        }
        double fromSideA = distanceToSide(left, top, right, bottom, side, ax, ay);
        double fromSideB = distanceToSide(left, top, right, bottom, side, bx, by);
        if (fromSideA == fromSideB) {
            return aNearer;
        }
        return fromSideA < fromSideB; // the tip is the end farther from the border the shaft enters from
    }

    /**
     * Whether end A (rather than end B) is where an in-plane ultrasound needle enters the picture: it enters under the
     * probe (the picture's top) or through its side and only goes deeper as it advances, so where the shaft drops at
     * least {@code 5} degrees the shallower end is the entry; a flatter shaft's ends are judged by
     * {@link #aIsEntry}. (The border rule alone takes the far part of a flat needle lying near the opposite side the
     * wrong way round.)
     */
    public static boolean aIsEntryInPlane(double left, double top, double right, double bottom, double ax, double ay,
                                          double bx, double by) {
        if (Math.abs(by - ay) >= MIN_DESCENT * Math.hypot(bx - ax, by - ay)) {
            return ay < by;
        }
        return aIsEntry(left, top, right, bottom, ax, ay, bx, by);
    }

    /** Side 0 left, 1 top, 2 right, 3 bottom. */
    static double distanceToSide(double left, double top, double right, double bottom, int side, double x, double y) {
        return switch (side) {
            case 0 -> x - left;
            case 1 -> y - top;
            case 2 -> right - x;
            default -> bottom - y;
        };
    }
}
