package org.intravis.ui;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders the newest {@link StreamReport}s and JVM figures in the Prometheus text exposition format (0.0.4). */
public final class PrometheusMetrics {
    private PrometheusMetrics() {
    }

    public static String render(List<StreamReport> reports) {
        StringBuilder b = new StringBuilder(8192);
        for (String counter : reports.isEmpty() ? List.<String>of() : reports.get(0).counters().keySet()) {
            String name = "intravis_" + counter + "_total";
            b.append("# TYPE ").append(name).append(" counter\n");
            for (StreamReport r : reports) {
                line(b, name, "stream=\"" + r.id() + "\"", r.counters().get(counter));
            }
        }
        gauge(b, "intravis_fps_in", "frames per second captured", reports, StreamReport::fpsIn);
        gauge(b, "intravis_fps_out", "frames per second sent on the video branch", reports, StreamReport::fpsOut);
        gauge(b, "intravis_fps_inference", "frames per second inferred", reports, StreamReport::fpsInference);
        inference(b, "intravis_model_step_downs_total", "counter", "steps down to the model's cheaper graph under load",
                reports, "stepDowns");
        inference(b, "intravis_model_step_ups_total", "counter", "steps back up to the model's full graph", reports,
                "stepUps");
        inference(b, "intravis_model_fallback", "gauge", "1 while the stream's model runs its cheaper graph", reports,
                "variant");
        gauge(b, "intravis_encoder_step", "the encoders' rate step under load (0: every frame encoded)", reports,
                r -> ((Number) r.encoder().getOrDefault("step", 0)).doubleValue());
        gauge(b, "intravis_encoder_step_downs", "steps the encoders took down under load so far", reports,
                r -> ((Number) r.encoder().getOrDefault("stepDowns", 0L)).doubleValue());
        gauge(b, "intravis_encoder_step_ups", "steps the encoders took back up so far", reports,
                r -> ((Number) r.encoder().getOrDefault("stepUps", 0L)).doubleValue());
        gauge(b, "intravis_source_reconnects", "reconnects of the live source", reports, r -> (double) r.reconnects());
        b.append("# HELP intravis_source_up 1 when the source is delivering frames\n# TYPE intravis_source_up gauge\n");
        for (StreamReport r : reports) {
            line(b, "intravis_source_up", "stream=\"" + r.id() + "\"", "STREAMING".equals(r.status()) ? 1 : 0);
        }
        b.append("# HELP intravis_latency_ms latency percentiles over the last 10-20 s\n# TYPE intravis_latency_ms gauge\n");
        for (StreamReport r : reports) {
            for (Map.Entry<String, Map<String, Double>> e : r.latencyMs().entrySet()) {
                for (Map.Entry<String, Double> q : e.getValue().entrySet()) {
                    if (!q.getKey().equals("count")) {
                        line(b, "intravis_latency_ms", "stream=\"" + r.id() + "\",interval=\"" + e.getKey()
                                + "\",quantile=\"" + q.getKey() + "\"", q.getValue());
                    }
                }
            }
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        b.append("# TYPE jvm_memory_heap_used_bytes gauge\n");
        line(b, "jvm_memory_heap_used_bytes", "", heap.getUsed());
        b.append("# TYPE jvm_gc_collections_total counter\n# TYPE jvm_gc_collection_seconds_total counter\n");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String l = "gc=\"" + gc.getName() + "\"";
            line(b, "jvm_gc_collections_total", l, gc.getCollectionCount());
            line(b, "jvm_gc_collection_seconds_total", l, gc.getCollectionTime() / 1000.0);
        }
        b.append("# TYPE jvm_threads gauge\n");
        line(b, "jvm_threads", "", ManagementFactory.getThreadMXBean().getThreadCount());
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, List<StreamReport> reports,
                              java.util.function.ToDoubleFunction<StreamReport> f) {
        b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n");
        for (StreamReport r : reports) {
            line(b, name, "stream=\"" + r.id() + "\"", f.applyAsDouble(r));
        }
    }

    /** A figure of the stream's model worker ({@link StatsSampler}'s inference map); streams without one are left out. */
    private static void inference(StringBuilder b, String name, String type, String help, List<StreamReport> reports,
                                  String key) {
        b.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(' ')
                .append(type).append('\n');
        for (StreamReport r : reports) {
            Object v = r.inference().get(key);
            if (v instanceof Number n) {
                line(b, name, "stream=\"" + r.id() + "\"", n);
            } else if (v instanceof String variant) {
                line(b, name, "stream=\"" + r.id() + "\"", variant.equals("full") ? 0 : 1);
            }
        }
    }

    private static void line(StringBuilder b, String name, String labels, Number value) {
        b.append(name);
        if (!labels.isEmpty()) {
            b.append('{').append(labels).append('}');
        }
        b.append(' ');
        double v = value.doubleValue();
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            b.append((long) v);
        } else {
            b.append(String.format(Locale.ROOT, "%.4f", v));
        }
        b.append('\n');
    }
}
