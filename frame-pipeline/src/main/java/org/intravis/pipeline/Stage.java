package org.intravis.pipeline;

/**
 * The points of a frame's life that are stamped with {@link System#nanoTime()}, once each.
 * <p>
 * CAPTURED, ENCODED and SENT describe the frame itself on the video path. PREPROCESSED and INFERRED in a
 * {@link FrameSlot} describe the annotations attached to that frame (the inference branch never writes a
 * slot it does not own; it stamps its own {@link Annotations} and the video branch copies them in).
 */
public enum Stage {
    CAPTURED, PREPROCESSED, INFERRED, ENCODED, SENT;

    public static final int COUNT = values().length;
}
