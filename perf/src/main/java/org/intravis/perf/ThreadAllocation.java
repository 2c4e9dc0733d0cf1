package org.intravis.perf;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes allocated on the Java heap by given threads over an interval ({@code com.sun.management.ThreadMXBean}'s
 * per-thread allocation counter; native memory, such as ONNX Runtime's or FFmpeg's, is not counted). Threads are
 * grouped by role: the name without its stream suffix ({@code video-s3} counts as {@code video}).
 */
final class ThreadAllocation {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final List<Thread> threads;
    private final long[] start;

    private ThreadAllocation(List<Thread> threads) {
        this.threads = List.copyOf(threads);
        this.start = read(this.threads);
    }

    static boolean supported() {
        return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    }

    /** Notes the counters of {@code threads} now. */
    static ThreadAllocation begin(List<Thread> threads) {
        return new ThreadAllocation(threads);
    }

    private static long[] read(List<Thread> threads) {
        long[] out = new long[threads.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = THREADS.getThreadAllocatedBytes(threads.get(i).getId());
        }
        return out;
    }

    /** Bytes allocated since {@link #begin}, by role, in the order the threads were given; -1 when unknown. */
    Map<String, Long> bytesByRole() {
        long[] end = read(threads);
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < end.length; i++) {
            long delta = start[i] < 0 || end[i] < 0 ? -1 : end[i] - start[i];
            out.merge(role(threads.get(i).getName()), delta, (a, b) -> a < 0 || b < 0 ? -1 : a + b);
        }
        return out;
    }

    static String role(String threadName) {
        int dash = threadName.lastIndexOf('-');
        if (threadName.startsWith("infer-") && !threadName.startsWith("infer-feed-")) {
            return "infer-model"; // infer-<model>: one per model, not per stream
        }
        return dash > 0 ? threadName.substring(0, dash) : threadName;
    }
}
