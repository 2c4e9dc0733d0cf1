package org.intravis.pipeline;

/**
 * The kind of imaging a source delivers, as the source declares it ({@link FrameSource#modality()}): it picks a
 * stream's model when the configuration names none. {@link #UNKNOWN} is a source that cannot tell (a video file,
 * a capture card).
 */
public enum Modality {
    ULTRASOUND,
    FLUOROSCOPY,
    ENDOSCOPY,
    UNKNOWN
}
