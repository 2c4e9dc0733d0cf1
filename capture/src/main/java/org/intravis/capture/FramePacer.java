package org.intravis.capture;

/**
 * Plays recorded frames at their own rate: compares each frame's presentation time with a monotonic clock
 * anchored at the first frame. It re-anchors (plays on at once) when timestamps jump backwards or far ahead,
 * or when the reader has fallen more than a second behind, so a broken timestamp never freezes or bursts playback.
 */
public final class FramePacer {
    private static final long MAX_AHEAD_NANOS = 5_000_000_000L;
    private static final long MAX_BEHIND_NANOS = 1_000_000_000L;

    private boolean anchored;
    private long anchorNanos;
    private long anchorPtsMicros;
    private long lastPtsMicros;

    /**
     * Nanoseconds to wait before the frame with {@code ptsMicros} is due at {@code nowNanos}; zero or less means
     * due now. Calling it again for the same frame is fine (the caller may wait in steps).
     */
    public long nanosUntilDue(long ptsMicros, long nowNanos) {
        if (!anchored || ptsMicros < lastPtsMicros) {
            anchor(ptsMicros, nowNanos);
            return 0;
        }
        lastPtsMicros = ptsMicros;
        long wait = (ptsMicros - anchorPtsMicros) * 1000L - (nowNanos - anchorNanos);
        if (wait > MAX_AHEAD_NANOS || wait < -MAX_BEHIND_NANOS) {
            anchor(ptsMicros, nowNanos);
            return 0;
        }
        return wait;
    }

    /** Forget the anchor (after a pause or a seek): the next frame plays at once. */
    public void reset() {
        anchored = false;
    }

    private void anchor(long ptsMicros, long nowNanos) {
        anchored = true;
        anchorNanos = nowNanos;
        anchorPtsMicros = ptsMicros;
        lastPtsMicros = ptsMicros;
    }
}
