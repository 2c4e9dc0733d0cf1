package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * Risk of each tracked tip against each zone of a frame (segmented vessels and nerves, surgeon-drawn no-go
 * polygons): signed distance in pixels and millimetres (NaN when the pixel spacing is unknown), whether and when
 * the current trajectory enters the zone within the look-ahead, and alerts with hysteresis.
 * <p>
 * Alerts are kept per tip and per zone key: the class for segmented zones (the nearest vessel, the nearest nerve:
 * their polygons are re-segmented every frame and have no identity of their own) and the zone for drawn ones. Each
 * alert keeps a stable id from the moment it rises above NONE until it falls back. Allocation-free; one instance
 * per stream, used by one thread.
 */
public final class RiskAssessor {
    private static final int MAX_STATES = 64;
    private static final int MAX_OBSERVATIONS = 128;
    private static final int DRAWN_KEY = 1 << 16;

    private final AlertSettings cfg;
    private long nextAlertId = 1;

    // alert state per (tip, zone key)
    private final boolean[] live = new boolean[MAX_STATES];
    private final int[] stTip = new int[MAX_STATES];
    private final int[] stKey = new int[MAX_STATES];
    private final byte[] stLevel = new byte[MAX_STATES];
    private final byte[] stKind = new byte[MAX_STATES];
    private final byte[] stClass = new byte[MAX_STATES];
    private final long[] stId = new long[MAX_STATES];
    private final long[] stJustified = new long[MAX_STATES];
    private final int[] stZone = new int[MAX_STATES];
    private final float[] stMm = new float[MAX_STATES];
    private final float[] stPx = new float[MAX_STATES];
    private final boolean[] stSeen = new boolean[MAX_STATES];

    // this frame's observations per (tip, key): nearest zone and earliest entry
    private int observations;
    private final int[] obTip = new int[MAX_OBSERVATIONS];
    private final int[] obKey = new int[MAX_OBSERVATIONS];
    private final byte[] obClass = new byte[MAX_OBSERVATIONS];
    private final int[] obZone = new int[MAX_OBSERVATIONS];
    private final float[] obPx = new float[MAX_OBSERVATIONS];
    private final float[] obMm = new float[MAX_OBSERVATIONS];
    private final float[] obEnterMs = new float[MAX_OBSERVATIONS];

    public RiskAssessor(AlertSettings settings) {
        this.cfg = settings;
    }

    /**
     * Ends every alert at once, without its hold (another scene: what raised them is not in the picture any more).
     */
    public void clear() {
        java.util.Arrays.fill(live, false);
    }

    /**
     * Adds distances and alerts to {@code a}, whose tips and zones are already filled in.
     *
     * @param pixelSpacingMm millimetres per frame pixel, 0 when unknown
     * @param nowNanos       the frame's time on the stream's {@link FrameClock} (hold times run on frame time)
     */
    public void assess(Annotations a, double pixelSpacingMm, long nowNanos) {
        observations = 0;
        boolean mm = pixelSpacingMm > 0;
        double lookSeconds = cfg.lookAheadMillis() / 1000.0;
        for (int i = 0; i < a.tipCount(); i++) {
            if (a.tipState[i] == Annotations.TRACK_LOST) {
                continue;
            }
            boolean alerting = (a.tipState[i] == Annotations.TRACK_CONFIRMED || a.tipState[i] == Annotations.TRACK_COASTING)
                    && a.tipConfidence[i] >= cfg.minTipConfidence();
            double x0 = a.tipX[i];
            double y0 = a.tipY[i];
            double x1 = x0 + a.tipVx[i] * lookSeconds;
            double y1 = y0 + a.tipVy[i] * lookSeconds;
            for (int z = 0; z < a.zoneCount(); z++) {
                int first = a.zonePointOffset[z];
                int count = a.zonePointCount[z];
                if (count < 3) {
                    continue;
                }
                double px = PolygonGeometry.signedDistance(a.points, first, count, x0, y0);
                float dmm = mm ? (float) (px * pixelSpacingMm) : Float.NaN;
                double f = PolygonGeometry.entryFraction(a.points, first, count, x0, y0, x1, y1);
                float enterMs = f < 0 ? -1f : (float) (f * cfg.lookAheadMillis());
                a.addDistance(a.tipId[i], z, (float) px, dmm, enterMs);
                if (alerting) {
                    observe(a.tipId[i], a.zoneDrawn[z] ? DRAWN_KEY | a.zoneId[z] : a.zoneClass[z], a.zoneClass[z], z,
                            (float) px, dmm, enterMs);
                }
            }
        }
        for (int s = 0; s < MAX_STATES; s++) {
            stSeen[s] = false;
        }
        for (int o = 0; o < observations; o++) {
            int s = stateFor(obTip[o], obKey[o]);
            if (s >= 0) {
                stSeen[s] = true;
                step(s, true, obPx[o], obMm[o], obEnterMs[o], mm, nowNanos);
                stZone[s] = obZone[o];
                stClass[s] = obClass[o];
            }
        }
        for (int s = 0; s < MAX_STATES; s++) {
            if (live[s] && !stSeen[s]) {
                stZone[s] = -1;
                step(s, false, Float.NaN, Float.NaN, -1, mm, nowNanos);
            }
        }
        for (int s = 0; s < MAX_STATES; s++) {
            if (live[s] && stLevel[s] > Annotations.ALERT_NONE) {
                a.addAlert(stId[s], stLevel[s], stKind[s], stTip[s], stZone[s], stClass[s], stMm[s], stPx[s]);
            }
        }
    }

    /** Keeps, per (tip, key), the nearest zone and the earliest trajectory entry. */
    private void observe(int tip, int key, byte zoneClass, int zone, float px, float dmm, float enterMs) {
        for (int o = 0; o < observations; o++) {
            if (obTip[o] == tip && obKey[o] == key) {
                if (px < obPx[o]) {
                    obPx[o] = px;
                    obMm[o] = dmm;
                    obZone[o] = zone;
                }
                if (enterMs >= 0 && (obEnterMs[o] < 0 || enterMs < obEnterMs[o])) {
                    obEnterMs[o] = enterMs;
                }
                return;
            }
        }
        if (observations == MAX_OBSERVATIONS) {
            return;
        }
        int o = observations++;
        obTip[o] = tip;
        obKey[o] = key;
        obClass[o] = zoneClass;
        obZone[o] = zone;
        obPx[o] = px;
        obMm[o] = dmm;
        obEnterMs[o] = enterMs;
    }

    private int stateFor(int tip, int key) {
        int free = -1;
        for (int s = 0; s < MAX_STATES; s++) {
            if (live[s]) {
                if (stTip[s] == tip && stKey[s] == key) {
                    return s;
                }
            } else if (free < 0) {
                free = s;
            }
        }
        if (free >= 0) {
            live[free] = true;
            stTip[free] = tip;
            stKey[free] = key;
            stLevel[free] = Annotations.ALERT_NONE;
            stKind[free] = Annotations.ALERT_KIND_PROXIMITY;
            stId[free] = 0;
            stJustified[free] = 0;
        }
        return free;
    }

    /** One frame of the hysteresis state machine of alert state {@code s}. */
    private void step(int s, boolean present, float px, float dmm, float enterMs, boolean mm, long now) {
        double value = !present ? Double.POSITIVE_INFINITY : (mm ? dmm : px);
        boolean inside = present && px <= 0;
        boolean trajectory = present && enterMs >= 0;
        byte byDistance = inside ? Annotations.ALERT_CRITICAL : level(value, mm, false);
        byte raw = byDistance;
        byte keep = inside ? Annotations.ALERT_CRITICAL : level(value, mm, true);
        if (trajectory) {
            raw = (byte) Math.max(raw, cfg.trajectoryLevel());
            keep = (byte) Math.max(keep, cfg.trajectoryLevel());
        }
        byte current = stLevel[s];
        if (raw >= current && raw > Annotations.ALERT_NONE) {
            if (current == Annotations.ALERT_NONE) {
                stId[s] = nextAlertId++;
            }
            stLevel[s] = raw;
            stJustified[s] = now;
        } else if (keep >= current && current > Annotations.ALERT_NONE) {
            stJustified[s] = now;
        } else if (current > Annotations.ALERT_NONE && now - stJustified[s] >= cfg.holdMillis() * 1_000_000L) {
            stLevel[s] = keep;
            stJustified[s] = now;
        }
        if (present) {
            stPx[s] = px;
            stMm[s] = dmm;
            stKind[s] = inside ? Annotations.ALERT_KIND_INSIDE
                    : (trajectory && byDistance < cfg.trajectoryLevel() ? Annotations.ALERT_KIND_TRAJECTORY
                    : Annotations.ALERT_KIND_PROXIMITY);
        }
        if (stLevel[s] == Annotations.ALERT_NONE) {
            live[s] = false;
        }
    }

    /** Level for a distance: by entry thresholds, or by exit thresholds (entry + hysteresis) when keeping one. */
    private byte level(double d, boolean mm, boolean keeping) {
        double hyst = keeping ? (mm ? cfg.hysteresisMm() : cfg.hysteresisPx()) : 0;
        if (d <= (mm ? cfg.criticalMm() : cfg.criticalPx()) + hyst) {
            return Annotations.ALERT_CRITICAL;
        }
        if (d <= (mm ? cfg.warningMm() : cfg.warningPx()) + hyst) {
            return Annotations.ALERT_WARNING;
        }
        if (d <= (mm ? cfg.cautionMm() : cfg.cautionPx()) + hyst) {
            return Annotations.ALERT_CAUTION;
        }
        return Annotations.ALERT_NONE;
    }
}
