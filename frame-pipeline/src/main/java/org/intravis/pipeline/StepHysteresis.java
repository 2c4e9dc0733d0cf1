package org.intravis.pipeline;

/**
 * When a load governor steps down (cheaper work) or back up, judged one window (about a second) at a time, with
 * hysteresis: down after {@value #DOWN_WINDOWS} windows in a row that are behind; up one step after {@code upWindows}
 * windows in a row in which the step above would fit. A step up that has to come down again within
 * {@value #RELAPSE_WINDOWS} windows doubles {@code upWindows} (from {@value #BASE_UP_WINDOWS} up to
 * {@value #MAX_UP_WINDOWS}), so a load at the edge does not flap; a step down long after the last step up starts
 * again from {@value #BASE_UP_WINDOWS}. Every step is counted.
 * <p>
 * {@link #window} is called by one thread; the getters may be read from any. Nothing is allocated.
 */
public final class StepHysteresis {
    public static final int DOWN_WINDOWS = 2;
    public static final int BASE_UP_WINDOWS = 5;
    public static final int MAX_UP_WINDOWS = 64;
    public static final int RELAPSE_WINDOWS = 10;

    private final int maxStep;
    private int downStreak;
    private int upStreak;
    private int upWindows = BASE_UP_WINDOWS;
    private long windowsSinceUp = Long.MAX_VALUE;
    private volatile int step;
    private volatile long stepDowns;
    private volatile long stepUps;

    /** @param maxStep the lowest (cheapest) step; 0 never steps */
    public StepHysteresis(int maxStep) {
        if (maxStep < 0) {
            throw new IllegalArgumentException("maxStep must be 0 or more, was " + maxStep);
        }
        this.maxStep = maxStep;
    }

    /**
     * One window's verdict: {@code behind} (the work does not keep up: step down when it can) and {@code fits} (the
     * step above would keep up). Returns the step to use from now on (0: the full work).
     */
    public int window(boolean behind, boolean fits) {
        if (windowsSinceUp != Long.MAX_VALUE) {
            windowsSinceUp++;
        }
        if (behind && step < maxStep) {
            upStreak = 0;
            if (++downStreak >= DOWN_WINDOWS) {
                if (windowsSinceUp <= RELAPSE_WINDOWS) {
                    upWindows = Math.min(MAX_UP_WINDOWS, upWindows * 2); // it could not hold the step above
                } else if (windowsSinceUp != Long.MAX_VALUE) {
                    upWindows = BASE_UP_WINDOWS;
                }
                downStreak = 0;
                stepDowns++;
                step++;
            }
            return step;
        }
        downStreak = 0;
        if (step > 0 && fits && !behind) {
            if (++upStreak >= upWindows) {
                upStreak = 0;
                stepUps++;
                windowsSinceUp = 0;
                step--;
            }
        } else {
            upStreak = 0;
        }
        return step;
    }

    public int step() { return step; }
    public int maxStep() { return maxStep; }
    public long stepDowns() { return stepDowns; }
    public long stepUps() { return stepUps; }
    /** Windows in a row that must fit before the next step up. */
    public int upWindows() { return upWindows; }
}
