package org.intravis.streamer;

import io.netty.buffer.ByteBuf;

/**
 * The fixed header that starts every binary video message (big-endian; docs/protocol.md has the table).
 *
 * <pre>
 *  0  u8[2] magic 'I' 'V'          8  i64 frame id              36 u16 width
 *  2  u8    version (1)           16  i64 capture, epoch µs     38 u16 height
 *  3  u8    type (1 = video)      24  i64 encoded, epoch µs     40 i64 attached overlay frame id (-1 none)
 *  4  u8    encoding (1 H.264,    32  u32 encoder sequence      48 i32 attached overlay age ms (-1 none)
 *           2 JPEG)                                             52 u8  attached overlay status (0 NONE, 1 VALID, 2 FAILED)
 *  5  u8    flags (bit0 key frame, bit1 burned-in, bit2 overlay fresh)            53 u8  alert level (0..3)
 *  6  u16   header length (56)                                  54 u16 reserved (0)
 *                                                               56 payload
 * </pre>
 *
 * The encoder sequence counts the messages of one encoder without gaps, so a receiver (server-side per client,
 * or a page) can tell that an H.264 message follows the one it last decoded; after a gap it must wait for a
 * key frame.
 */
public final class FrameHeader {
    public static final byte MAGIC_0 = 'I';
    public static final byte MAGIC_1 = 'V';
    public static final int VERSION = 1;
    public static final int TYPE_VIDEO = 1;
    public static final int TYPE_HEATMAP = 2;
    public static final int LENGTH = 56;

    public static final int FLAG_KEY = 1;
    public static final int FLAG_BURNED = 1 << 1;
    public static final int FLAG_OVERLAY_FRESH = 1 << 2;

    public static final int OFFSET_TYPE = 3;
    public static final int OFFSET_ENCODING = 4;
    public static final int OFFSET_FLAGS = 5;
    public static final int OFFSET_HEADER_LENGTH = 6;
    public static final int OFFSET_FRAME_ID = 8;
    public static final int OFFSET_CAPTURE_US = 16;
    public static final int OFFSET_ENCODED_US = 24;
    public static final int OFFSET_SEQUENCE = 32;
    public static final int OFFSET_WIDTH = 36;
    public static final int OFFSET_HEIGHT = 38;
    public static final int OFFSET_OVERLAY_FRAME_ID = 40;
    public static final int OFFSET_OVERLAY_AGE_MS = 48;
    public static final int OFFSET_OVERLAY_STATUS = 52;
    public static final int OFFSET_ALERT_LEVEL = 53;

    private FrameHeader() {
    }

    /** The header's code for an overlay status: 0 NONE (nothing known), 1 VALID, 2 FAILED. */
    public static int overlayStatus(org.intravis.pipeline.Annotations.Status s) {
        return switch (s) {
            case NONE -> 0;
            case VALID -> 1;
            case FAILED -> 2;
        };
    }

    /** Writes the header at the buffer's writer index (the payload follows). */
    public static void write(ByteBuf out, Encoding encoding, int flags, long frameId, long captureEpochMicros,
                             long encodedEpochMicros, long sequence, int width, int height, long overlayFrameId,
                             long overlayAgeMillis, int overlayStatus, int alertLevel) {
        out.writeByte(MAGIC_0).writeByte(MAGIC_1).writeByte(VERSION).writeByte(TYPE_VIDEO);
        out.writeByte(encoding.code()).writeByte(flags).writeShort(LENGTH);
        out.writeLong(frameId);
        out.writeLong(captureEpochMicros);
        out.writeLong(encodedEpochMicros);
        out.writeInt((int) sequence);
        out.writeShort(width).writeShort(height);
        out.writeLong(overlayFrameId);
        out.writeInt((int) Math.max(-1, Math.min(Integer.MAX_VALUE, overlayAgeMillis)));
        out.writeByte(overlayStatus).writeByte(alertLevel).writeShort(0);
    }

    /** Reads the flags of a video message without decoding the rest (the fan-out checks key frames). */
    public static int flags(ByteBuf msg) {
        return msg.getUnsignedByte(msg.readerIndex() + OFFSET_FLAGS);
    }

    /** Reads the encoder sequence of a video message. */
    public static long sequence(ByteBuf msg) {
        return msg.getUnsignedInt(msg.readerIndex() + OFFSET_SEQUENCE);
    }

    public static boolean isKey(ByteBuf msg) {
        return (flags(msg) & FLAG_KEY) != 0;
    }

    /** A decoded header, for tests and Java clients (allocates; never used on the server's frame path). */
    public record Video(Encoding encoding, int flags, int headerLength, long frameId, long captureEpochMicros,
                        long encodedEpochMicros, long sequence, int width, int height, long overlayFrameId,
                        int overlayAgeMillis, int overlayStatus, int alertLevel) {
        public boolean key() { return (flags & FLAG_KEY) != 0; }
        public boolean burned() { return (flags & FLAG_BURNED) != 0; }
        public boolean overlayFresh() { return (flags & FLAG_OVERLAY_FRESH) != 0; }
    }

    /**
     * Decodes the header at the reader index without moving it; the payload starts at
     * {@code readerIndex + headerLength}. Fails with a clear message on anything that is not a version-1 video
     * message.
     */
    public static Video decode(ByteBuf msg) {
        int r = msg.readerIndex();
        if (msg.readableBytes() < 8) {
            throw new IllegalArgumentException("message too short for a header: " + msg.readableBytes() + " bytes");
        }
        if (msg.getByte(r) != MAGIC_0 || msg.getByte(r + 1) != MAGIC_1) {
            throw new IllegalArgumentException("bad magic: not an intravis binary message");
        }
        int version = msg.getUnsignedByte(r + 2);
        if (version != VERSION) {
            throw new IllegalArgumentException("unsupported header version " + version);
        }
        int type = msg.getUnsignedByte(r + OFFSET_TYPE);
        if (type != TYPE_VIDEO) {
            throw new IllegalArgumentException("not a video message (type " + type + ")");
        }
        int headerLength = msg.getUnsignedShort(r + OFFSET_HEADER_LENGTH);
        if (headerLength < LENGTH || msg.readableBytes() < headerLength) {
            throw new IllegalArgumentException("header length " + headerLength + " invalid for a message of "
                    + msg.readableBytes() + " bytes");
        }
        return new Video(Encoding.ofCode(msg.getUnsignedByte(r + OFFSET_ENCODING)),
                msg.getUnsignedByte(r + OFFSET_FLAGS), headerLength,
                msg.getLong(r + OFFSET_FRAME_ID), msg.getLong(r + OFFSET_CAPTURE_US), msg.getLong(r + OFFSET_ENCODED_US),
                msg.getUnsignedInt(r + OFFSET_SEQUENCE), msg.getUnsignedShort(r + OFFSET_WIDTH),
                msg.getUnsignedShort(r + OFFSET_HEIGHT), msg.getLong(r + OFFSET_OVERLAY_FRAME_ID),
                msg.getInt(r + OFFSET_OVERLAY_AGE_MS), msg.getUnsignedByte(r + OFFSET_OVERLAY_STATUS),
                msg.getUnsignedByte(r + OFFSET_ALERT_LEVEL));
    }
}
