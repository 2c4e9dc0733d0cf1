package org.intravis.inference;

import java.util.Arrays;

/**
 * A surgeon-drawn no-go polygon on one stream, in frame pixels.
 *
 * @param id        stable id (unique within the store)
 * @param streamId  the stream it belongs to
 * @param label     what the surgeon called it (may be empty)
 * @param points    vertices {@code [[x,y],...]}, at least three
 * @param createdAt epoch milliseconds
 */
public record NoGoZone(int id, String streamId, String label, double[][] points, long createdAt) {
    public NoGoZone {
        label = label == null ? "" : label;
        points = copy(points);
    }

    private static double[][] copy(double[][] pts) {
        if (pts == null) {
            return new double[0][];
        }
        double[][] out = new double[pts.length][];
        for (int i = 0; i < pts.length; i++) {
            out[i] = pts[i] == null ? null : pts[i].clone();
        }
        return out;
    }

    @Override
    public double[][] points() {
        return copy(points);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoGoZone z && z.id == id && z.streamId.equals(streamId) && z.label.equals(label)
                && z.createdAt == createdAt && Arrays.deepEquals(z.points, points);
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(id) * 31 + streamId.hashCode();
    }

    @Override
    public String toString() {
        return "NoGoZone{" + id + " on " + streamId + " '" + label + "' " + Arrays.deepToString(points) + "}";
    }
}
