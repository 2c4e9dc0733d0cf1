package org.intravis.ui.igtl;

import org.intravis.capture.igtl.IgtlWire;

/**
 * What a stream's two OpenIGTLink senders share: the server and its clients, the stream's index and device names,
 * its pixel spacing and the header version messages go out with. {@link IgtlFrameSender} sends what comes with each
 * frame (video thread), {@link IgtlAnnotationSender} what comes with each inference (the model's thread).
 */
abstract class IgtlStreamSender {
    protected final IgtlServer server;
    protected final int index;
    protected final IgtlDeviceNames names;
    protected final double streamSpacingMm;
    protected final int headerVersion;
    /** Whether messages carry version 3's extended header and metadata. */
    protected final boolean v3;

    IgtlStreamSender(IgtlServer server, int index, IgtlDeviceNames names, double spacingMm) {
        this.server = server;
        this.index = index;
        this.names = names;
        this.streamSpacingMm = spacingMm;
        this.headerVersion = server.settings().headerVersion();
        this.v3 = headerVersion == IgtlWire.HEADER_V2;
    }
}
