package org.intravis.streamer;

import org.intravis.pipeline.Annotations;

/**
 * Turns consecutive annotation sets into alert events: {@code raise} for an alert id not active before,
 * {@code update} when an active alert changes level or kind, {@code clear} when it is gone. When the model
 * fails or nothing is known any more, every active alert is cleared with a reason (the system no longer knows;
 * the page shows the AI badge instead of a stale alert). Runs on the stream's inference worker thread; fixed
 * arrays, no allocation. Public for the other protocols that send alert events (OpenIGTLink's STRING messages).
 */
public final class AlertTracker {

    /** Receives each event (all values are copies; nothing refers back into the annotations). */
    public interface Emitter {
        void emit(String event, String reason, long id, int level, int kind, int tip, int zoneId, int zoneIndex,
                  int zoneClass, float mm, float px, long frameId, long captureEpochMicros);
    }

    public static final String RAISE = "raise";
    public static final String UPDATE = "update";
    public static final String CLEAR = "clear";

    private int count;
    private final long[] id = new long[Annotations.MAX_ALERTS];
    private final byte[] level = new byte[Annotations.MAX_ALERTS];
    private final byte[] kind = new byte[Annotations.MAX_ALERTS];
    private final int[] tip = new int[Annotations.MAX_ALERTS];
    private final int[] zoneId = new int[Annotations.MAX_ALERTS];
    private final int[] zoneIndex = new int[Annotations.MAX_ALERTS];
    private final byte[] zoneClass = new byte[Annotations.MAX_ALERTS];
    private final float[] mm = new float[Annotations.MAX_ALERTS];
    private final float[] px = new float[Annotations.MAX_ALERTS];
    private final boolean[] seen = new boolean[Annotations.MAX_ALERTS];

    /** Number of alerts currently active. */
    int activeCount() {
        return count;
    }

    public void update(Annotations a, Emitter out) {
        if (a.status() != Annotations.Status.VALID) {
            String reason = a.status() == Annotations.Status.FAILED ? "ai-failed" : "ai-unknown";
            for (int i = 0; i < count; i++) {
                out.emit(CLEAR, reason, id[i], level[i], kind[i], tip[i], zoneId[i], zoneIndex[i], zoneClass[i],
                        mm[i], px[i], a.frameId(), a.captureEpochMicros());
            }
            count = 0;
            return;
        }
        int n = a.alertCount();
        for (int i = 0; i < count; i++) {
            seen[i] = false;
        }
        for (int k = 0; k < n; k++) {
            int prev = indexOf(a.alertId[k]);
            int zi = a.alertZoneIndex[k];
            int zid = zi >= 0 && zi < a.zoneCount() ? a.zoneId[zi] : -1;
            if (prev < 0) {
                out.emit(RAISE, null, a.alertId[k], a.alertLevels[k], a.alertKind[k], a.alertTipId[k], zid, zi,
                        a.alertZoneClass[k], a.alertDistanceMm[k], a.alertDistancePx[k], a.frameId(),
                        a.captureEpochMicros());
            } else {
                seen[prev] = true;
                if (level[prev] != a.alertLevels[k] || kind[prev] != a.alertKind[k]) {
                    out.emit(UPDATE, null, a.alertId[k], a.alertLevels[k], a.alertKind[k], a.alertTipId[k], zid, zi,
                            a.alertZoneClass[k], a.alertDistanceMm[k], a.alertDistancePx[k], a.frameId(),
                            a.captureEpochMicros());
                }
            }
        }
        for (int i = 0; i < count; i++) {
            if (!seen[i]) {
                out.emit(CLEAR, null, id[i], level[i], kind[i], tip[i], zoneId[i], zoneIndex[i], zoneClass[i], mm[i],
                        px[i], a.frameId(), a.captureEpochMicros());
            }
        }
        count = n;
        for (int k = 0; k < n; k++) {
            int zi = a.alertZoneIndex[k];
            id[k] = a.alertId[k];
            level[k] = a.alertLevels[k];
            kind[k] = a.alertKind[k];
            tip[k] = a.alertTipId[k];
            zoneIndex[k] = zi;
            zoneId[k] = zi >= 0 && zi < a.zoneCount() ? a.zoneId[zi] : -1;
            zoneClass[k] = a.alertZoneClass[k];
            mm[k] = a.alertDistanceMm[k];
            px[k] = a.alertDistancePx[k];
        }
    }

    private int indexOf(long alertId) {
        for (int i = 0; i < count; i++) {
            if (id[i] == alertId) {
                return i;
            }
        }
        return -1;
    }
}
