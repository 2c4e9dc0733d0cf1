package org.intravis.pipeline;

import java.util.Arrays;

/**
 * What the AI said about one frame: tracked instrument tips, instrument lines, risk-zone polygons, tip-to-zone
 * distances, alerts and a small per-class confidence heat map.
 * <p>
 * A fixed-capacity holder, allocated once and rewritten in place (hot-path rule 1): the inference branch owns
 * one per stream and publishes it through an {@link AnnotationExchange}; every {@link FrameSlot} owns one into
 * which the video branch copies the newest completed annotations. Arrays are struct-of-arrays indexed by
 * element; counts say how many entries are live. Strings (model name, version, device) are constants set at
 * start-up and shared by reference, never built per frame.
 */
public final class Annotations {
    public static final int MAX_TIPS = 8;
    public static final int MAX_LINES = 8;
    public static final int MAX_ZONES = 64;
    public static final int MAX_POINTS = 8192;
    public static final int MAX_DISTANCES = 256;
    public static final int MAX_ALERTS = 16;
    public static final int MAX_HEATMAP_CLASSES = 4;
    public static final int MAX_HEATMAP_SIDE = 128;

    /** Whether anything is known about the frame. */
    public enum Status {
        /** No inference has completed yet for this stream: nothing is known. */
        NONE,
        /** The model ran; empty lists mean it found nothing ("nothing found" differs from "nothing known"). */
        VALID,
        /** The model failed on this frame; the previous content must not be shown as current. */
        FAILED
    }

    /** Where the annotations came from. */
    public enum Origin {
        /** A model's inference. */
        MODEL,
        /** A synthetic source's ground truth, shown as a stand-in overlay and labelled as such. */
        GROUND_TRUTH
    }

    // instrument kinds
    public static final byte INSTRUMENT_NEEDLE = 0;
    public static final byte INSTRUMENT_WIRE = 1;
    public static final byte INSTRUMENT_CATHETER = 2;

    // tip track states
    public static final byte TRACK_TENTATIVE = 0;
    public static final byte TRACK_CONFIRMED = 1;
    public static final byte TRACK_COASTING = 2;
    public static final byte TRACK_LOST = 3;

    // zone classes
    public static final byte ZONE_NERVE = 1;
    public static final byte ZONE_VESSEL = 2;
    public static final byte ZONE_NOGO = 3;

    /** Below this confidence an element is drawn and sent as low confidence, and a tip raises no alert. */
    public static final double LOW_CONFIDENCE = 0.5;

    // alert levels, ordered
    public static final byte ALERT_NONE = 0;
    public static final byte ALERT_CAUTION = 1;
    public static final byte ALERT_WARNING = 2;
    public static final byte ALERT_CRITICAL = 3;

    // alert kinds
    public static final byte ALERT_KIND_PROXIMITY = 0;
    public static final byte ALERT_KIND_TRAJECTORY = 1;
    public static final byte ALERT_KIND_INSIDE = 2;

    // ---- header ----
    private Status status = Status.NONE;
    private Origin origin = Origin.MODEL;
    private int streamIndex;
    /** Frame id (source sequence number) of the frame these annotations describe. */
    private long frameId = -1;
    private long captureEpochMicros;
    /** nanoTime stamps: captured (of the source frame), preprocessed, inferred, published. */
    private long capturedNanos;
    private long preprocessedNanos;
    private long inferredNanos;
    private long publishedNanos;
    private int frameWidth;
    private int frameHeight;
    /** Millimetres per pixel, 0 when unknown. */
    private double pixelSpacingMm;
    private String modelName = "";
    private String modelVersion = "";
    private String device = "";
    /**
     * Which of the model's graphs made these annotations ({@code full}, or its cheaper fallback's name when the worker
     * stepped down under load; empty when not a model's); a constant string.
     */
    private String modelVariant = "";
    /**
     * The share of the stream's frames the model was taking when it made these annotations, in words ("1 of 2
     * frames"), when it was paced to leave the CPU to the picture; empty when it takes every frame. A constant string.
     */
    private String modelPace = "";
    /** Rows in the ONNX Runtime batch that produced these annotations. */
    private int batchSize;
    /** Short reason when status is FAILED (a constant string, never built per frame). */
    private String failure = "";

    // ---- tips ----
    private int tipCount;
    public final int[] tipId = new int[MAX_TIPS];
    public final byte[] tipKind = new byte[MAX_TIPS];
    public final byte[] tipState = new byte[MAX_TIPS];
    public final float[] tipX = new float[MAX_TIPS];
    public final float[] tipY = new float[MAX_TIPS];
    /** Velocity in pixels per second. */
    public final float[] tipVx = new float[MAX_TIPS];
    public final float[] tipVy = new float[MAX_TIPS];
    public final float[] tipConfidence = new float[MAX_TIPS];

    // ---- instrument lines (needle shaft, wire segment): from (x1,y1) entry to (x2,y2) tip ----
    private int lineCount;
    public final byte[] lineKind = new byte[MAX_LINES];
    public final int[] lineTipId = new int[MAX_LINES];
    public final float[] lineX1 = new float[MAX_LINES];
    public final float[] lineY1 = new float[MAX_LINES];
    public final float[] lineX2 = new float[MAX_LINES];
    public final float[] lineY2 = new float[MAX_LINES];
    public final float[] lineConfidence = new float[MAX_LINES];

    // ---- zones: polygons by class; points packed x,y in frame pixels ----
    private int zoneCount;
    private int pointCount;
    public final int[] zoneId = new int[MAX_ZONES];
    public final byte[] zoneClass = new byte[MAX_ZONES];
    /** True for surgeon-drawn no-go polygons, false for segmented zones. */
    public final boolean[] zoneDrawn = new boolean[MAX_ZONES];
    public final float[] zoneConfidence = new float[MAX_ZONES];
    public final float[] zoneArea = new float[MAX_ZONES];
    public final int[] zonePointOffset = new int[MAX_ZONES];
    public final int[] zonePointCount = new int[MAX_ZONES];
    public final float[] points = new float[MAX_POINTS * 2];

    // ---- tip-to-zone distances ----
    private int distanceCount;
    public final int[] distTipId = new int[MAX_DISTANCES];
    public final int[] distZoneIndex = new int[MAX_DISTANCES];
    public final float[] distPx = new float[MAX_DISTANCES];
    /** Millimetres, NaN when pixel spacing is unknown. */
    public final float[] distMm = new float[MAX_DISTANCES];
    /** Milliseconds until the current trajectory enters the zone, -1 when it does not within the look-ahead. */
    public final float[] distEnterMs = new float[MAX_DISTANCES];

    // ---- alerts ----
    private int alertCount;
    /** Highest level among the alerts. */
    private byte alertLevel = ALERT_NONE;
    public final long[] alertId = new long[MAX_ALERTS];
    public final byte[] alertLevels = new byte[MAX_ALERTS];
    public final byte[] alertKind = new byte[MAX_ALERTS];
    public final int[] alertTipId = new int[MAX_ALERTS];
    public final int[] alertZoneIndex = new int[MAX_ALERTS];
    public final byte[] alertZoneClass = new byte[MAX_ALERTS];
    public final float[] alertDistanceMm = new float[MAX_ALERTS];
    public final float[] alertDistancePx = new float[MAX_ALERTS];

    // ---- explainability heat map: per-class confidence, 8-bit, row-major, classes stacked ----
    private int heatmapClasses;
    private int heatmapWidth;
    private int heatmapHeight;
    /** Frame id of the frame the heat map was computed on (it is refreshed at a lower rate). */
    private long heatmapFrameId = -1;
    private final String[] heatmapClassNames = new String[MAX_HEATMAP_CLASSES];
    public final byte[] heatmap = new byte[MAX_HEATMAP_CLASSES * MAX_HEATMAP_SIDE * MAX_HEATMAP_SIDE];

    /** Forgets everything: status NONE, all lists empty. */
    public void clear() {
        status = Status.NONE;
        origin = Origin.MODEL;
        frameId = -1;
        captureEpochMicros = 0;
        capturedNanos = preprocessedNanos = inferredNanos = publishedNanos = 0;
        batchSize = 0;
        failure = "";
        modelVariant = "";
        modelPace = "";
        clearResults();
        heatmapClasses = heatmapWidth = heatmapHeight = 0;
        heatmapFrameId = -1;
    }

    /** Empties tips, lines, zones, distances and alerts, keeping the header and the heat map. */
    public void clearResults() {
        tipCount = lineCount = zoneCount = pointCount = distanceCount = alertCount = 0;
        alertLevel = ALERT_NONE;
    }

    // ---- header accessors ----
    public Status status() { return status; }
    public Annotations status(Status s) { this.status = s; return this; }
    public Origin origin() { return origin; }
    public Annotations origin(Origin o) { this.origin = o; return this; }
    public int streamIndex() { return streamIndex; }
    public Annotations streamIndex(int i) { this.streamIndex = i; return this; }
    public long frameId() { return frameId; }
    public Annotations frameId(long id) { this.frameId = id; return this; }
    public long captureEpochMicros() { return captureEpochMicros; }
    public Annotations captureEpochMicros(long t) { this.captureEpochMicros = t; return this; }
    public long capturedNanos() { return capturedNanos; }
    public Annotations capturedNanos(long t) { this.capturedNanos = t; return this; }
    public long preprocessedNanos() { return preprocessedNanos; }
    public Annotations preprocessedNanos(long t) { this.preprocessedNanos = t; return this; }
    public long inferredNanos() { return inferredNanos; }
    public Annotations inferredNanos(long t) { this.inferredNanos = t; return this; }
    public long publishedNanos() { return publishedNanos; }
    public Annotations publishedNanos(long t) { this.publishedNanos = t; return this; }
    public int frameWidth() { return frameWidth; }
    public int frameHeight() { return frameHeight; }
    public Annotations frameSize(int w, int h) { this.frameWidth = w; this.frameHeight = h; return this; }
    public double pixelSpacingMm() { return pixelSpacingMm; }
    public Annotations pixelSpacingMm(double mm) { this.pixelSpacingMm = mm; return this; }
    public String modelName() { return modelName; }
    public String modelVersion() { return modelVersion; }
    public String device() { return device; }
    public Annotations model(String name, String version, String dev) {
        this.modelName = name;
        this.modelVersion = version;
        this.device = dev;
        return this;
    }
    public String modelVariant() { return modelVariant; }
    public Annotations modelVariant(String v) { this.modelVariant = v; return this; }
    public String modelPace() { return modelPace; }
    public Annotations modelPace(String p) { this.modelPace = p; return this; }
    public int batchSize() { return batchSize; }
    public Annotations batchSize(int n) { this.batchSize = n; return this; }
    public String failure() { return failure; }
    public Annotations failure(String reason) { this.failure = reason; return this; }

    // ---- tips ----
    public int tipCount() { return tipCount; }

    /** Appends a tip; returns its index, or -1 when the holder is full (the caller counts that). */
    public int addTip(int id, byte kind, byte state, float x, float y, float vx, float vy, float confidence) {
        if (tipCount == MAX_TIPS) {
            return -1;
        }
        int i = tipCount++;
        tipId[i] = id;
        tipKind[i] = kind;
        tipState[i] = state;
        tipX[i] = x;
        tipY[i] = y;
        tipVx[i] = vx;
        tipVy[i] = vy;
        tipConfidence[i] = confidence;
        return i;
    }

    // ---- lines ----
    public int lineCount() { return lineCount; }

    public int addLine(byte kind, int tipIdRef, float x1, float y1, float x2, float y2, float confidence) {
        if (lineCount == MAX_LINES) {
            return -1;
        }
        int i = lineCount++;
        lineKind[i] = kind;
        lineTipId[i] = tipIdRef;
        lineX1[i] = x1;
        lineY1[i] = y1;
        lineX2[i] = x2;
        lineY2[i] = y2;
        lineConfidence[i] = confidence;
        return i;
    }

    // ---- zones ----
    public int zoneCount() { return zoneCount; }
    public int pointCount() { return pointCount; }

    /**
     * Starts a zone polygon; add its vertices with {@link #addZonePoint}. Returns the zone index, or -1 when
     * the holder is full.
     */
    public int beginZone(int id, byte zoneClassValue, boolean drawn, float confidence, float area) {
        if (zoneCount == MAX_ZONES) {
            return -1;
        }
        int i = zoneCount++;
        zoneId[i] = id;
        zoneClass[i] = zoneClassValue;
        zoneDrawn[i] = drawn;
        zoneConfidence[i] = confidence;
        zoneArea[i] = area;
        zonePointOffset[i] = pointCount;
        zonePointCount[i] = 0;
        return i;
    }

    /** Adds a vertex to the zone begun last; returns false when the point pool is full. */
    public boolean addZonePoint(float x, float y) {
        if (zoneCount == 0 || pointCount == MAX_POINTS) {
            return false;
        }
        points[pointCount * 2] = x;
        points[pointCount * 2 + 1] = y;
        pointCount++;
        zonePointCount[zoneCount - 1]++;
        return true;
    }

    /** Drops the zone begun last (for example when it ended up with fewer than three vertices). */
    public void dropLastZone() {
        if (zoneCount > 0) {
            zoneCount--;
            pointCount = zonePointOffset[zoneCount];
        }
    }

    public float zonePointX(int zone, int k) { return points[(zonePointOffset[zone] + k) * 2]; }
    public float zonePointY(int zone, int k) { return points[(zonePointOffset[zone] + k) * 2 + 1]; }

    // ---- distances ----
    public int distanceCount() { return distanceCount; }

    public int addDistance(int tipIdRef, int zoneIndex, float px, float mm, float enterMs) {
        if (distanceCount == MAX_DISTANCES) {
            return -1;
        }
        int i = distanceCount++;
        distTipId[i] = tipIdRef;
        distZoneIndex[i] = zoneIndex;
        distPx[i] = px;
        distMm[i] = mm;
        distEnterMs[i] = enterMs;
        return i;
    }

    // ---- alerts ----
    public int alertCount() { return alertCount; }
    public byte alertLevel() { return alertLevel; }

    public int addAlert(long id, byte level, byte kind, int tipIdRef, int zoneIndex, byte zoneClassValue,
                        float distanceMm, float distancePx) {
        if (alertCount == MAX_ALERTS) {
            return -1;
        }
        int i = alertCount++;
        alertId[i] = id;
        alertLevels[i] = level;
        alertKind[i] = kind;
        alertTipId[i] = tipIdRef;
        alertZoneIndex[i] = zoneIndex;
        alertZoneClass[i] = zoneClassValue;
        alertDistanceMm[i] = distanceMm;
        alertDistancePx[i] = distancePx;
        if (level > alertLevel) {
            alertLevel = level;
        }
        return i;
    }

    // ---- heat map ----
    public int heatmapClasses() { return heatmapClasses; }
    public int heatmapWidth() { return heatmapWidth; }
    public int heatmapHeight() { return heatmapHeight; }
    public long heatmapFrameId() { return heatmapFrameId; }
    public String heatmapClassName(int c) { return heatmapClassNames[c]; }

    /**
     * Declares the heat map's shape; the caller then writes {@code classes * width * height} bytes into
     * {@link #heatmap}, class-major, row-major, 0..255 meaning confidence 0..1.
     */
    public void heatmapShape(int classes, int width, int height, long sourceFrameId, String... classNames) {
        if (classes > MAX_HEATMAP_CLASSES || width > MAX_HEATMAP_SIDE || height > MAX_HEATMAP_SIDE) {
            throw new IllegalArgumentException("heat map too large: " + classes + "x" + width + "x" + height);
        }
        heatmapClasses = classes;
        heatmapWidth = width;
        heatmapHeight = height;
        heatmapFrameId = sourceFrameId;
        for (int c = 0; c < classes; c++) {
            heatmapClassNames[c] = c < classNames.length ? classNames[c] : "class" + c;
        }
    }

    /** Keeps nothing of the heat map (it is not part of these annotations). */
    public void clearHeatmap() {
        heatmapClasses = heatmapWidth = heatmapHeight = 0;
        heatmapFrameId = -1;
    }

    /** Age of these annotations relative to a frame captured at {@code frameCapturedNanos}, in milliseconds. */
    public long ageMillisAt(long frameCapturedNanos) {
        return status == Status.NONE ? -1 : Math.max(0, (frameCapturedNanos - capturedNanos) / 1_000_000L);
    }

    /**
     * Copies another holder's content into this one without allocating. Counts are clamped to the capacities
     * so that a torn read (see {@link AnnotationExchange}) can never index out of bounds; the exchange then
     * discards such a copy.
     */
    public void copyFrom(Annotations o) {
        status = o.status;
        origin = o.origin;
        streamIndex = o.streamIndex;
        frameId = o.frameId;
        captureEpochMicros = o.captureEpochMicros;
        capturedNanos = o.capturedNanos;
        preprocessedNanos = o.preprocessedNanos;
        inferredNanos = o.inferredNanos;
        publishedNanos = o.publishedNanos;
        frameWidth = o.frameWidth;
        frameHeight = o.frameHeight;
        pixelSpacingMm = o.pixelSpacingMm;
        modelName = o.modelName;
        modelVersion = o.modelVersion;
        device = o.device;
        modelVariant = o.modelVariant;
        modelPace = o.modelPace;
        batchSize = o.batchSize;
        failure = o.failure;

        int n = clamp(o.tipCount, MAX_TIPS);
        tipCount = n;
        System.arraycopy(o.tipId, 0, tipId, 0, n);
        System.arraycopy(o.tipKind, 0, tipKind, 0, n);
        System.arraycopy(o.tipState, 0, tipState, 0, n);
        System.arraycopy(o.tipX, 0, tipX, 0, n);
        System.arraycopy(o.tipY, 0, tipY, 0, n);
        System.arraycopy(o.tipVx, 0, tipVx, 0, n);
        System.arraycopy(o.tipVy, 0, tipVy, 0, n);
        System.arraycopy(o.tipConfidence, 0, tipConfidence, 0, n);

        n = clamp(o.lineCount, MAX_LINES);
        lineCount = n;
        System.arraycopy(o.lineKind, 0, lineKind, 0, n);
        System.arraycopy(o.lineTipId, 0, lineTipId, 0, n);
        System.arraycopy(o.lineX1, 0, lineX1, 0, n);
        System.arraycopy(o.lineY1, 0, lineY1, 0, n);
        System.arraycopy(o.lineX2, 0, lineX2, 0, n);
        System.arraycopy(o.lineY2, 0, lineY2, 0, n);
        System.arraycopy(o.lineConfidence, 0, lineConfidence, 0, n);

        n = clamp(o.zoneCount, MAX_ZONES);
        zoneCount = n;
        System.arraycopy(o.zoneId, 0, zoneId, 0, n);
        System.arraycopy(o.zoneClass, 0, zoneClass, 0, n);
        System.arraycopy(o.zoneDrawn, 0, zoneDrawn, 0, n);
        System.arraycopy(o.zoneConfidence, 0, zoneConfidence, 0, n);
        System.arraycopy(o.zoneArea, 0, zoneArea, 0, n);
        System.arraycopy(o.zonePointOffset, 0, zonePointOffset, 0, n);
        System.arraycopy(o.zonePointCount, 0, zonePointCount, 0, n);
        int p = clamp(o.pointCount, MAX_POINTS);
        pointCount = p;
        System.arraycopy(o.points, 0, points, 0, p * 2);
        for (int z = 0; z < n; z++) { // keep every zone inside the copied point pool, even on a torn read
            zonePointOffset[z] = clamp(zonePointOffset[z], p);
            zonePointCount[z] = clamp(zonePointCount[z], p - zonePointOffset[z]);
        }

        n = clamp(o.distanceCount, MAX_DISTANCES);
        distanceCount = n;
        System.arraycopy(o.distTipId, 0, distTipId, 0, n);
        System.arraycopy(o.distZoneIndex, 0, distZoneIndex, 0, n);
        System.arraycopy(o.distPx, 0, distPx, 0, n);
        System.arraycopy(o.distMm, 0, distMm, 0, n);
        System.arraycopy(o.distEnterMs, 0, distEnterMs, 0, n);

        n = clamp(o.alertCount, MAX_ALERTS);
        alertCount = n;
        alertLevel = o.alertLevel;
        System.arraycopy(o.alertId, 0, alertId, 0, n);
        System.arraycopy(o.alertLevels, 0, alertLevels, 0, n);
        System.arraycopy(o.alertKind, 0, alertKind, 0, n);
        System.arraycopy(o.alertTipId, 0, alertTipId, 0, n);
        System.arraycopy(o.alertZoneIndex, 0, alertZoneIndex, 0, n);
        System.arraycopy(o.alertZoneClass, 0, alertZoneClass, 0, n);
        System.arraycopy(o.alertDistanceMm, 0, alertDistanceMm, 0, n);
        System.arraycopy(o.alertDistancePx, 0, alertDistancePx, 0, n);

        copyHeatmapFrom(o);
    }

    /** Copies only the heat map (used when it is refreshed at a lower rate than the rest). */
    public void copyHeatmapFrom(Annotations o) {
        heatmapClasses = clamp(o.heatmapClasses, MAX_HEATMAP_CLASSES);
        heatmapWidth = clamp(o.heatmapWidth, MAX_HEATMAP_SIDE);
        heatmapHeight = clamp(o.heatmapHeight, MAX_HEATMAP_SIDE);
        heatmapFrameId = o.heatmapFrameId;
        System.arraycopy(o.heatmapClassNames, 0, heatmapClassNames, 0, MAX_HEATMAP_CLASSES);
        System.arraycopy(o.heatmap, 0, heatmap, 0, heatmapClasses * heatmapWidth * heatmapHeight);
    }

    private static int clamp(int v, int max) {
        return v < 0 ? 0 : Math.min(v, max);
    }

    @Override
    public String toString() { // diagnostics and test failures only, never on the hot path
        return "Annotations{" + status + ", origin=" + origin + ", frame=" + frameId + ", tips=" + tipCount
                + ", lines=" + lineCount + ", zones=" + zoneCount + ", alerts=" + alertCount + "/" + alertLevel
                + ", tipsXY=" + Arrays.toString(Arrays.copyOf(tipX, tipCount)) + "/"
                + Arrays.toString(Arrays.copyOf(tipY, tipCount)) + "}";
    }
}
