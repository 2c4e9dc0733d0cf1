package org.intravis.pipeline;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Per-stream latency histograms, one per {@link LatencyPoint}. Pipeline threads record wait-free into HdrHistogram
 * {@link Recorder}s (no allocation); the metrics reader folds the interval histograms into a running total and a
 * recent window. Values are microseconds, 1 µs to 10 minutes, 3 significant digits.
 */
public final class StageLatency {
    private static final long HIGHEST_MICROS = 600_000_000L;
    private static final long WINDOW_NANOS = 10_000_000_000L;

    private final Recorder[] recorders = new Recorder[LatencyPoint.COUNT];
    private final Histogram[] total = new Histogram[LatencyPoint.COUNT];
    private final Histogram[] recent = new Histogram[LatencyPoint.COUNT];
    private final Histogram[] previousWindow = new Histogram[LatencyPoint.COUNT];
    private final Histogram[] interval = new Histogram[LatencyPoint.COUNT];
    private long windowStartNanos = System.nanoTime();

    public StageLatency() {
        for (int i = 0; i < LatencyPoint.COUNT; i++) {
            recorders[i] = new Recorder(HIGHEST_MICROS, 3);
            total[i] = new Histogram(HIGHEST_MICROS, 3);
            recent[i] = new Histogram(HIGHEST_MICROS, 3);
            previousWindow[i] = new Histogram(HIGHEST_MICROS, 3);
        }
    }

    /** Records the interval between two nanoTime stamps (ignored when either is missing). */
    public void record(LatencyPoint point, long fromNanos, long toNanos) {
        if (fromNanos == 0 || toNanos == 0) {
            return;
        }
        long micros = (toNanos - fromNanos) / 1000L;
        recorders[point.ordinal()].recordValue(Math.min(Math.max(micros, 0), HIGHEST_MICROS));
    }

    /**
     * Folds what was recorded since the last call into the totals (reader side, one thread at a time) and
     * returns a copy-free view: the histograms returned stay owned by this object.
     */
    public synchronized Snapshot snapshot() {
        long now = System.nanoTime();
        boolean roll = now - windowStartNanos > WINDOW_NANOS;
        for (int i = 0; i < LatencyPoint.COUNT; i++) {
            interval[i] = recorders[i].getIntervalHistogram(interval[i]);
            total[i].add(interval[i]);
            if (roll) {
                previousWindow[i].reset();
                previousWindow[i].add(recent[i]);
                recent[i].reset();
            }
            recent[i].add(interval[i]);
        }
        if (roll) {
            windowStartNanos = now;
        }
        return new Snapshot();
    }

    /** Clears everything recorded so far (benchmarks call it after warm-up). */
    public synchronized void reset() {
        for (int i = 0; i < LatencyPoint.COUNT; i++) {
            interval[i] = recorders[i].getIntervalHistogram(interval[i]);
            total[i].reset();
            recent[i].reset();
            previousWindow[i].reset();
        }
        windowStartNanos = System.nanoTime();
    }

    /** The histograms as of the last {@link #snapshot()}. */
    public final class Snapshot {
        /** Everything since start (or the last reset). */
        public Histogram total(LatencyPoint p) {
            return total[p.ordinal()];
        }

        /** The last 10 to 20 seconds. */
        public Histogram recent(LatencyPoint p) {
            Histogram h = recent[p.ordinal()].copy();
            h.add(previousWindow[p.ordinal()]);
            return h;
        }
    }
}
