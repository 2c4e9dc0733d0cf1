package org.intravis.ui.igtl;

import org.intravis.pipeline.AnnotationListener;
import org.intravis.pipeline.VideoSink;

/**
 * One stream's OpenIGTLink output, in two parts by thread: {@link #frames()} for the pipeline's video sinks (IMAGE,
 * the tips' TRANSFORMs and POINT list, with the annotations the video branch attached to the frame) and
 * {@link #annotations()} for its annotation listeners (alert STRINGs, zone POLYDATA).
 */
public final class IgtlStream {
    private final IgtlFrameSender frames;
    private final IgtlAnnotationSender annotations;

    IgtlStream(IgtlServer server, int index, IgtlDeviceNames names, double spacingMm) {
        this.frames = new IgtlFrameSender(server, index, names, spacingMm);
        this.annotations = new IgtlAnnotationSender(server, index, names, spacingMm);
    }

    public VideoSink frames() {
        return frames;
    }

    public AnnotationListener annotations() {
        return annotations;
    }

    /** Stops sending (the pipeline's threads may still call). */
    void close() {
        frames.close();
        annotations.close();
    }
}
