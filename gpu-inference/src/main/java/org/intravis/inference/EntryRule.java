package org.intravis.inference;

/**
 * Which end of an instrument is its tip: instruments enter the picture from a border, so the end nearer a border is
 * where the shaft comes in, and the tip is the end farther from <em>that</em> border. The borders are the picture's:
 * the whole image's, or the rectangle the picture fills inside a larger capture frame (its outermost pixel centres,
 * {@code left..right} by {@code top..bottom}).
 */
public final class EntryRule {
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
