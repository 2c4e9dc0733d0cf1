package org.intravis.inference;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Configuration of the inference service: fluent setters with defaults, validated once by {@link #conclude()}
 * (the service refuses an unconcluded one). One section of the application's configuration.
 */
public final class InferenceSettings {
    private String device = "cpu";
    private int intraOpThreads;
    private int liveStreams = 1;
    private long budgetMs = 100;
    private long overlayStaleAfterMs = 500;
    private int maxBatch = 8;
    private BatchShape batchShape = BatchShape.AUTO;
    private ConvAlgoSearch convAlgoSearch = ConvAlgoSearch.EXHAUSTIVE;
    private int rowsPerStream = 1;
    private int postThreads;
    private boolean warmup = true;
    private boolean stepDown = true;
    private Path modelsDir;
    private Path dataDir;
    private AlertSettings alerts = AlertSettings.defaults();
    private TipTracker.Config tracker = TipTracker.Config.defaults();
    private int heatmapEvery = 10;
    private int heatmapSide = 64;
    private double minZoneAreaPx = 16;
    private double polygonEpsilonPx = 1.0;
    private ZoneSmoother.Config zoneSmoothing = ZoneSmoother.Config.defaults();
    private final Map<String, Double> thresholds = new LinkedHashMap<>();
    private org.intravis.inference.remote.RemoteSettings remote;
    private boolean concluded;

    /** {@code cpu} (default), {@code cuda} or {@code cuda:N}; CUDA falls back to the CPU with a warning. */
    public InferenceSettings device(String d) { this.device = d; return this; }
    /** ONNX Runtime threads per run (0: automatic, {@link OrtThreads#live}). */
    public InferenceSettings intraOpThreads(int n) { this.intraOpThreads = n; return this; }
    /** The live streams that may run a model (the automatic thread count depends on it; default 1). */
    public InferenceSettings liveStreams(int n) { this.liveStreams = n; return this; }
    /** Capture-to-published budget per frame: batches close early enough for their oldest frame to meet it. */
    public InferenceSettings budgetMs(long ms) { this.budgetMs = ms; return this; }
    /**
     * Age at which an overlay is no longer shown (the pipeline's {@code staleAfterMs}): a frame past its budget when
     * its batch closes is still inferred if its overlay would arrive younger than this, and skipped otherwise.
     */
    public InferenceSettings overlayStaleAfterMs(long ms) { this.overlayStaleAfterMs = ms; return this; }
    /** Largest batch per ONNX Runtime call (tensors are allocated for it once). */
    public InferenceSettings maxBatch(int n) { this.maxBatch = n; return this; }
    /** Partial batches at their size or padded to maxBatch (default AUTO: padded on CUDA; see {@link BatchShape}). */
    public InferenceSettings batchShape(BatchShape s) { this.batchShape = s; return this; }
    /** cuDNN convolution algorithm choice on CUDA (default EXHAUSTIVE, ONNX Runtime's). */
    public InferenceSettings convAlgoSearch(ConvAlgoSearch s) { this.convAlgoSearch = s; return this; }
    /**
     * Rows one stream may hold in a filling batch: 1 (default) means the newest frame replaces the stream's row;
     * more lets more frames through; {@code maxBatch} never replaces a frame (a full batch answers BUSY and the
     * caller offers again), as offline analysis needs.
     */
    public InferenceSettings rowsPerStream(int n) { this.rowsPerStream = n; return this; }
    /**
     * Threads that post-process a batch's rows (the model's worker and helpers; 0: automatic, {@link
     * #postThreadsFor}). More than one is for batches of many rows on a fast model: on the H200 at 16 streams the rows
     * one after another took longer than the call (BENCHMARKS.md); the gain there is not yet measured.
     */
    public InferenceSettings postThreads(int n) { this.postThreads = n; return this; }
    /** Whether to run every batch size once at load, measuring it and settling ONNX Runtime's memory. */
    public InferenceSettings warmup(boolean w) { this.warmup = w; return this; }
    /**
     * Whether a model that declares a cheaper fallback graph loads it too and steps down to it when its worker
     * cannot keep up, and back when it can ({@code ModelGovernor}; default on).
     */
    public InferenceSettings stepDown(boolean s) { this.stepDown = s; return this; }
    /** Where {@code <name>/<name>.onnx} models are looked for before the classpath (optional). */
    public InferenceSettings modelsDir(Path p) { this.modelsDir = p; return this; }
    /** Where drawn no-go zones are kept ({@code zones.json}); {@code null}: in memory only. */
    public InferenceSettings dataDir(Path p) { this.dataDir = p; return this; }
    public InferenceSettings alerts(AlertSettings a) { this.alerts = a; return this; }
    public InferenceSettings tracker(TipTracker.Config c) { this.tracker = c; return this; }
    /** Refresh the heat map on every Nth inference of a stream (0: never). */
    public InferenceSettings heatmapEvery(int n) { this.heatmapEvery = n; return this; }
    /** Heat map cells per side (at most 128). */
    public InferenceSettings heatmapSide(int n) { this.heatmapSide = n; return this; }
    /** Smallest segmented zone kept, in model pixels. */
    public InferenceSettings minZoneAreaPx(double a) { this.minZoneAreaPx = a; return this; }
    /** Polygon simplification tolerance, in model pixels. */
    public InferenceSettings polygonEpsilonPx(double e) { this.polygonEpsilonPx = e; return this; }
    /** How segmented zones are smoothed over time per stream (default {@link ZoneSmoother.Config#defaults()}). */
    public InferenceSettings zoneSmoothing(ZoneSmoother.Config c) { this.zoneSmoothing = c; return this; }
    /** Runs the models it applies to on an inference server (null, the default: every model in process). */
    public InferenceSettings remote(org.intravis.inference.remote.RemoteSettings r) { this.remote = r; return this; }
    /** Overrides a class's threshold from the sidecar (e.g. {@code vessel}, {@code tip}). */
    public InferenceSettings threshold(String channel, double value) {
        thresholds.put(channel.toLowerCase(Locale.ROOT), value);
        return this;
    }

    public String device() { return device; }
    public int intraOpThreads() { return intraOpThreads; }

    /** The ONNX Runtime threads a live model runs with on this machine ({@link OrtThreads#live}). */
    public OrtThreads liveThreads() {
        return OrtThreads.live(intraOpThreads, device, Runtime.getRuntime().availableProcessors(), liveStreams);
    }
    public long budgetMs() { return budgetMs; }
    public long overlayStaleAfterMs() { return overlayStaleAfterMs; }
    public int maxBatch() { return maxBatch; }
    public BatchShape batchShape() { return batchShape; }
    public ConvAlgoSearch convAlgoSearch() { return convAlgoSearch; }
    public int rowsPerStream() { return rowsPerStream; }
    /** The post-processing threads a model runs with on this machine ({@link #postThreadsFor}). */
    public int postThreads() { return postThreadsFor(postThreads, Runtime.getRuntime().availableProcessors()); }

    /**
     * The post-processing threads per model: the configured count, or automatically one on fewer than 8 logical
     * processors (the model and the encoders have the cores already) and a quarter of them, at most 4, from 8 on.
     */
    public static int postThreadsFor(int configured, int processors) {
        if (configured > 0) {
            return configured;
        }
        return processors < 8 ? 1 : Math.min(4, processors / 4);
    }
    public boolean stepDown() { return stepDown; }
    public boolean warmup() { return warmup; }
    public Path modelsDir() { return modelsDir; }
    public Path dataDir() { return dataDir; }
    public AlertSettings alerts() { return alerts; }
    public TipTracker.Config tracker() { return tracker; }
    public int heatmapEvery() { return heatmapEvery; }
    public int heatmapSide() { return heatmapSide; }
    public double minZoneAreaPx() { return minZoneAreaPx; }
    public double polygonEpsilonPx() { return polygonEpsilonPx; }
    public ZoneSmoother.Config zoneSmoothing() { return zoneSmoothing; }
    public org.intravis.inference.remote.RemoteSettings remote() { return remote; }

    /** The threshold of a channel: the override if any, else the sidecar's (for the tip map, its peak threshold). */
    public double threshold(ModelSpec spec, String channel) {
        Double o = thresholds.get(channel);
        if (o != null) {
            return o;
        }
        int c = spec.channel(channel);
        return c >= 0 && c == spec.roles().tipChannel() ? spec.tipPeakThreshold() : spec.threshold(channel);
    }

    boolean concluded() { return concluded; }

    /** Validates everything once. */
    public InferenceSettings conclude() {
        String d = device == null ? "" : device.trim().toLowerCase(Locale.ROOT);
        if (!(d.equals("cpu") || d.equals("cuda") || d.matches("cuda:\\d+"))) {
            throw new IllegalArgumentException("inference device must be cpu, cuda or cuda:N, was '" + device + "'");
        }
        device = d;
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be 0 (default) or positive");
        }
        if (budgetMs <= 0) {
            throw new IllegalArgumentException("inference budgetMs must be positive, was " + budgetMs);
        }
        if (overlayStaleAfterMs <= 0) {
            throw new IllegalArgumentException("overlayStaleAfterMs (pipeline.staleAfterMs) must be positive, was " + overlayStaleAfterMs);
        }
        if (maxBatch < 1 || maxBatch > 64) {
            throw new IllegalArgumentException("maxBatch must be 1..64, was " + maxBatch);
        }
        if (batchShape == null || convAlgoSearch == null) {
            throw new IllegalArgumentException("batchShape and convAlgoSearch must be set");
        }
        if (postThreads < 0 || postThreads > 16) {
            throw new IllegalArgumentException("postThreads must be 0 (automatic) to 16, was " + postThreads);
        }
        if (rowsPerStream < 1 || rowsPerStream > maxBatch) {
            throw new IllegalArgumentException("rowsPerStream must be 1..maxBatch, was " + rowsPerStream);
        }
        if (heatmapEvery < 0) {
            throw new IllegalArgumentException("heatmapEvery must be 0 (never) or positive");
        }
        if (heatmapSide < 1 || heatmapSide > org.intravis.pipeline.Annotations.MAX_HEATMAP_SIDE) {
            throw new IllegalArgumentException("heatmapSide must be 1.." + org.intravis.pipeline.Annotations.MAX_HEATMAP_SIDE);
        }
        if (minZoneAreaPx < 0 || polygonEpsilonPx < 0) {
            throw new IllegalArgumentException("minZoneAreaPx and polygonEpsilonPx must not be negative");
        }
        for (Map.Entry<String, Double> e : thresholds.entrySet()) {
            if (!(e.getValue() > 0 && e.getValue() < 1)) {
                throw new IllegalArgumentException("threshold for " + e.getKey() + " must be between 0 and 1, was " + e.getValue());
            }
        }
        if (alerts == null || tracker == null || zoneSmoothing == null) {
            throw new IllegalArgumentException("alert, tracker and zone smoothing settings are required");
        }
        concluded = true;
        return this;
    }
}
