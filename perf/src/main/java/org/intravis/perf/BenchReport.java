package org.intravis.perf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.intravis.inference.OrtThreads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One configuration's results as JSON and as a Markdown table. The JSON keeps this shape, which other checks read:
 * {@code {"machine": {...}, "streams": N, "resolution": "WxH", "fps": F, "ours": {"throughput_fps": x,
 * "video_ms": {"p50": x, "p99": x, ...}, "ai_ms": {...}, "alloc_bytes_per_frame": x, ...}, "baseline": {same},
 * "ratios": {"throughput": ours/baseline, "ai_p99": ours/baseline, ...}}}; more fields sit beside these.
 */
final class BenchReport {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Object> machine;
    private final BenchSettings settings;
    private final SystemResult ours;
    private final SystemResult baseline;

    BenchReport(Map<String, Object> machine, BenchSettings settings, SystemResult ours, SystemResult baseline) {
        this.machine = machine;
        this.settings = settings;
        this.ours = ours;
        this.baseline = baseline;
    }

    SystemResult ours() { return ours; }
    SystemResult baseline() { return baseline; }

    ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.set("machine", JSON.valueToTree(machine));
        root.put("streams", settings.streams());
        root.put("resolution", settings.resolution());
        root.put("fps", settings.fps());
        root.put("mode", settings.mode());
        root.put("phantom", settings.phantom());
        root.put("model", settings.model());
        root.put("device", settings.device());
        root.put("encoding", settings.encoding());
        root.put("warmup_s", settings.warmupSeconds());
        root.put("measure_s", settings.measureSeconds());
        ObjectNode cfg = root.putObject("settings");
        cfg.put("ring_size", settings.ringSize());
        cfg.put("wait_strategy", settings.waitStrategy());
        cfg.put("max_batch", settings.maxBatch());
        cfg.put("batch_shape", settings.batchShape());
        cfg.put("conv_search", settings.convSearch());
        cfg.put("budget_ms", settings.budgetMs());
        cfg.put("model_step_down", settings.modelStepDown());
        cfg.put("encoder_step_down", settings.encoderStepDown());
        cfg.put("intra_op_threads", settings.intraOpThreads());
        cfg.put("post_threads", org.intravis.inference.InferenceSettings.postThreadsFor(settings.postThreads(),
                Runtime.getRuntime().availableProcessors()));
        // what ours runs with (0: ONNX Runtime's default, which the baseline keeps)
        OrtThreads ortThreads = OrtThreads.live(settings.intraOpThreads(), settings.device(),
                Runtime.getRuntime().availableProcessors(), settings.streams());
        cfg.put("intra_op_threads_ours", ortThreads.intraOp());
        cfg.put("intra_op_spinning_ours", ortThreads.spinning());
        cfg.put("inference_backend", settings.remoteUrl() == null ? "local" : "remote " + settings.remoteUrl());
        cfg.put("baseline_queue", settings.baselineQueue());
        cfg.put("buffered_frames", settings.bufferedFrames());
        cfg.put("loop_frames", settings.loopFrames());
        cfg.put("render", settings.liveRender() ? "live" : "replay");
        cfg.put("clients_per_stream", settings.clientsPerStream());
        cfg.put("h264_encoder", settings.h264Encoder());
        root.set("ours", ours == null ? null : system(ours));
        root.set("baseline", baseline == null ? null : system(baseline));
        if (ours != null && baseline != null) {
            ObjectNode r = root.putObject("ratios");
            putRatio(r, "throughput", ours.throughputFps(), baseline.throughputFps());
            putRatio(r, "ai_p99", ms(ours.overlay(), 99), ms(baseline.overlay(), 99));
            putRatio(r, "video_p99", ms(ours.video(), 99), ms(baseline.video(), 99));
            putRatio(r, "ai_throughput", ours.aiFps(), baseline.aiFps());
        } else {
            root.putNull("ratios");
        }
        return root;
    }

    private static void putRatio(ObjectNode n, String name, double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            n.putNull(name);
        } else {
            n.put(name, round(a / b, 3));
        }
    }

    private ObjectNode system(SystemResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("throughput_fps", round(r.throughputFps(), 2));
        n.set("video_ms", percentiles(r.video()));
        n.set("ai_ms", percentiles(r.overlay()));
        double alloc = r.allocBytesPerFrame();
        n.put("alloc_bytes_per_frame", alloc < 0 ? -1 : round(alloc, 1));
        n.put("ai_fps", round(r.aiFps(), 2));
        n.put("device_used", r.deviceUsed());
        n.put("note", r.note());
        n.put("governors", r.governors());
        n.put("measured_s", round(r.seconds(), 2));
        ObjectNode f = n.putObject("frames");
        f.put("due", r.framesDue());
        f.put("read", r.framesIn());
        f.put("video_received", r.videoReceived());
        f.put("overlays_valid_received", r.overlaysValid());
        f.put("overlays_failed_received", r.overlaysFailed());
        f.put("video_mbit_per_s", round(r.videoBytes() * 8 / 1e6 / r.seconds(), 2));
        n.set("counters", JSON.valueToTree(r.counters()));
        ObjectNode stages = n.putObject("stages_ms");
        r.stages().forEach((k, h) -> stages.set(k, percentiles(h)));
        ObjectNode alloc2 = n.putObject("alloc_bytes_per_frame_by_role");
        long frames = r.framesIn();
        r.allocationByRole().forEach((k, v) -> alloc2.put(k, v < 0 || frames == 0 ? -1 : round((double) v / frames, 1)));
        ObjectNode gc = n.putObject("gc");
        gc.put("collections", r.gc()[0]);
        gc.put("time_ms", r.gc()[1]);
        gc.put("max_pause_ms", r.gc()[2]);
        n.set("cpu_cores", JSON.valueToTree(r.cpuCores()));
        if (!r.batchSizes().isEmpty()) {
            ObjectNode b = n.putObject("batch_sizes");
            r.batchSizes().forEach((k, v) -> b.put(Integer.toString(k), v));
        }
        n.put("load_average_start", r.loadStart());
        n.put("load_average_end", r.loadEnd());
        return n;
    }

    private static ObjectNode percentiles(Histogram h) {
        ObjectNode p = JSON.createObjectNode();
        boolean empty = h.getTotalCount() == 0;
        for (String[] q : new String[][] {{"p50", "50"}, {"p90", "90"}, {"p99", "99"}, {"p999", "99.9"}}) {
            if (empty) {
                p.putNull(q[0]);
            } else {
                p.put(q[0], round(h.getValueAtPercentile(Double.parseDouble(q[1])) / 1000.0, 3));
            }
        }
        if (empty) {
            p.putNull("max");
            p.putNull("mean");
        } else {
            p.put("max", round(h.getMaxValue() / 1000.0, 3));
            p.put("mean", round(h.getMean() / 1000.0, 3));
        }
        p.put("count", h.getTotalCount());
        return p;
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    // ------------------------------------------------------------------ Markdown

    String toMarkdown() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "# intravis latency: %d × %s at %s fps, model %s on %s (%s mode)%n%n",
                settings.streams(), settings.resolution(), num(settings.fps()), settings.model(), settings.device(),
                settings.mode()));
        b.append(String.format(Locale.ROOT, "Machine: %s cores, %s, %s GiB, GPU %s; %s; %s; commit %s%s.%n",
                machine.get("cores"), machine.get("cpu"), machine.get("memory_gib"),
                machine.get("gpu") == null ? "none" : machine.get("gpu"), machine.get("jdk"), machine.get("date"),
                machine.get("git_commit"), "true".equals(machine.get("git_dirty")) ? " (with local changes)" : ""));
        b.append(String.format(Locale.ROOT, "Load average (1/5/15 min) at start of each measurement: ours %s, "
                        + "baseline %s (what ran just before counts too: earlier runs, other processes).%n%n",
                ours == null ? "-" : ours.loadStart(), baseline == null ? "-" : baseline.loadStart()));
        b.append(String.format(Locale.ROOT, "Phantom %s, frames %s on a fixed %s fps clock per stream, %s "
                        + "to the clients; warm-up %s s, measured %s s; latency from each frame's scheduled capture "
                        + "time to its arrival at a WebSocket client on loopback.%n%n",
                settings.phantom(), settings.liveRender() ? "rendered live" : "replayed", num(settings.fps()),
                settings.encoding().equals("h264") ? "h264 (" + settings.h264Encoder() + ")" : settings.encoding(),
                num(settings.warmupSeconds()), num(settings.measureSeconds())));
        if (ours != null && !ours.note().isEmpty()) {
            b.append("Note (ours): ").append(ours.note()).append("\n\n");
        }
        if (baseline != null && !baseline.note().isEmpty()) {
            b.append("Note (baseline): ").append(baseline.note()).append("\n\n");
        }
        if (ours != null && !ours.governors().isEmpty()) {
            b.append("Governors (ours), at the end: ").append(ours.governors()).append("\n\n");
        }

        b.append("## End to end\n\n| | ours | baseline | ours / baseline |\n| --- | --- | --- | --- |\n");
        row(b, "video frames delivered /s", ours == null ? null : ours.throughputFps(),
                baseline == null ? null : baseline.throughputFps(), 1);
        row(b, "overlays delivered /s", ours == null ? null : ours.aiFps(), baseline == null ? null : baseline.aiFps(), 1);
        for (String[] q : new String[][] {{"p50", "50"}, {"p90", "90"}, {"p99", "99"}, {"p99.9", "99.9"}}) {
            double p = Double.parseDouble(q[1]);
            row(b, "video path " + q[0] + " ms", ours == null ? null : ms(ours.video(), p),
                    baseline == null ? null : ms(baseline.video(), p), 1);
        }
        row(b, "video path max ms", ours == null ? null : max(ours.video()), baseline == null ? null : max(baseline.video()), 1);
        for (String[] q : new String[][] {{"p50", "50"}, {"p90", "90"}, {"p99", "99"}, {"p99.9", "99.9"}}) {
            double p = Double.parseDouble(q[1]);
            row(b, "AI path " + q[0] + " ms", ours == null ? null : ms(ours.overlay(), p),
                    baseline == null ? null : ms(baseline.overlay(), p), 1);
        }
        row(b, "AI path max ms", ours == null ? null : max(ours.overlay()), baseline == null ? null : max(baseline.overlay()), 1);
        row(b, "heap bytes allocated per frame", ours == null ? null : ours.allocBytesPerFrame(),
                baseline == null ? null : baseline.allocBytesPerFrame(), 0);
        b.append(String.format(Locale.ROOT, "| GC: collections / total ms / longest ms | %s | %s | |%n",
                gc(ours), gc(baseline)));
        b.append('\n');

        b.append("## Stages (ms: p50 / p99 / max)\n\n| stage | ours | baseline |\n| --- | --- | --- |\n");
        Set<String> names = new LinkedHashSet<>();
        if (ours != null) {
            names.addAll(ours.stages().keySet());
        }
        if (baseline != null) {
            names.addAll(baseline.stages().keySet());
        }
        for (String name : names) {
            b.append("| ").append(name).append(" | ").append(triple(ours, name)).append(" | ")
                    .append(triple(baseline, name)).append(" |\n");
        }
        b.append('\n');

        b.append("## Frames, drops and skips (measured interval)\n\n| count | ours | baseline |\n| --- | --- | --- |\n");
        Set<String> counters = new LinkedHashSet<>(java.util.List.of("due", "read", "video_received",
                "overlays_valid_received", "overlays_failed_received"));
        if (ours != null) {
            counters.addAll(ours.counters().keySet());
        }
        if (baseline != null) {
            counters.addAll(baseline.counters().keySet());
        }
        for (String c : counters) {
            b.append("| ").append(c).append(" | ").append(count(ours, c)).append(" | ").append(count(baseline, c))
                    .append(" |\n");
        }
        b.append('\n');
        if (ours != null && !ours.batchSizes().isEmpty()) {
            b.append("Pipeline ONNX Runtime calls by batch size: ").append(ours.batchSizes()).append("\n\n");
        }
        if (ours != null) {
            b.append("Heap bytes per frame by thread role (ours): ").append(perFrame(ours)).append("\n\n");
        }
        if (baseline != null) {
            b.append("Heap bytes per frame by thread role (baseline): ").append(perFrame(baseline)).append("\n\n");
        }
        for (SystemResult r : new SystemResult[] {ours, baseline}) {
            if (r != null) {
                b.append("CPU used, cores (").append(r.name()).append("): ").append(r.cpuCores()).append("\n\n");
            }
        }
        return b.toString();
    }

    private static String perFrame(SystemResult r) {
        StringBuilder b = new StringBuilder();
        long frames = r.framesIn();
        r.allocationByRole().forEach((k, v) -> b.append(b.length() > 0 ? ", " : "").append(k).append(' ')
                .append(v < 0 || frames == 0 ? "?" : String.format(Locale.ROOT, "%.0f", (double) v / frames)));
        return b.toString();
    }

    private static String count(SystemResult r, String name) {
        if (r == null) {
            return "-";
        }
        long v = switch (name) {
            case "due" -> r.framesDue();
            case "read" -> r.framesIn();
            case "video_received" -> r.videoReceived();
            case "overlays_valid_received" -> r.overlaysValid();
            case "overlays_failed_received" -> r.overlaysFailed();
            default -> r.counters().getOrDefault(name, Long.MIN_VALUE);
        };
        return v == Long.MIN_VALUE ? "-" : Long.toString(v);
    }

    private static String triple(SystemResult r, String stage) {
        if (r == null || !r.stages().containsKey(stage) || r.stages().get(stage).getTotalCount() == 0) {
            return "-";
        }
        Histogram h = r.stages().get(stage);
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    private static String gc(SystemResult r) {
        return r == null ? "-" : r.gc()[0] + " / " + r.gc()[1] + " / " + r.gc()[2];
    }

    private static double max(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
    }

    private static void row(StringBuilder b, String label, Double a, Double c, int digits) {
        String fa = fmt(a, digits);
        String fc = fmt(c, digits);
        String ratio = a == null || c == null || a.isNaN() || c.isNaN() || c == 0 ? "" : fmt(a / c, 2);
        b.append("| ").append(label).append(" | ").append(fa).append(" | ").append(fc).append(" | ").append(ratio)
                .append(" |\n");
    }

    private static String fmt(Double v, int digits) {
        if (v == null || v.isNaN()) {
            return "-";
        }
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Writes {@code json} and the Markdown beside it (same name, .md). */
    void write(Path json) throws IOException {
        Path parent = json.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(json.toFile(), toJson());
        Files.writeString(markdownPath(json), toMarkdown());
    }

    static Path markdownPath(Path json) {
        String name = json.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return json.resolveSibling(stem + ".md");
    }
}
