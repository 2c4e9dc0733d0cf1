package org.intravis.inference;

import java.util.Arrays;

/**
 * How long a run of each batch size takes: the 90th percentile of the last {@value #WINDOW} runs of that size.
 * Sizes not yet measured are scaled linearly from the nearest measured size (or the default guess). Used by the
 * worker to close a batch in time for its oldest frame's budget. One thread; allocation-free.
 */
final class RunTimeEstimator {
    static final int WINDOW = 32;

    private final long[][] samples;
    private final int[] count;
    private final int[] next;
    private final long[] p90;
    private final long[] scratch = new long[WINDOW];
    private final long defaultNanos;

    RunTimeEstimator(int maxBatch, long defaultNanos) {
        samples = new long[maxBatch + 1][WINDOW];
        count = new int[maxBatch + 1];
        next = new int[maxBatch + 1];
        p90 = new long[maxBatch + 1];
        this.defaultNanos = defaultNanos;
    }

    void record(int batch, long nanos) {
        samples[batch][next[batch]] = nanos;
        next[batch] = (next[batch] + 1) % WINDOW;
        if (count[batch] < WINDOW) {
            count[batch]++;
        }
        int n = count[batch];
        System.arraycopy(samples[batch], 0, scratch, 0, n);
        Arrays.sort(scratch, 0, n);
        p90[batch] = scratch[Math.min(n - 1, (int) Math.ceil(0.9 * n) - 1)];
    }

    /** Estimated (p90) run time of a batch of {@code batch} rows, nanoseconds. */
    long estimate(int batch) {
        if (count[batch] > 0) {
            return p90[batch];
        }
        for (int d = 1; d < p90.length; d++) {
            int lo = batch - d;
            int hi = batch + d;
            if (lo >= 1 && count[lo] > 0) {
                return p90[lo] * batch / lo;
            }
            if (hi < p90.length && count[hi] > 0) {
                return p90[hi] * batch / hi;
            }
        }
        return defaultNanos * batch;
    }

    /** Measured p90 per batch size (0 where unmeasured), milliseconds, index = batch size. */
    double[] p90Millis() {
        double[] out = new double[p90.length];
        for (int b = 1; b < p90.length; b++) {
            out[b] = count[b] > 0 ? p90[b] / 1e6 : 0;
        }
        return out;
    }
}
