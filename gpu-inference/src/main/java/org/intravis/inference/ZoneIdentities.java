package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * Gives each segmented zone of a stream an identity that lasts while it is in view: a zone takes the id of the zone
 * of its class it overlaps most (bounding boxes, IoU at least {@link #MIN_IOU}) among those seen in the last
 * {@link #MEMORY} inferences, else a new id. Without it the ids were 1, 2, 3... in scan order each frame, so a vessel
 * was renamed whenever a zone above it came or went (clients drawing, recording or talking about "vessel 3" could
 * not follow one). Drawn no-go zones keep the ids the surgeon's zones have. Worker thread only; no allocation.
 */
final class ZoneIdentities {
    /** Overlap of bounding boxes for a zone to be taken as the same one as in an earlier frame. */
    static final double MIN_IOU = 0.2;
    /** Inferences a zone out of view keeps its identity for (a zone missed for a frame or two is not new). */
    static final int MEMORY = 5;
    private static final int TRACKS = 2 * Annotations.MAX_ZONES;

    private final byte[] trackClass = new byte[TRACKS];
    private final int[] trackId = new int[TRACKS];
    private final long[] trackSeen = new long[TRACKS]; // inference number; 0: free
    private final float[] trackBox = new float[TRACKS * 4];
    private final boolean[] trackTaken = new boolean[TRACKS];
    private final float[] box = new float[4];
    private int nextId = 1;
    private long inference;

    /** Rewrites the ids of {@code a}'s segmented zones (call before drawn zones are added; drawn ones are skipped). */
    void assign(Annotations a) {
        inference++;
        java.util.Arrays.fill(trackTaken, false);
        for (int z = 0; z < a.zoneCount(); z++) {
            if (a.zoneDrawn[z]) {
                continue;
            }
            bounds(a, z, box);
            int best = -1;
            double bestIou = MIN_IOU;
            for (int t = 0; t < TRACKS; t++) {
                if (trackSeen[t] == 0 || trackTaken[t] || trackClass[t] != a.zoneClass[z]
                        || inference - trackSeen[t] > MEMORY) {
                    continue;
                }
                double iou = iou(trackBox, t * 4, box);
                if (iou >= bestIou) {
                    bestIou = iou;
                    best = t;
                }
            }
            if (best < 0) {
                best = freeTrack();
                trackClass[best] = a.zoneClass[z];
                trackId[best] = nextId++;
            }
            trackTaken[best] = true;
            trackSeen[best] = inference;
            System.arraycopy(box, 0, trackBox, best * 4, 4);
            a.zoneId[z] = trackId[best];
        }
    }

    /** Forgets every zone seen (another scene: its zones get new ids). */
    void clear() {
        java.util.Arrays.fill(trackSeen, 0);
    }

    /** A free slot, or the one seen longest ago. */
    private int freeTrack() {
        int oldest = 0;
        for (int t = 0; t < TRACKS; t++) {
            if (trackSeen[t] == 0 || inference - trackSeen[t] > MEMORY) {
                return t;
            }
            if (!trackTaken[t] && (trackTaken[oldest] || trackSeen[t] < trackSeen[oldest])) {
                oldest = t;
            }
        }
        return oldest;
    }

    private static void bounds(Annotations a, int z, float[] out) {
        float x0 = Float.MAX_VALUE;
        float y0 = Float.MAX_VALUE;
        float x1 = -Float.MAX_VALUE;
        float y1 = -Float.MAX_VALUE;
        int from = a.zonePointOffset[z];
        for (int p = from; p < from + a.zonePointCount[z]; p++) {
            float x = a.points[2 * p];
            float y = a.points[2 * p + 1];
            x0 = Math.min(x0, x);
            y0 = Math.min(y0, y);
            x1 = Math.max(x1, x);
            y1 = Math.max(y1, y);
        }
        out[0] = x0;
        out[1] = y0;
        out[2] = x1;
        out[3] = y1;
    }

    private static double iou(float[] boxes, int i, float[] b) {
        double w = Math.min(boxes[i + 2], b[2]) - Math.max(boxes[i], b[0]);
        double h = Math.min(boxes[i + 3], b[3]) - Math.max(boxes[i + 1], b[1]);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double inter = w * h;
        double union = (double) (boxes[i + 2] - boxes[i]) * (boxes[i + 3] - boxes[i + 1])
                + (double) (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
