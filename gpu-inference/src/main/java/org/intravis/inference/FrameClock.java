package org.intravis.inference;

import org.intravis.pipeline.FrameSlot;

import static org.intravis.pipeline.FrameSlot.NO_PTS;

/**
 * A stream's frame time, the clock its tip tracks move on and its alerts and zone average are held by: from one
 * frame of the stream to the next it advances by the difference of their presentation times when both are known
 * (every frame from the ring has one: the source's, or its capture time since the stream's first frame when the
 * source gives none), else by the difference of their capture times. Why not capture time alone: an offline
 * analysis reads frames as fast as the model takes them, so their capture times are the machine's speed, not the
 * video's; tips then moved, and look-ahead alerts fired, by how busy the machine was, and two analyses of the needle
 * clip put tips up to 11-23 px apart. With the presentation time the same video gives the same tracks, offline or
 * live.
 * <p>
 * The step to the frame just given may be negative or large (a seek, a reconnected source: {@link SceneCut} judges
 * it); the clock itself only moves forward. One per stream, one thread at a time; no allocation.
 */
public final class FrameClock {
    private boolean started;
    private long lastCapturedNanos;
    private long lastPtsMicros = NO_PTS;
    private long nanos;

    /**
     * Moves to the next frame of the stream.
     *
     * @param capturedNanos the frame's capture time (nanoTime)
     * @param ptsMicros     its presentation time, or {@link FrameSlot#NO_PTS}
     * @return the step from the stream's previous frame in nanoseconds (0 for the first frame; negative when the
     *         frame's time went back)
     */
    public long advance(long capturedNanos, long ptsMicros) {
        long step = 0;
        if (!started) {
            started = true;
            nanos = capturedNanos;
        } else {
            step = ptsMicros != NO_PTS && lastPtsMicros != NO_PTS ? (ptsMicros - lastPtsMicros) * 1_000
                    : capturedNanos - lastCapturedNanos;
            nanos += Math.max(0, step);
        }
        lastCapturedNanos = capturedNanos;
        lastPtsMicros = ptsMicros;
        return step;
    }

    /** The time of the frame last given, in nanoseconds (the first frame's capture time plus the steps since). */
    public long nanos() {
        return nanos;
    }
}
