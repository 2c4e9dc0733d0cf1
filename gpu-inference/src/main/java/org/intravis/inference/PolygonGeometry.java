package org.intravis.inference;

/**
 * Point and segment geometry against polygons stored packed as {@code x0,y0,x1,y1,...} in a float array (the
 * layout of {@link org.intravis.pipeline.Annotations#points}). Polygons are closed implicitly. Allocation-free.
 */
public final class PolygonGeometry {
    private PolygonGeometry() {
    }

    /** Even-odd rule: whether (x,y) lies inside the polygon of {@code count} points starting at point {@code first}. */
    public static boolean contains(float[] xy, int first, int count, double x, double y) {
        boolean inside = false;
        for (int i = 0, j = count - 1; i < count; j = i++) {
            double xi = xy[(first + i) * 2];
            double yi = xy[(first + i) * 2 + 1];
            double xj = xy[(first + j) * 2];
            double yj = xy[(first + j) * 2 + 1];
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
                inside = !inside;
            }
        }
        return inside;
    }

    /** Distance from (x,y) to the polygon's boundary, negative when the point is inside (zero on the boundary). */
    public static double signedDistance(float[] xy, int first, int count, double x, double y) {
        double best = Double.MAX_VALUE;
        for (int i = 0, j = count - 1; i < count; j = i++) {
            double d = pointSegmentDistance(x, y, xy[(first + j) * 2], xy[(first + j) * 2 + 1],
                    xy[(first + i) * 2], xy[(first + i) * 2 + 1]);
            if (d < best) {
                best = d;
            }
        }
        return contains(xy, first, count, x, y) ? -best : best;
    }

    public static double pointSegmentDistance(double px, double py, double ax, double ay, double bx, double by) {
        double dx = bx - ax;
        double dy = by - ay;
        double len2 = dx * dx + dy * dy;
        double t = len2 == 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / len2;
        t = t < 0 ? 0 : (t > 1 ? 1 : t);
        double cx = ax + t * dx - px;
        double cy = ay + t * dy - py;
        return Math.sqrt(cx * cx + cy * cy);
    }

    /**
     * Where the segment (x0,y0)→(x1,y1) first enters the polygon, as a fraction 0..1 of its length: 0 when it
     * starts inside, -1 when it never enters.
     */
    public static double entryFraction(float[] xy, int first, int count, double x0, double y0, double x1, double y1) {
        if (contains(xy, first, count, x0, y0)) {
            return 0;
        }
        double rx = x1 - x0;
        double ry = y1 - y0;
        if (rx == 0 && ry == 0) {
            return -1;
        }
        double best = 2;
        for (int i = 0, j = count - 1; i < count; j = i++) {
            double ax = xy[(first + j) * 2];
            double ay = xy[(first + j) * 2 + 1];
            double sx = xy[(first + i) * 2] - ax;
            double sy = xy[(first + i) * 2 + 1] - ay;
            double denom = rx * sy - ry * sx;
            if (denom == 0) {
                continue; // parallel: touching along an edge counts when an adjacent edge is crossed
            }
            double qx = ax - x0;
            double qy = ay - y0;
            double t = (qx * sy - qy * sx) / denom; // along the segment
            double u = (qx * ry - qy * rx) / denom; // along the edge
            if (t >= 0 && t <= 1 && u >= 0 && u <= 1 && t < best) {
                best = t;
            }
        }
        return best <= 1 ? best : -1;
    }
}
