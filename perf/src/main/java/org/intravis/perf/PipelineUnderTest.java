package org.intravis.perf;

import org.HdrHistogram.Histogram;
import org.intravis.inference.InferenceService;
import org.intravis.inference.InferenceSettings;
import org.intravis.inference.InferenceStatus;
import org.intravis.inference.StreamRegistration;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.LatencyPoint;
import org.intravis.pipeline.StageLatency;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.streamer.ClientStats;
import org.intravis.streamer.Recorder;
import org.intravis.streamer.RecordingInfo;
import org.intravis.streamer.RecordingSettings;
import org.intravis.streamer.StreamHub;
import org.intravis.streamer.StreamPublisher;
import org.intravis.streamer.StreamerSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The system itself, assembled exactly as the application's {@code Engine} assembles a stream: source, then its
 * {@link StreamPipeline} (capture thread filling the ring), the {@link StreamPublisher} as video sink and
 * annotation listener, the {@link InferenceService}'s feed for the stream's model on the inference branch, and the
 * stream's {@link Recorder} reading the ring after the video branch (idle, as by default); the publishers served by
 * a {@link StreamHub} mounted on a Vert.x server. What differs from a real run: the source is a
 * {@link ScheduledSource} (the phantom's frames on a fixed clock), the server listens on loopback only, and the HTTP
 * stills sink ({@code FrameSnapshots}, a copy every 100 ms, in surgical-ui) is not attached.
 */
final class PipelineUnderTest implements SystemUnderTest {
    private final BenchSettings settings;
    private final LoopbackServer server = new LoopbackServer();
    private final StreamHub hub;
    private final InferenceService inference;
    private final List<ScheduledSource> sources = new ArrayList<>();
    private final List<StreamPipeline> pipelines = new ArrayList<>();
    private final List<StreamPublisher> publishers = new ArrayList<>();
    private final List<Recorder> recorders = new ArrayList<>();
    private final RecordingSettings recording = new RecordingSettings()
            .dir(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "intravis-bench-recordings")).conclude();
    private final int port;

    PipelineUnderTest(BenchSettings settings, FrameLoop loop) throws Exception {
        this.settings = settings;
        this.hub = new StreamHub(streamerSettings(settings));
        boolean model = settings.inference();
        this.inference = model ? new InferenceService(inferenceSettings(settings)) : null;
        try {
            hub.mount(server.vertx(), server.router());
            for (int i = 0; i < settings.streams(); i++) {
                assemble(i, loop);
            }
            port = server.listen();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    static StreamerSettings streamerSettings(BenchSettings s) {
        return new StreamerSettings().h264Encoder(s.h264Encoder()).keyIntervalMillis(1000).jpegQuality(80)
                .staleAfterMillis(500).conclude();
    }

    static InferenceSettings inferenceSettings(BenchSettings s) {
        InferenceSettings i = new InferenceSettings().device(s.device()).intraOpThreads(s.intraOpThreads())
                .budgetMs(s.budgetMs()).maxBatch(s.maxBatch()).heatmapEvery(10)
                .batchShape(org.intravis.inference.BatchShape.parse(s.batchShape()))
                .convAlgoSearch(org.intravis.inference.ConvAlgoSearch.parse(s.convSearch()));
        if (s.modelsDir() != null) {
            i.modelsDir(s.modelsDir());
        }
        return i.conclude();
    }

    private void assemble(int index, FrameLoop loop) throws Exception {
        String id = "s" + index;
        ScheduledSource source = new ScheduledSource(loop.forStream(), settings.fps(), settings.bufferedFrames());
        source.open();
        sources.add(source);
        StreamPublisher publisher = hub.register(id);
        publishers.add(publisher);
        Recorder recorder = new Recorder(id, recording, source.geometry(), () -> new RecordingInfo(source.uri(), true,
                settings.fps(), source.pixelSpacingMm(), settings.model(), List.of(), Map.of(), "bench"));
        recorders.add(recorder);
        StreamPipeline.Context ctx = new StreamPipeline.Context()
                .streamId(id)
                .streamIndex(index)
                .source(source)
                .ringSize(settings.ringSize())
                .waitStrategy(settings.waitStrategy())
                .staleAfterMillis(500)
                .videoSink(publisher.video())
                .annotationListener(publisher.overlays())
                .readerAfterVideo("record-read", recorder);
        StreamPipeline pipeline = new StreamPipeline(ctx.conclude());
        pipelines.add(pipeline);
        if (inference != null) {
            InferenceFeed feed = inference.register(new StreamRegistration(id, index, pipeline.annotations(),
                    pipeline.counters(), pipeline.latency(), source.pixelSpacingMm(), settings.model()));
            ctx.inferenceFeed(feed);
        }
        publisher.attach(pipeline);
    }

    @Override public String name() { return "ours"; }
    @Override public int port() { return port; }

    @Override
    public String path(int stream) {
        return "/ws/streams/s" + stream + "?encoding=" + settings.encoding() + "&overlay=" + settings.inference();
    }

    @Override public ScheduledSource source(int stream) { return sources.get(stream); }

    @Override
    public void start() {
        pipelines.forEach(StreamPipeline::start);
    }

    @Override
    public List<Thread> pipelineThreads() {
        List<Thread> out = new ArrayList<>();
        pipelines.forEach(p -> out.addAll(p.threads()));
        if (inference != null) {
            out.addAll(inference.workerThreads());
        }
        return out;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("source_overrun", sources.stream().mapToLong(ScheduledSource::overruns).sum());
        for (Counter k : Counter.values()) {
            c.put(k.metricName(), pipelines.stream().mapToLong(p -> p.counters().get(k)).sum());
        }
        long dropped = 0;
        long coalesced = 0;
        for (StreamPublisher p : publishers) {
            for (ClientStats s : p.stats().clients()) {
                dropped += s.framesDropped();
                coalesced += s.overlaysCoalesced();
            }
        }
        c.put("client_video_dropped", dropped);
        c.put("client_overlays_coalesced", coalesced);
        return c;
    }

    @Override
    public void resetStages() {
        pipelines.forEach(p -> p.latency().reset());
    }

    @Override
    public Map<String, Histogram> stages() {
        Map<String, Histogram> out = new LinkedHashMap<>();
        List<StageLatency.Snapshot> snaps = new ArrayList<>();
        pipelines.forEach(p -> snaps.add(p.latency().snapshot()));
        for (LatencyPoint point : LatencyPoint.values()) {
            Histogram h = new Histogram(600_000_000L, 3);
            snaps.forEach(s -> h.add(s.total(point)));
            out.put(point.metricName(), h);
        }
        return out;
    }

    @Override
    public String deviceUsed() {
        if (inference == null) {
            return "none";
        }
        if (settings.model().equals(StreamRegistration.GROUND_TRUTH)) {
            return "cpu";
        }
        InferenceStatus st = inference.status();
        return st.models().stream().anyMatch(m -> m.state().equals("loaded")) ? st.deviceInUse() : "none";
    }

    @Override
    public String note() {
        if (inference == null) {
            return "";
        }
        InferenceStatus st = inference.status();
        StringBuilder b = new StringBuilder(st.deviceNote());
        for (InferenceStatus.ModelStatus m : st.models()) {
            if (!m.error().isEmpty()) {
                b.append(b.length() > 0 ? "; " : "").append(m.error());
            }
        }
        return b.toString();
    }

    /** Per batch size: ONNX Runtime calls made (pipeline only; tells how much batching happened). */
    Map<Integer, Long> batchSizes() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        if (inference != null) {
            for (InferenceStatus.ModelStatus m : inference.status().models()) {
                m.batchSizes().forEach((k, v) -> out.merge(k, v, Long::sum));
            }
        }
        return out;
    }

    /** As the Engine closes: pipelines first (nothing offers frames any more), then the publishers, the models. */
    @Override
    public void close() {
        for (int i = 0; i < pipelines.size(); i++) {
            pipelines.get(i).close();
        }
        hub.close();
        recorders.forEach(Recorder::close);
        if (inference != null) {
            inference.close();
        }
        server.close();
    }
}
