package org.intravis.capture;

/**
 * Told by a {@code recording:} source, on the stream's capture thread, about each recorded frame it delivers, so
 * that the application can publish the overlay recorded with it (or a fresh model's) before the frame is published
 * to the ring. Must not block: the capture thread calls it.
 */
public interface ReplayListener {

    /**
     * The frame at {@code position} of {@code frames} is about to be delivered. {@code pipelineFrameId} is the id the
     * stream's pipeline will give it (the capture agent numbers every frame a source delivers from 0, so it is
     * the number of frames delivered before this one).
     */
    void onFrame(RecordedFrames frames, int position, long pipelineFrameId);

    /** No frame this time (paused, or waiting for the frame's time); called at most every few milliseconds. */
    default void onIdle() {
    }
}
