package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;

/**
 * Writes OpenIGTLink messages into a buffer, several in a row if wanted: {@link #begin} writes the header (and under
 * header version 2 room for the extended header), the caller writes the content, {@link #end} appends the metadata,
 * fills in the sizes and sets the CRC over the body. Nothing is allocated.
 */
public final class IgtlWriter {
    private IgtlWriter() {
    }

    /**
     * Starts a message at the buffer's writer index and returns where it starts (for {@link #end}).
     *
     * @param headerVersion {@link IgtlWire#HEADER_V1} or {@link IgtlWire#HEADER_V2}
     * @param type          a 12-byte type field ({@link IgtlWire#type})
     * @param device        a 20-byte device name field ({@link IgtlWire#device})
     * @param timestamp     OpenIGTLink's timestamp ({@link IgtlWire#timestamp}), 0 for none
     * @param messageId     version 3's message id (ignored under header version 1)
     */
    public static int begin(ByteBuf out, int headerVersion, byte[] type, byte[] device, long timestamp, long messageId) {
        if (headerVersion != IgtlWire.HEADER_V1 && headerVersion != IgtlWire.HEADER_V2) {
            throw new IllegalArgumentException("OpenIGTLink header version must be 1 or 2, was " + headerVersion);
        }
        int start = out.writerIndex();
        out.writeShort(headerVersion);
        out.writeBytes(type, 0, IgtlWire.TYPE_SIZE);
        out.writeBytes(device, 0, IgtlWire.DEVICE_SIZE);
        out.writeLong(timestamp);
        out.writeLong(0); // body size, set by end()
        out.writeLong(0); // CRC, set by end()
        if (headerVersion == IgtlWire.HEADER_V2) {
            out.writeShort(IgtlWire.EXT_HEADER_SIZE);
            out.writeShort(0); // metadata header size, set by end()
            out.writeInt(0); // metadata size, set by end()
            out.writeInt((int) messageId);
        }
        return start;
    }

    /**
     * Ends the message begun at {@code start}: appends the metadata (header version 2 only; null leaves the extended
     * header's metadata sizes as they are, zero unless the caller wrote metadata itself), sets the body size and CRC.
     */
    public static void end(ByteBuf out, int start, IgtlMetadata metadata) {
        int version = out.getUnsignedShort(start + IgtlWire.OFFSET_VERSION);
        int bodyStart = start + IgtlWire.HEADER_SIZE;
        if (version == IgtlWire.HEADER_V2 && metadata != null && metadata.count() > 0) {
            int headerSize = metadata.headerSize();
            int dataSize = metadata.dataSize();
            metadata.writeTo(out);
            out.setShort(bodyStart + 2, headerSize);
            out.setInt(bodyStart + 4, dataSize);
        }
        int bodySize = out.writerIndex() - bodyStart;
        out.setLong(start + IgtlWire.OFFSET_BODY_SIZE, bodySize);
        out.setLong(start + IgtlWire.OFFSET_CRC, Crc64.of(out, bodyStart, bodySize));
    }

    /** Bytes a message adds around its content: header, and under header version 2 the extended header and metadata. */
    public static int overhead(int headerVersion, IgtlMetadata metadata) {
        if (headerVersion == IgtlWire.HEADER_V1) {
            return IgtlWire.HEADER_SIZE;
        }
        int meta = metadata == null || metadata.count() == 0 ? 0 : metadata.headerSize() + metadata.dataSize();
        return IgtlWire.HEADER_SIZE + IgtlWire.EXT_HEADER_SIZE + meta;
    }
}
