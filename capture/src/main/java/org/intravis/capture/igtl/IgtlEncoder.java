package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes {@link IgtlMessage}s: the header of the message's version, under header version 2 the extended header and
 * its metadata (values in UTF-8), and the CRC over the body. For messages made as objects (replies, tests, tools); the
 * server's per-frame messages are written straight into their buffers by {@link IgtlWriter}.
 */
@ChannelHandler.Sharable
public final class IgtlEncoder extends MessageToByteEncoder<IgtlMessage> {

    @Override
    protected void encode(ChannelHandlerContext ctx, IgtlMessage m, ByteBuf out) {
        write(m, out);
    }

    /** Writes one message into {@code out}. */
    public static void write(IgtlMessage m, ByteBuf out) {
        int start = IgtlWriter.begin(out, m.headerVersion(), IgtlWire.type(m.type()), IgtlWire.device(m.deviceName()),
                m.timestamp(), m.messageId());
        out.writeBytes(m.content(), m.content().readerIndex(), m.content().readableBytes());
        int bodyStart = start + IgtlWire.HEADER_SIZE;
        if (m.headerVersion() == IgtlWire.HEADER_V2 && !m.metadata().isEmpty()) {
            int metaStart = out.writerIndex();
            out.writeShort(m.metadata().size());
            for (Map.Entry<String, String> e : m.metadata().entrySet()) {
                out.writeShort(e.getKey().getBytes(StandardCharsets.US_ASCII).length);
                out.writeShort(IgtlWire.MIB_UTF_8);
                out.writeInt(e.getValue().getBytes(StandardCharsets.UTF_8).length);
            }
            int headerSize = out.writerIndex() - metaStart;
            for (Map.Entry<String, String> e : m.metadata().entrySet()) {
                out.writeBytes(e.getKey().getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
            out.setShort(bodyStart + 2, headerSize);
            out.setInt(bodyStart + 4, out.writerIndex() - metaStart - headerSize);
        }
        IgtlWriter.end(out, start, null); // null: the metadata is written above; end() keeps its sizes when given none
    }
}
