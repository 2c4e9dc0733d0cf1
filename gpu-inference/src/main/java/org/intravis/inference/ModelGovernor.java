package org.intravis.inference;

import org.intravis.pipeline.StepHysteresis;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses the graph a model's worker runs: the full one, or its cheaper fallback ({@link ModelSpec#fallback()}) when
 * the worker cannot keep up, and back with hysteresis ({@link StepHysteresis}). It judges by what the worker really
 * does, in windows of about a second:
 * <ul>
 *   <li><b>coverage</b>: frames published / frames the streams offered (every frame a stream wanted inferred; the
 *       rest were replaced, deferred, or skipped past their budget);</li>
 *   <li><b>busy</b>: the share of the window the worker spent running the model.</li>
 * </ul>
 * Behind: coverage under {@value #DOWN_COVERAGE}. The full graph fits: coverage at least {@value #UP_COVERAGE} and
 * its predicted busy share (busy x its cost / the fallback's, from the worker's run-time estimates) under
 * {@value #UP_BUSY}.
 * <p>
 * {@link #offered()} is called by the feeds (any thread); everything else on the worker's thread, except the
 * getters the status reads. Nothing is allocated.
 */
final class ModelGovernor {
    static final double DOWN_COVERAGE = 0.8;
    static final double UP_COVERAGE = 0.95;
    static final double UP_BUSY = 0.8;

    private final long windowNanos;
    private final AtomicLong offers = new AtomicLong();
    private final StepHysteresis steps;

    // worker thread
    private long windowStart;
    private long offersAtStart;
    private long doneInWindow;
    private long busyInWindow;

    // read by the status
    private volatile double coverage = 1;
    private volatile double busy;

    /** @param variants the graphs the backend has (1: nothing to choose; the governor only measures) */
    ModelGovernor(int variants, long windowNanos) {
        this.windowNanos = windowNanos;
        this.steps = new StepHysteresis(variants - 1);
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
            return steps.step();
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
        if (offered == 0) {
            return steps.step(); // nothing asked: nothing to judge
        }
        return steps.window(cov < DOWN_COVERAGE, cov >= UP_COVERAGE && b * fullCostOverFallback < UP_BUSY);
    }

    int variant() { return steps.step(); }
    long stepDowns() { return steps.stepDowns(); }
    long stepUps() { return steps.stepUps(); }
    /** Frames published / offered in the last window. */
    double coverage() { return coverage; }
    /** Share of the last window spent running the model. */
    double busy() { return busy; }
}
