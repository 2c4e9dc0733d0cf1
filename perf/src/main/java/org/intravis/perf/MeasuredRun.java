package org.intravis.perf;

import io.vertx.core.Vertx;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one {@link SystemUnderTest}: connects the clients, starts capture, warms up, then measures an interval.
 * At the start of the interval every histogram is restarted and every counter (frames, drops, allocation, GC) is
 * noted; at its end the differences are the result. Nothing is stopped between warm-up and measurement.
 */
final class MeasuredRun {
    private MeasuredRun() {
    }

    static SystemResult measure(SystemUnderTest sut, BenchSettings s, Vertx clientVertx, PrintStream log)
            throws Exception {
        List<LatencyClient> clients = new ArrayList<>();
        try (GcWatch gc = new GcWatch()) {
            for (int i = 0; i < s.streams(); i++) {
                for (int c = 0; c < s.clientsPerStream(); c++) {
                    clients.add(new LatencyClient(clientVertx, sut.port(), sut.path(i), sut.source(i)));
                }
            }
            sut.start();
            log.printf("  %s: %d stream(s) started, warming up %.0f s%n", sut.name(), s.streams(), s.warmupSeconds());
            Thread.sleep(Math.round(s.warmupSeconds() * 1000));

            // ---- the measured interval begins ----
            String loadStart = MachineInfo.loadAverage();
            for (LatencyClient c : clients) {
                c.videoSince();
                c.overlaySince();
            }
            sut.resetStages();
            for (int i = 0; i < s.streams(); i++) {
                sut.source(i).latenessSince();
            }
            Map<String, Long> countersStart = sut.counters();
            long[] clientStart = sumCounts(clients);
            Map<Integer, Long> batchesStart = batchSizes(sut);
            ThreadAllocation alloc = ThreadAllocation.begin(sut.pipelineThreads());
            gc.begin();
            ThreadCpu cpu = ThreadCpu.begin();
            long t0 = System.nanoTime();
            long dueStart = due(sut, s, t0);
            log.printf("  %s: measuring %.0f s (load average %s)%n", sut.name(), s.measureSeconds(), loadStart);
            Thread.sleep(Math.round(s.measureSeconds() * 1000));
            long t1 = System.nanoTime();
            long dueEnd = due(sut, s, t1);
            Map<String, Long> allocation = alloc.bytesByRole();
            Map<String, Double> cores = cpu.coresByRole();
            long[] gcSince = gc.since();
            Map<String, Long> countersEnd = sut.counters();
            long[] clientEnd = sumCounts(clients);
            Histogram video = new Histogram(600_000_000L, 3);
            Histogram overlay = new Histogram(600_000_000L, 3);
            for (LatencyClient c : clients) {
                video.add(c.videoSince());
                overlay.add(c.overlaySince());
            }
            Map<String, Histogram> stages = new LinkedHashMap<>();
            Histogram lateness = new Histogram(600_000_000L, 3);
            for (int i = 0; i < s.streams(); i++) {
                lateness.add(sut.source(i).latenessSince());
            }
            stages.put("scheduled_to_captured", lateness);
            stages.putAll(sut.stages());
            String loadEnd = MachineInfo.loadAverage();
            // ---- end of the interval ----

            Map<String, Long> counters = new LinkedHashMap<>();
            countersEnd.forEach((k, v) -> counters.put(k, k.endsWith("_now") ? v : v - countersStart.getOrDefault(k, 0L)));
            Map<Integer, Long> batches = new LinkedHashMap<>();
            batchSizes(sut).forEach((k, v) -> batches.put(k, v - batchesStart.getOrDefault(k, 0L)));
            int perStream = s.clientsPerStream();
            double seconds = (t1 - t0) / 1e9;
            counters.put("unknown_frame_ids", clientEnd[5] - clientStart[5]);
            return new SystemResult(sut.name(), sut.deviceUsed(), sut.note(), sut.governors(), seconds, dueEnd - dueStart,
                    (clientEnd[0] - clientStart[0]) / perStream, (clientEnd[2] - clientStart[2]) / perStream,
                    (clientEnd[3] - clientStart[3]) / perStream, (clientEnd[1] - clientStart[1]) / perStream,
                    video, overlay, stages, counters, allocation, gcSince, cores, batches, loadStart, loadEnd);
        } finally {
            for (LatencyClient c : clients) {
                c.close();
            }
        }
    }

    private static long due(SystemUnderTest sut, BenchSettings s, long now) {
        long sum = 0;
        for (int i = 0; i < s.streams(); i++) {
            sum += sut.source(i).due(now);
        }
        return sum;
    }

    private static long[] sumCounts(List<LatencyClient> clients) {
        long[] sum = new long[6];
        for (LatencyClient c : clients) {
            long[] k = c.counts();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += k[i];
            }
        }
        return sum;
    }

    private static Map<Integer, Long> batchSizes(SystemUnderTest sut) {
        return sut instanceof PipelineUnderTest p ? p.batchSizes() : Map.of();
    }
}
