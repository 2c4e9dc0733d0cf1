package org.intravis.pipeline;

/**
 * Wall-clock time (epoch microseconds) derived from {@link System#nanoTime()} so that one monotonic read
 * per stage gives both the latency stamp and a capture time that browsers can compare with their own clock.
 * Anchored once at class load; the drift of the two clocks over a session is far below a frame period.
 */
public final class PipelineClock {
    private static final long ANCHOR_NANOS = System.nanoTime();
    private static final long ANCHOR_EPOCH_MICROS = System.currentTimeMillis() * 1000L;

    private PipelineClock() {
    }

    /** Epoch microseconds corresponding to a {@link System#nanoTime()} reading. */
    public static long epochMicros(long nanoTime) {
        return ANCHOR_EPOCH_MICROS + (nanoTime - ANCHOR_NANOS) / 1000L;
    }

    /** Epoch microseconds now. */
    public static long epochMicrosNow() {
        return epochMicros(System.nanoTime());
    }

    /** {@link System#nanoTime()} value corresponding to epoch microseconds (inverse of {@link #epochMicros}). */
    public static long nanoTimeOf(long epochMicros) {
        return ANCHOR_NANOS + (epochMicros - ANCHOR_EPOCH_MICROS) * 1000L;
    }
}
