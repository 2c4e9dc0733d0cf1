package org.intravis.ui.igtl;

import org.intravis.capture.igtl.IgtlMetadata;
import org.intravis.capture.igtl.IgtlWire;
import org.intravis.pipeline.Annotations;

/**
 * What a stream's two OpenIGTLink senders share: the server and its clients, the stream's index and device names,
 * its pixel spacing and the header version messages go out with. {@link IgtlFrameSender} sends what comes with each
 * frame (video thread), {@link IgtlAnnotationSender} what comes with each inference (the thread that decoded the
 * row: the model's worker or one of its post-processing helpers, one at a time, in frame order).
 */
abstract class IgtlStreamSender {
    private static final IgtlClient[] NOBODY = new IgtlClient[0];

    protected final IgtlServer server;
    protected final int index;
    protected final IgtlDeviceNames names;
    protected final double streamSpacingMm;
    protected final int headerVersion;
    /** Whether messages carry version 3's extended header and metadata. */
    protected final boolean v3;
    /** The metadata of the message being written (version 3), reused: touched by one thread at a time. */
    protected final IgtlMetadata meta = new IgtlMetadata();
    /** The next message's id, counted per sender: one thread at a time. */
    protected long messageId;
    private volatile boolean closed;

    IgtlStreamSender(IgtlServer server, int index, IgtlDeviceNames names, double spacingMm) {
        this.server = server;
        this.index = index;
        this.names = names;
        this.streamSpacingMm = spacingMm;
        this.headerVersion = server.settings().headerVersion();
        this.v3 = headerVersion == IgtlWire.HEADER_V2;
    }

    /** Millimetres per pixel: the annotations' own when they are {@code known} and say it, else the stream's; 0: unknown. */
    protected final double spacingMm(Annotations a, boolean known) {
        return known && a.pixelSpacingMm() > 0 ? a.pixelSpacingMm() : streamSpacingMm;
    }

    /** Whom to send to now: the server's clients, and nobody after {@link #close()}, so nothing more is sent. */
    protected final IgtlClient[] clients() {
        return closed ? NOBODY : server.clients();
    }

    void close() {
        closed = true;
    }
}
