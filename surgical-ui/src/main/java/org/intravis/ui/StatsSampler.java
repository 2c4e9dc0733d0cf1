package org.intravis.ui;

import org.HdrHistogram.Histogram;
import org.intravis.capture.SourceUri;
import org.intravis.inference.AiPace;
import org.intravis.inference.InferenceService;
import org.intravis.inference.InferenceStatus;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.LatencyPoint;
import org.intravis.pipeline.StageLatency;
import org.intravis.pipeline.StreamCounters;
import org.intravis.pipeline.StreamPipeline;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Once a second, on its own thread ("metrics"), turns each stream's counters and latency histograms into an
 * immutable {@link StreamReport}: frame rates from counter deltas, percentiles from the recent window. HTTP
 * handlers serve the newest reports and never touch the pipeline.
 */
public final class StatsSampler implements AutoCloseable {
    private final Engine engine;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "metrics");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, long[]> previous = new HashMap<>();
    private long previousNanos;
    private volatile List<StreamReport> reports = List.of();

    public StatsSampler(Engine engine) {
        this.engine = engine;
    }

    public StatsSampler start() {
        sample();
        timer.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    /** The newest reports, one per stream, in configuration order. */
    public List<StreamReport> reports() {
        return reports;
    }

    synchronized void sample() {
        long now = System.nanoTime();
        double seconds = previousNanos == 0 ? 0 : (now - previousNanos) / 1e9;
        previousNanos = now;
        InferenceStatus models = engine.inference().map(InferenceService::status).orElse(null);
        List<StreamReport> next = new ArrayList<>();
        for (Engine.EngineStream s : engine.streams()) {
            next.add(report(s, seconds, models));
        }
        reports = List.copyOf(next);
    }

    private StreamReport report(Engine.EngineStream s, double seconds, InferenceStatus models) {
        StreamPipeline p = s.pipeline();
        StreamCounters c = p.counters();
        long[] now = new long[Counter.COUNT];
        Map<String, Long> counters = new LinkedHashMap<>();
        for (Counter k : Counter.values()) {
            now[k.ordinal()] = c.get(k);
            counters.put(k.metricName(), now[k.ordinal()]);
        }
        long[] before = previous.put(s.id(), now);
        double fpsIn = rate(now, before, Counter.FRAMES_IN, seconds);
        double fpsOut = rate(now, before, Counter.VIDEO_OUT, seconds);
        double fpsInference = rate(now, before, Counter.INFERENCE_DONE, seconds);

        StageLatency.Snapshot snap = p.latency().snapshot();
        Map<String, Map<String, Double>> latency = new LinkedHashMap<>();
        for (LatencyPoint point : LatencyPoint.values()) {
            Histogram h = snap.recent(point);
            if (h.getTotalCount() > 0) {
                latency.put(point.metricName(), percentiles(h));
            }
        }
        FrameSource src = p.source();
        FrameGeometry g = src.geometry();
        boolean failed = !p.captureFailure().isEmpty();
        String status = failed ? "FAILED" : src.status().name();
        String detail = failed ? p.captureFailure() : src.statusDetail();
        return new StreamReport(s.id(), SourceUri.redact(s.settings().source), status, detail,
                g.maxWidth() + "x" + g.maxHeight(), g.format().name(), s.model(),
                round(fpsIn), round(fpsOut), round(fpsInference), src.reconnects(), counters, latency,
                inference(s, models), s.replay() != null, encoder());
    }

    /** The encoders' step-down under load (the same for every stream: the CPU is shared). */
    private Map<String, Object> encoder() {
        Map<String, Object> m = new LinkedHashMap<>();
        engine.encoderGovernor().ifPresent(g -> {
            m.put("step", g.step());
            m.put("rate", EncoderGovernor.describe(g.step()));
            m.put("maxStep", g.maxStep());
            m.put("stepDowns", g.stepDowns());
            m.put("stepUps", g.stepUps());
            m.put("staleShare", round(g.staleShare() * 100) / 100);
            m.put("videoSkippedShare", round(g.skippedShare() * 100) / 100);
            if (!Double.isNaN(g.overlayHz())) {
                m.put("overlaysPerSecond", round(g.overlayHz()));
                m.put("overlayFloorHz", g.floorHz());
            }
            g.pacer().ifPresent(p -> {
                Map<String, Object> ai = new LinkedHashMap<>();
                ai.put("step", p.step());
                ai.put("takes", AiPace.describe(p.step()));
                ai.put("stepDowns", p.stepDowns());
                ai.put("stepUps", p.stepUps());
                if (p.cpuLoad() >= 0) {
                    ai.put("cpuLoad", round(p.cpuLoad() * 100) / 100);
                }
                m.put("aiPace", ai);
            });
        });
        return m;
    }

    /** The stream's inference: mode, model, version, device in use, and why not when it failed. */
    private static Map<String, Object> inference(Engine.EngineStream s, InferenceStatus models) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (models == null) {
            m.put("mode", "off");
            return m;
        }
        for (InferenceStatus.StreamStatus st : models.streams()) {
            if (st.streamId().equals(s.id())) {
                m.put("mode", st.mode());
                m.put("model", st.model());
                m.put("paused", st.paused());
                if (!st.detail().isEmpty()) {
                    m.put("error", st.detail());
                }
            }
        }
        for (InferenceStatus.ModelStatus ms : models.models()) {
            if (ms.name().equals(s.model())) {
                m.put("version", ms.version());
                m.put("device", ms.device());
                m.put("state", ms.state());
                m.put("meanBatchSize", ms.meanBatchSize());
                InferenceStatus.Load load = ms.load();
                if (load != null && !load.variant().isEmpty()) { // which graph runs, and the steps under load
                    m.put("variant", load.variant());
                    m.put("variants", load.variants());
                    m.put("stepDowns", load.stepDowns());
                    m.put("stepUps", load.stepUps());
                    m.put("coverage", load.coverage());
                    m.put("busy", load.busy());
                    m.put("postThreads", load.postThreads());
                    m.put("rowsPostedByHelpers", load.rowsPostedByHelpers());
                }
                if (!ms.link().isEmpty()) {
                    m.put("link", ms.link()); // on an inference server: reachable or why not, calls not made
                }
            }
        }
        if (!models.deviceNote().isEmpty()) {
            m.put("deviceNote", models.deviceNote());
        }
        return m;
    }

    /** p50, p90, p99, p99.9 and max in milliseconds, with the sample count. */
    static Map<String, Double> percentiles(Histogram h) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("p50", ms(h.getValueAtPercentile(50)));
        m.put("p90", ms(h.getValueAtPercentile(90)));
        m.put("p99", ms(h.getValueAtPercentile(99)));
        m.put("p999", ms(h.getValueAtPercentile(99.9)));
        m.put("max", ms(h.getMaxValue()));
        m.put("count", (double) h.getTotalCount());
        return m;
    }

    private static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    private static double rate(long[] now, long[] before, Counter c, double seconds) {
        if (before == null || seconds <= 0) {
            return 0;
        }
        return (now[c.ordinal()] - before[c.ordinal()]) / seconds;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
