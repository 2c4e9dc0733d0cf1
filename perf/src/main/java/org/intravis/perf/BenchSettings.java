package org.intravis.perf;

import org.intravis.ui.IntravisConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;

/**
 * One measured configuration of the latency harness: what is fed (streams, size, rate, phantom), what runs
 * (model, device, encoding, pipeline settings), how long, and whether the naive baseline runs beside it. Fluent
 * setters with defaults, validated once by {@link #conclude()}; the harness refuses an unconcluded one.
 */
public final class BenchSettings {
    private String mode = "custom";
    private int streams = 4;
    private int width = 1280;
    private int height = 720;
    private double fps = 30;
    private String phantom = "ultrasound";
    private String model = "ultrasound";
    private String device = "cpu";
    private String encoding = "h264";
    private String h264Encoder = "libopenh264";
    private double warmupSeconds = 5;
    private double measureSeconds = 15;
    private boolean ours = true;
    private boolean baseline = true;
    private int baselineQueue = 4;
    private int ringSize = 16;
    private String waitStrategy = "blocking";
    private int maxBatch = 8;
    private String batchShape = "auto";
    private String convSearch = "exhaustive";
    private long budgetMs = 100;
    private boolean modelStepDown = true;
    private int encoderStepDown = 2;
    private int intraOpThreads;
    private int postThreads;
    private Path modelsDir;
    /** The inference server the model runs on (Open Inference Protocol), or null: in process. */
    private String remoteUrl;
    private Path remoteTrust;
    private Path remoteTokenFile;
    private int loopFrames = 30;
    private boolean liveRender;
    private int bufferedFrames = 4;
    private int clientsPerStream = 1;
    private boolean concluded;

    /** A label for the report: {@code quick}, {@code full} or {@code custom}. */
    public BenchSettings mode(String m) { this.mode = m; return this; }
    public BenchSettings streams(int n) { this.streams = n; return this; }
    public BenchSettings resolution(int w, int h) { this.width = w; this.height = h; return this; }
    public BenchSettings fps(double f) { this.fps = f; return this; }
    /** The synthetic phantom fed: {@code ultrasound} or {@code fluoroscopy}. */
    public BenchSettings phantom(String p) { this.phantom = p; return this; }
    /** A model name or .onnx path, {@code ground-truth} or {@code none}. */
    public BenchSettings model(String m) { this.model = m; return this; }
    public BenchSettings device(String d) { this.device = d; return this; }
    /** What the clients receive: {@code h264} or {@code jpeg}. */
    public BenchSettings encoding(String e) { this.encoding = e; return this; }
    public BenchSettings h264Encoder(String e) { this.h264Encoder = e; return this; }
    public BenchSettings warmupSeconds(double s) { this.warmupSeconds = s; return this; }
    public BenchSettings measureSeconds(double s) { this.measureSeconds = s; return this; }
    public BenchSettings ours(boolean b) { this.ours = b; return this; }
    public BenchSettings baseline(boolean b) { this.baseline = b; return this; }
    /** Capacity of the baseline's capture-to-worker {@code ArrayBlockingQueue}. */
    public BenchSettings baselineQueue(int n) { this.baselineQueue = n; return this; }
    public BenchSettings ringSize(int n) { this.ringSize = n; return this; }
    public BenchSettings waitStrategy(String w) { this.waitStrategy = w; return this; }
    public BenchSettings maxBatch(int n) { this.maxBatch = n; return this; }
    public BenchSettings batchShape(String s) { this.batchShape = s; return this; }
    public BenchSettings convSearch(String s) { this.convSearch = s; return this; }
    public BenchSettings budgetMs(long ms) { this.budgetMs = ms; return this; }
    /** Whether the model may step down to its cheaper graph under load (inference.stepDown). */
    public BenchSettings modelStepDown(boolean b) { this.modelStepDown = b; return this; }
    /** How far the encoders may step their rate down under load (streaming.encoderStepDown; 0: never). */
    public BenchSettings encoderStepDown(int n) { this.encoderStepDown = n; return this; }
    public BenchSettings intraOpThreads(int n) { this.intraOpThreads = n; return this; }
    public BenchSettings postThreads(int n) { this.postThreads = n; return this; }
    public BenchSettings modelsDir(Path p) { this.modelsDir = p; return this; }
    /** Runs the model on the inference server at {@code url} (grpc:// or grpcs://; docs/remote-inference.md). */
    public BenchSettings remote(String url) { this.remoteUrl = url; return this; }
    public BenchSettings remoteTrust(Path pem) { this.remoteTrust = pem; return this; }
    public BenchSettings remoteTokenFile(Path f) { this.remoteTokenFile = f; return this; }
    public String remoteUrl() { return remoteUrl; }
    /** Distinct phantom frames rendered before the run and replayed in a loop. */
    public BenchSettings loopFrames(int n) { this.loopFrames = n; return this; }
    /** Render every frame on the capture thread (as {@code intravis run} does) instead of replaying rendered ones. */
    public BenchSettings liveRender(boolean b) { this.liveRender = b; return this; }
    /** Frames the simulated capture device holds for a late reader before it overwrites the oldest. */
    public BenchSettings bufferedFrames(int n) { this.bufferedFrames = n; return this; }
    public BenchSettings clientsPerStream(int n) { this.clientsPerStream = n; return this; }

    public String mode() { return mode; }
    public int streams() { return streams; }
    public int width() { return width; }
    public int height() { return height; }
    public String resolution() { return width + "x" + height; }
    public double fps() { return fps; }
    public String phantom() { return phantom; }
    public String model() { return model; }
    public String device() { return device; }
    public String encoding() { return encoding; }
    public String h264Encoder() { return h264Encoder; }
    public double warmupSeconds() { return warmupSeconds; }
    public double measureSeconds() { return measureSeconds; }
    public boolean ours() { return ours; }
    public boolean baseline() { return baseline; }
    public int baselineQueue() { return baselineQueue; }
    public int ringSize() { return ringSize; }
    public String waitStrategy() { return waitStrategy; }
    public int maxBatch() { return maxBatch; }
    public String batchShape() { return batchShape; }
    public String convSearch() { return convSearch; }
    public long budgetMs() { return budgetMs; }
    public boolean modelStepDown() { return modelStepDown; }
    public int encoderStepDown() { return encoderStepDown; }
    public int intraOpThreads() { return intraOpThreads; }
    public int postThreads() { return postThreads; }
    public Path modelsDir() { return modelsDir; }
    public int loopFrames() { return loopFrames; }
    public boolean liveRender() { return liveRender; }
    public int bufferedFrames() { return bufferedFrames; }
    public int clientsPerStream() { return clientsPerStream; }
    public boolean concluded() { return concluded; }

    /** Period of the capture schedule, nanoseconds. */
    public long periodNanos() {
        return Math.round(1e9 / fps);
    }

    /** The synthetic source the phantom frames are rendered from (rendered ahead, so paced by the harness). */
    public String sourceUri() {
        return String.format(Locale.ROOT, "synthetic:%s?width=%d&height=%d&fps=%s&pace=fast", phantom, width, height,
                fps == Math.rint(fps) ? Long.toString((long) fps) : Double.toString(fps));
    }

    /** The id of stream {@code index}, in URLs and reports. */
    static String streamId(int index) {
        return "s" + index;
    }

    /**
     * These options as the application's configuration: the engine and the application's one translation into
     * module settings serve the bench as they serve {@code intravis run}. Everything not set here keeps the
     * application's default (key interval, JPEG quality, staleness, heat maps, tracking, alerts); recordings, idle,
     * would go under the temporary folder.
     */
    IntravisConfig config() {
        IntravisConfig c = new IntravisConfig();
        c.dataDir = Path.of(System.getProperty("java.io.tmpdir"), "intravis-bench").toString();
        c.pipeline.ringSize = ringSize;
        c.pipeline.waitStrategy = waitStrategy;
        c.streams = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            IntravisConfig.Stream st = new IntravisConfig.Stream();
            st.id = streamId(i);
            st.source = sourceUri();
            st.model = model;
            c.streams.add(st);
        }
        c.inference.enabled = inference();
        c.inference.device = device;
        c.inference.intraOpThreads = intraOpThreads;
        c.inference.postThreads = postThreads;
        c.inference.budgetMs = budgetMs;
        c.inference.maxBatch = maxBatch;
        c.inference.batchShape = batchShape;
        c.inference.cudnnConvAlgoSearch = convSearch;
        c.inference.modelsDir = modelsDir == null ? "" : modelsDir.toString();
        if (remoteUrl != null) {
            c.inference.backend = "remote";
            c.inference.remote.url = remoteUrl;
            c.inference.remote.trustCert = remoteTrust == null ? "" : remoteTrust.toString();
            c.inference.remote.tokenFile = remoteTokenFile == null ? "" : remoteTokenFile.toString();
        }
        c.streaming.h264Encoder = h264Encoder;
        c.inference.stepDown = modelStepDown;
        c.streaming.encoderStepDown = encoderStepDown;
        return c;
    }

    /** Whether the AI path is measured (a model or the ground truth runs). */
    public boolean inference() {
        return !model.equals("none");
    }

    /** A copy with another stream count and frame rate (sweeps). */
    public BenchSettings with(int streamCount, double rate) {
        BenchSettings s = copy();
        s.streams = streamCount;
        s.fps = rate;
        return s.conclude();
    }

    private BenchSettings copy() {
        BenchSettings s = new BenchSettings();
        s.mode = mode; s.streams = streams; s.width = width; s.height = height; s.fps = fps; s.phantom = phantom;
        s.model = model; s.device = device; s.encoding = encoding; s.h264Encoder = h264Encoder;
        s.warmupSeconds = warmupSeconds; s.measureSeconds = measureSeconds; s.ours = ours; s.baseline = baseline;
        s.baselineQueue = baselineQueue; s.ringSize = ringSize; s.waitStrategy = waitStrategy; s.maxBatch = maxBatch;
        s.batchShape = batchShape; s.convSearch = convSearch;
        s.modelStepDown = modelStepDown; s.encoderStepDown = encoderStepDown;
        s.budgetMs = budgetMs; s.intraOpThreads = intraOpThreads; s.postThreads = postThreads; s.modelsDir = modelsDir; s.loopFrames = loopFrames; s.liveRender = liveRender;
        s.bufferedFrames = bufferedFrames; s.clientsPerStream = clientsPerStream;
        s.remoteUrl = remoteUrl; s.remoteTrust = remoteTrust; s.remoteTokenFile = remoteTokenFile;
        return s;
    }

    /** Validates everything once; messages name the option to change. */
    public BenchSettings conclude() {
        require(streams >= 1 && streams <= 64, "--streams must be 1..64, was " + streams);
        require(width >= 64 && height >= 64 && width <= 7680 && height <= 7680,
                "--resolution must be between 64x64 and 7680x7680, was " + width + "x" + height);
        require(fps > 0 && fps <= 240, "--fps must be in (0, 240], was " + fps);
        require(phantom.equals("ultrasound") || phantom.equals("fluoroscopy"),
                "--phantom must be ultrasound or fluoroscopy, was " + phantom);
        require(model != null && !model.isBlank(), "--model must name a model, ground-truth or none");
        require(encoding.equals("h264") || encoding.equals("jpeg"), "--encoding must be h264 or jpeg, was " + encoding);
        require(warmupSeconds >= 0, "--warmup must not be negative");
        require(measureSeconds > 0, "--seconds must be positive");
        require(ours || baseline, "nothing to run: both the pipeline and the baseline are off");
        require(baselineQueue >= 1, "--baseline-queue must be at least 1");
        require(ringSize >= 2 && Integer.bitCount(ringSize) == 1, "--ring-size must be a power of two >= 2");
        require(maxBatch >= 1 && maxBatch <= 64, "--max-batch must be 1..64");
        try {
            org.intravis.inference.BatchShape.parse(batchShape);
            org.intravis.inference.ConvAlgoSearch.parse(convSearch);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--batch-shape / --conv-search: " + e.getMessage(), e);
        }
        require(budgetMs > 0, "--budget-ms must be positive");
        require(encoderStepDown >= 0 && encoderStepDown <= 3, "--encoder-step-down must be 0..3");
        require(intraOpThreads >= 0, "--threads must be 0 (ONNX Runtime's default) or positive");
        require(postThreads >= 0 && postThreads <= 16, "--post-threads must be 0 (automatic) to 16");
        require(loopFrames >= 1 && loopFrames <= 600, "--loop-frames must be 1..600");
        require(bufferedFrames >= 1, "--buffered-frames must be at least 1");
        require(clientsPerStream >= 1 && clientsPerStream <= 16, "--clients must be 1..16");
        concluded = true;
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
