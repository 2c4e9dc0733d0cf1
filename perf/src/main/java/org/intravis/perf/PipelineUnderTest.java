package org.intravis.perf;

import org.HdrHistogram.Histogram;
import org.intravis.inference.InferenceService;
import org.intravis.inference.InferenceStatus;
import org.intravis.inference.StreamRegistration;
import org.intravis.inference.ZoneStore;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.streamer.ClientStats;
import org.intravis.streamer.StreamHub;
import org.intravis.streamer.StreamPublisher;
import org.intravis.ui.Engine;
import org.intravis.ui.IntravisConfig;
import org.intravis.ui.ModuleSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The system itself: the application's {@link Engine}, configured from the bench's options through the application's
 * own translation ({@link ModuleSettings}), so every stream is assembled as {@code intravis run} assembles it: its
 * {@link StreamPipeline}, the {@link StreamPublisher}'s fan-outs, the HTTP stills, the {@link InferenceService}'s
 * feed for the stream's model, and the stream's recorder (idle, as by default). The publishers are served by a
 * {@link StreamHub} mounted on a Vert.x server. What differs from a real run: each source is a
 * {@link ScheduledSource} (the phantom's frames on a fixed clock, held until {@link #start()}), the server listens
 * on loopback only and serves no pages, and drawn no-go zones are kept in memory.
 */
final class PipelineUnderTest implements SystemUnderTest {
    private final BenchSettings settings;
    private final LoopbackServer server = new LoopbackServer();
    private final StreamHub hub;
    private final Engine engine;
    private final List<ScheduledSource> sources = new ArrayList<>();
    private final int port;

    PipelineUnderTest(BenchSettings settings, FrameLoop loop) throws Exception {
        this.settings = settings;
        IntravisConfig config = settings.config();
        this.hub = new StreamHub(ModuleSettings.streamer(config));
        InferenceService inference = settings.inference()
                ? new InferenceService(ModuleSettings.inference(config), new ZoneStore(null)) : null;
        Engine e;
        try {
            e = new Engine(config, hub, inference, stream -> {
                ScheduledSource source = new ScheduledSource(loop.forStream(), settings.fps(), settings.bufferedFrames());
                source.hold(); // the engine starts reading at once; the device starts with the measurement
                sources.add(source);
                return source;
            });
            hub.mount(server.vertx(), server.router());
            port = server.listen();
        } catch (Exception | Error x) {
            if (inference != null) {
                inference.close();
            }
            hub.close();
            server.close();
            throw x;
        }
        this.engine = e;
        try {
            engine.start(); // closes what it started when it fails
        } catch (RuntimeException x) {
            hub.close();
            server.close();
            throw x;
        }
    }

    @Override public String name() { return "ours"; }
    @Override public int port() { return port; }

    @Override
    public String path(int stream) {
        return "/ws/streams/" + BenchSettings.streamId(stream) + "?encoding=" + settings.encoding() + "&overlay="
                + settings.inference();
    }

    @Override public ScheduledSource source(int stream) { return sources.get(stream); }

    @Override
    public void start() {
        sources.forEach(ScheduledSource::start);
    }

    private List<StreamPipeline> pipelines() {
        return engine.streams().stream().map(Engine.EngineStream::pipeline).toList();
    }

    @Override
    public List<Thread> pipelineThreads() {
        List<Thread> out = new ArrayList<>();
        pipelines().forEach(p -> out.addAll(p.threads()));
        engine.inference().ifPresent(i -> {
            out.addAll(i.workerThreads());
            out.addAll(i.postHelperThreads());
        });
        return out;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("source_overrun", sources.stream().mapToLong(ScheduledSource::overruns).sum());
        List<StreamPipeline> pipelines = pipelines();
        for (Counter k : Counter.values()) {
            c.put(k.metricName(), pipelines.stream().mapToLong(p -> p.counters().get(k)).sum());
        }
        long dropped = 0;
        long coalesced = 0;
        for (Engine.EngineStream s : engine.streams()) {
            for (ClientStats st : hub.stats(s.id()).orElseThrow().clients()) {
                dropped += st.framesDropped();
                coalesced += st.overlaysCoalesced();
            }
        }
        c.put("client_video_dropped", dropped);
        c.put("client_overlays_coalesced", coalesced);
        return c;
    }

    @Override
    public void resetStages() {
        pipelines().forEach(p -> p.latency().reset());
    }

    @Override
    public Map<String, Histogram> stages() {
        Map<String, Histogram> out = new LinkedHashMap<>();
        SystemUnderTest.addStages(pipelines().stream().map(p -> p.latency().snapshot()).toList(), out);
        return out;
    }

    @Override
    public String deviceUsed() {
        if (engine.inference().isEmpty()) {
            return "none";
        }
        if (settings.model().equals(StreamRegistration.GROUND_TRUTH)) {
            return "cpu";
        }
        InferenceStatus st = engine.inference().get().status();
        return st.models().stream().anyMatch(m -> m.state().equals("loaded")) ? st.deviceInUse() : "none";
    }

    @Override
    public String note() {
        if (engine.inference().isEmpty()) {
            return "";
        }
        InferenceStatus st = engine.inference().get().status();
        StringBuilder b = new StringBuilder(st.deviceNote());
        for (InferenceStatus.ModelStatus m : st.models()) {
            if (!m.error().isEmpty()) {
                b.append(b.length() > 0 ? "; " : "").append(m.error());
            }
        }
        return b.toString();
    }

    @Override
    public String governors() {
        StringBuilder b = new StringBuilder();
        engine.inference().ifPresent(i -> {
            for (InferenceStatus.ModelStatus m : i.status().models()) {
                InferenceStatus.Load l = m.load();
                if (l != null && l.variants().size() > 1) {
                    b.append(b.length() > 0 ? "; " : "").append("model ").append(m.name()).append(" on its ")
                            .append(l.variant()).append(" graph, ").append(l.stepDowns()).append(" steps down, ")
                            .append(l.stepUps()).append(" up");
                }
            }
        });
        String enc = engine.encoderSteps();
        if (!enc.isEmpty()) {
            b.append(b.length() > 0 ? "; " : "").append("encoders at ").append(enc);
        }
        return b.toString();
    }

    /** Per batch size: ONNX Runtime calls made (pipeline only; tells how much batching happened). */
    Map<Integer, Long> batchSizes() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        engine.inference().ifPresent(i -> {
            for (InferenceStatus.ModelStatus m : i.status().models()) {
                m.batchSizes().forEach((k, v) -> out.merge(k, v, Long::sum));
            }
        });
        return out;
    }

    /** As the application closes: the engine (pipelines, publishers, recorders, models), then the server. */
    @Override
    public void close() {
        engine.close();
        hub.close();
        server.close();
    }
}
