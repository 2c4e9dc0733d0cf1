package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/** The STRING content (string.md): ENCODING uint16 (MIBenum; 3 = US-ASCII), LENGTH uint16, then the bytes. */
public final class IgtlString {
    public static final int MAX_LENGTH = 65535;

    private IgtlString() {
    }

    /** Writes the header for {@code length} US-ASCII bytes; the caller writes the bytes. */
    public static void writeHeader(ByteBuf out, int length) {
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("STRING of " + length + " bytes (at most " + MAX_LENGTH + ")");
        }
        out.writeShort(IgtlWire.MIB_US_ASCII);
        out.writeShort(length);
    }

    public static String read(ByteBuf content) {
        int c = content.readerIndex();
        if (content.readableBytes() < 4) {
            throw new IgtlProtocolException("STRING content of " + content.readableBytes() + " bytes has no header");
        }
        int encoding = content.getUnsignedShort(c);
        int length = content.getUnsignedShort(c + 2);
        if (length != content.readableBytes() - 4) {
            throw new IgtlProtocolException("STRING says " + length + " bytes, its content has "
                    + (content.readableBytes() - 4));
        }
        Charset cs = encoding == IgtlWire.MIB_UTF_8 ? StandardCharsets.UTF_8
                : encoding == IgtlWire.MIB_US_ASCII ? StandardCharsets.US_ASCII : StandardCharsets.ISO_8859_1;
        return content.toString(c + 4, length, cs);
    }
}
