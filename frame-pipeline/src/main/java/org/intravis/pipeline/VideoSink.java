package org.intravis.pipeline;

/**
 * A consumer on the video branch (an encoder and fan-out, a burn-in renderer): called on the stream's video
 * thread for every frame the branch keeps, after the newest completed annotations are attached to the slot.
 * <p>
 * Must not block and must not keep a reference to the slot after returning (it is reused for a later frame).
 * A sink that encodes stamps {@link Stage#ENCODED}; one that hands the result to clients stamps
 * {@link Stage#SENT}. Exceptions are counted and logged by the branch, never allowed to stop the video.
 */
@FunctionalInterface
public interface VideoSink {
    void onFrame(FrameSlot slot);
}
