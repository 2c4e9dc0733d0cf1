package org.intravis.inference;

/**
 * Which end of an instrument is its tip: instruments enter the image from a border, so the end nearer a border is
 * where the shaft comes in, and the tip is the end farther from <em>that</em> border.
 */
public final class EntryRule {
    private EntryRule() {
    }

    /** Distance of (x,y) to the nearest border of a {@code w x h} image (pixel centres at whole coordinates). */
    public static double borderDistance(int w, int h, double x, double y) {
        return Math.min(Math.min(x, y), Math.min(w - 1 - x, h - 1 - y));
    }

    /** Whether end A (rather than end B) is where the instrument enters. */
    public static boolean aIsEntry(int w, int h, double ax, double ay, double bx, double by) {
        double da = borderDistance(w, h, ax, ay);
        double db = borderDistance(w, h, bx, by);
        boolean aNearer = da <= db;
        double ex = aNearer ? ax : bx;
        double ey = aNearer ? ay : by;
        int side = nearestSide(w, h, ex, ey);
        double fromSideA = distanceToSide(w, h, side, ax, ay);
        double fromSideB = distanceToSide(w, h, side, bx, by);
        if (fromSideA == fromSideB) {
            return aNearer;
        }
        return fromSideA < fromSideB; // the tip is the end farther from the border the shaft enters from
    }

    /** 0 left, 1 top, 2 right, 3 bottom. */
    static int nearestSide(int w, int h, double x, double y) {
        int best = 0;
        double bestDistance = x;
        for (int side = 1; side < 4; side++) {
            double d = distanceToSide(w, h, side, x, y);
            if (d < bestDistance) {
                bestDistance = d;
                best = side;
            }
        }
        return best;
    }

    static double distanceToSide(int w, int h, int side, double x, double y) {
        return switch (side) {
            case 0 -> x;
            case 1 -> y;
            case 2 -> w - 1 - x;
            default -> h - 1 - y;
        };
    }
}
