package org.intravis.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the process's CPU time went over an interval: per JVM thread role (capture, video, infer-feed, the model
 * worker, Vert.x event loops, ...) from {@code ThreadMXBean#getThreadCpuTime}, and the rest of the process (native
 * threads: ONNX Runtime's intra-op pool, FFmpeg's) as {@code native+other}. Reported in cores (CPU seconds per
 * second), which shows what a 2-core machine spends its time on; {@code machine} is every process on the machine
 * (other sessions included), {@code process} this JVM.
 */
final class ThreadCpu {
    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> startCpu = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final long startProcess;
    private final long[] startMachine;
    private final long startNanos;

    private ThreadCpu() {
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null) {
                long cpu = THREADS.getThreadCpuTime(t.getThreadId());
                startCpu.put(t.getThreadId(), Math.max(0, cpu));
                names.put(t.getThreadId(), t.getThreadName());
            }
        }
        startProcess = processCpu();
        startMachine = machineTicks();
        startNanos = System.nanoTime();
    }

    /** {busy, total} jiffies of all CPUs from /proc/stat (every process on the machine), or null. */
    private static long[] machineTicks() {
        try {
            String line = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    static ThreadCpu begin() {
        return new ThreadCpu();
    }

    private static long processCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** Cores used per role since {@link #begin()}, largest first, with {@code process} the whole. */
    Map<String, Double> coresByRole() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Long> nanos = new TreeMap<>();
        long jvm = 0;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(t.getThreadId());
            if (cpu < 0) {
                continue;
            }
            long delta = cpu - startCpu.getOrDefault(t.getThreadId(), 0L);
            jvm += delta;
            nanos.merge(roleOf(t.getThreadName()), delta, Long::sum);
        }
        long process = processCpu();
        Map<String, Double> out = new LinkedHashMap<>();
        long[] machine = machineTicks();
        if (machine != null && startMachine != null && machine[1] > startMachine[1]) {
            // the whole machine, other sessions included: busy share of all cores, in cores
            double share = (double) (machine[0] - startMachine[0]) / (machine[1] - startMachine[1]);
            out.put("machine", round(share * Runtime.getRuntime().availableProcessors()));
        }
        if (process >= 0 && startProcess >= 0) {
            long all = process - startProcess;
            out.put("process", round(all / 1e9 / seconds));
            nanos.put("native+other", Math.max(0, all - jvm));
        }
        nanos.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .filter(e -> e.getValue() / 1e9 / seconds >= 0.005)
                .forEach(e -> out.put(e.getKey(), round(e.getValue() / 1e9 / seconds)));
        return out;
    }

    private static String roleOf(String name) {
        if (name.startsWith("vert.x-eventloop")) {
            return "vert.x-eventloop";
        }
        if (name.startsWith("vert.x-")) {
            return "vert.x-other";
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ")) {
            return "gc";
        }
        if (name.startsWith("C1 ") || name.startsWith("C2 ")) {
            return "jit";
        }
        return ThreadAllocation.role(name);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
