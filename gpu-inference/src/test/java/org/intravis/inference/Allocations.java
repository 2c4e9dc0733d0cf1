package org.intravis.inference;

import java.lang.management.ManagementFactory;

/** Reads per-thread allocated bytes (HotSpot's thread allocation counter) for the zero-allocation tests. */
public final class Allocations {
    private static final com.sun.management.ThreadMXBean BEAN =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        BEAN.setThreadAllocatedMemoryEnabled(true);
    }

    private Allocations() {
    }

    /** Bytes allocated so far by the calling thread. */
    public static long current() {
        return BEAN.getCurrentThreadAllocatedBytes();
    }

    /** Bytes allocated so far by another thread. */
    public static long of(Thread t) {
        return BEAN.getThreadAllocatedBytes(t.getId());
    }

    /** What one {@link #current()} call itself costs, to subtract from a measurement. */
    public static long overheadOfCurrent() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            long a = current();
            long b = current();
            min = Math.min(min, b - a);
        }
        return min;
    }
}
