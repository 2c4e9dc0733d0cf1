package org.intravis.pipeline;

import java.util.concurrent.atomic.AtomicLongArray;

/** A stream's {@link Counter}s: wait-free increments from the pipeline threads, read by the metrics thread. */
public final class StreamCounters {
    private final AtomicLongArray values = new AtomicLongArray(Counter.COUNT);

    public void increment(Counter c) {
        values.getAndIncrement(c.ordinal());
    }

    public void add(Counter c, long delta) {
        values.getAndAdd(c.ordinal(), delta);
    }

    public long get(Counter c) {
        return values.get(c.ordinal());
    }
}
