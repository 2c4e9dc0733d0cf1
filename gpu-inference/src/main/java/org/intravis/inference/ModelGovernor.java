package org.intravis.inference;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses the graph a model's worker runs: the full one, or its cheaper fallback ({@link ModelSpec#fallback()}) when
 * the worker cannot keep up, and back with hysteresis. It judges by what the worker really does, in windows of about
 * a second:
 * <ul>
 *   <li><b>coverage</b>: frames published / frames the streams offered (every frame a stream wanted inferred; the
 *       rest were replaced, deferred, or skipped past their budget);</li>
 *   <li><b>busy</b>: the share of the window the worker spent running the model.</li>
 * </ul>
 * Down: coverage under {@value #DOWN_COVERAGE} in {@value #DOWN_WINDOWS} windows in a row. Up: coverage at least
 * {@value #UP_COVERAGE} and the full graph's predicted busy share (busy x its cost / the fallback's, from the
 * worker's run-time estimates) under {@value #UP_BUSY}, for {@code upWindows} windows in a row; a step up that has
 * to step down again within {@value #RELAPSE_WINDOWS} windows doubles {@code upWindows} (up to
 * {@value #MAX_UP_WINDOWS}), so a load at the edge does not flap. Every step is counted.
 * <p>
 * {@link #offered()} is called by the feeds (any thread); everything else on the worker's thread, except the
 * getters the status reads. Nothing is allocated.
 */
final class ModelGovernor {
    static final double DOWN_COVERAGE = 0.8;
    static final int DOWN_WINDOWS = 2;
    static final double UP_COVERAGE = 0.95;
    static final double UP_BUSY = 0.8;
    static final int BASE_UP_WINDOWS = 5;
    static final int MAX_UP_WINDOWS = 64;
    static final int RELAPSE_WINDOWS = 10;

    private final int variants;
    private final long windowNanos;
    private final AtomicLong offers = new AtomicLong();

    // worker thread
    private long windowStart;
    private long offersAtStart;
    private long doneInWindow;
    private long busyInWindow;
    private int downStreak;
    private int upStreak;
    private int upWindows = BASE_UP_WINDOWS;
    private long windowsSinceUp = Long.MAX_VALUE;

    // read by the status
    private volatile int variant;
    private volatile long stepDowns;
    private volatile long stepUps;
    private volatile double coverage = 1;
    private volatile double busy;

    /** @param variants the graphs the backend has (1: nothing to choose; the governor only measures) */
    ModelGovernor(int variants, long windowNanos) {
        this.variants = variants;
        this.windowNanos = windowNanos;
    }

    /** A stream offered a frame for inference (feed threads). */
    void offered() {
        offers.incrementAndGet();
    }

    /**
     * After a batch (worker thread): {@code published} rows came out of a run of {@code runNanos}. Returns the
     * variant to run next.
     */
    int afterBatch(long now, int published, long runNanos, double fullCostOverFallback) {
        if (windowStart == 0) {
            windowStart = now;
            offersAtStart = offers.get();
        }
        doneInWindow += published;
        busyInWindow += runNanos;
        long elapsed = now - windowStart;
        if (elapsed < windowNanos) {
            return variant;
        }
        long o = offers.get();
        long offered = o - offersAtStart;
        double cov = offered == 0 ? 1 : Math.min(1, (double) doneInWindow / offered);
        double b = Math.min(1, (double) busyInWindow / elapsed);
        coverage = cov;
        busy = b;
        windowStart = now;
        offersAtStart = o;
        doneInWindow = 0;
        busyInWindow = 0;
        if (windowsSinceUp != Long.MAX_VALUE) {
            windowsSinceUp++;
        }
        if (variants < 2 || offered == 0) {
            return variant;
        }
        if (variant == 0) {
            downStreak = cov < DOWN_COVERAGE ? downStreak + 1 : 0;
            if (downStreak >= DOWN_WINDOWS) {
                if (windowsSinceUp <= RELAPSE_WINDOWS) {
                    upWindows = Math.min(MAX_UP_WINDOWS, upWindows * 2); // it could not hold the full graph
                } else if (windowsSinceUp != Long.MAX_VALUE) {
                    upWindows = BASE_UP_WINDOWS;
                }
                variant = 1;
                stepDowns++;
                downStreak = 0;
                upStreak = 0;
            }
        } else {
            boolean fits = cov >= UP_COVERAGE && b * fullCostOverFallback < UP_BUSY;
            upStreak = fits ? upStreak + 1 : 0;
            if (upStreak >= upWindows) {
                variant = 0;
                stepUps++;
                upStreak = 0;
                downStreak = 0;
                windowsSinceUp = 0;
            }
        }
        return variant;
    }

    int variant() { return variant; }
    long stepDowns() { return stepDowns; }
    long stepUps() { return stepUps; }
    /** Frames published / offered in the last window. */
    double coverage() { return coverage; }
    /** Share of the last window spent running the model. */
    double busy() { return busy; }
    /** Windows in a row the fallback must fit before stepping up now. */
    int upWindows() { return upWindows; }
}
