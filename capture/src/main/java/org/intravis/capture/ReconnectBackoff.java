package org.intravis.capture;

/**
 * Exponential back-off between reconnect attempts of a live source: the first retry after {@code initialMillis},
 * each further one twice as late, never later than {@code maxMillis}; {@link #reset()} after a good frame.
 */
public final class ReconnectBackoff {
    private final long initialMillis;
    private final long maxMillis;
    private int attempt;

    public ReconnectBackoff(long initialMillis, long maxMillis) {
        if (initialMillis <= 0 || maxMillis < initialMillis) {
            throw new IllegalArgumentException("reconnect back-off needs 0 < initial <= max, got initial="
                    + initialMillis + " ms, max=" + maxMillis + " ms");
        }
        this.initialMillis = initialMillis;
        this.maxMillis = maxMillis;
    }

    /** Counts a failure and returns how long to wait before the next attempt. */
    public long nextDelayMillis() {
        attempt++;
        int doublings = Math.min(attempt - 1, 30);
        long delay = initialMillis << doublings;
        return delay <= 0 || delay > maxMillis ? maxMillis : delay;
    }

    /** Failures since the last reset: the number of the attempt that will come next. */
    public int attempt() {
        return attempt;
    }

    public void reset() {
        attempt = 0;
    }
}
