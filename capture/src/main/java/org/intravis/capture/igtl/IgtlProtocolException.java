package org.intravis.capture.igtl;

import io.netty.handler.codec.CorruptedFrameException;

/** A peer sent something that is not OpenIGTLink, or a damaged message: the connection cannot be trusted further. */
public final class IgtlProtocolException extends CorruptedFrameException {
    public IgtlProtocolException(String message) {
        super(message);
    }
}
