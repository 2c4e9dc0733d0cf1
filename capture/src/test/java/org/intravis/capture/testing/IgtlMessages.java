package org.intravis.capture.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.intravis.capture.igtl.IgtlTransform;
import org.intravis.capture.igtl.IgtlWire;
import org.intravis.capture.igtl.IgtlWriter;

/** OpenIGTLink messages as a peer sends them, for the codec's tests here and the server's in surgical-ui. */
public final class IgtlMessages {
    private IgtlMessages() {
    }

    /** A version-1 TRANSFORM from {@code device}: a translation of (1, 2, 3), timestamp and message id 0. */
    public static ByteBuf transform(String device) {
        ByteBuf wire = Unpooled.buffer();
        int start = IgtlWriter.begin(wire, IgtlWire.HEADER_V1, IgtlWire.type("TRANSFORM"), IgtlWire.device(device), 0, 0);
        IgtlTransform.writeTranslation(wire, 1, 2, 3);
        IgtlWriter.end(wire, start, null);
        return wire;
    }
}
