package org.intravis.perf;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One Markdown table over the configurations of a sweep (streams × frame rates), one row per system measured. */
final class SweepSummary {
    private SweepSummary() {
    }

    static String markdown(List<BenchSettings> runs, List<BenchReport> reports) {
        StringBuilder b = new StringBuilder();
        BenchSettings first = runs.get(0);
        Map<String, Object> machine = MachineInfo.describe();
        b.append(String.format(Locale.ROOT, "# intravis latency sweep: %s, model %s on %s, %s%n%n", first.resolution(),
                first.model(), first.device(), first.encoding()));
        b.append(String.format(Locale.ROOT, "Machine: %s cores, %s, GPU %s; %s; %s; commit %s%n%n", machine.get("cores"),
                machine.get("cpu"), machine.get("gpu") == null ? "none" : machine.get("gpu"), machine.get("jdk"),
                machine.get("date"), machine.get("git_commit")));
        b.append("Latency from scheduled capture to arrival at a WebSocket client, ms. Drops: frames lost at the source, "
                + "at the ring, skipped by the video branch, and video messages a client did not get.\n\n");
        b.append("| streams | fps | system | device | video fps (due) | overlays /s | video p50 / p99 / max | "
                + "AI p50 / p99 / max | heap B/frame | GC max ms | drops | load |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (int i = 0; i < runs.size(); i++) {
            BenchSettings s = runs.get(i);
            BenchReport r = reports.get(i);
            for (SystemResult sys : new SystemResult[] {r.ours(), r.baseline()}) {
                if (sys == null) {
                    continue;
                }
                Map<String, Long> c = sys.counters();
                long drops = c.getOrDefault("source_overrun", 0L) + c.getOrDefault("dropped_ring_full", 0L)
                        + c.getOrDefault("video_skipped", 0L) + c.getOrDefault("client_video_dropped", 0L);
                b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %.1f (%.1f) | %.1f | %s | %s | %.0f | %d | %d | %s |%n",
                        s.streams(), fmt(s.fps()), sys.name(), sys.deviceUsed(), sys.throughputFps(),
                        sys.framesDue() / sys.seconds(), sys.aiFps(), triple(sys.video()), triple(sys.overlay()),
                        sys.allocBytesPerFrame(), sys.gc()[2], drops, sys.loadStart()));
            }
        }
        return b.toString();
    }

    private static String triple(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
