package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import org.intravis.pipeline.Annotations;

import java.nio.charset.StandardCharsets;

/**
 * The explainability layer as a binary message (type 2): the model's per-class confidence, 8-bit, on a small
 * grid that the page stretches over the frame. Sent at a lower rate than overlays. Big-endian:
 *
 * <pre>
 *  0 u8[2] magic 'I' 'V'   8  i64 source frame id          28 u16 frame width
 *  2 u8    version (1)     16 i64 capture, epoch µs        30 u16 frame height
 *  3 u8    type (2)        24 u16 grid width               32 classes x 16 bytes: class name, ASCII, NUL-padded
 *  4 u8    classes (1..4)  26 u16 grid height              then classes x height x width bytes (class-major,
 *  5 u8    flags (0)                                            row-major), 0..255 meaning confidence 0..1
 *  6 u16   header length (32 + 16 x classes)
 * </pre>
 */
public final class HeatmapMessage {
    public static final int FIXED_LENGTH = 32;
    public static final int NAME_BYTES = 16;

    private HeatmapMessage() {
    }

    /** Bytes needed for the heat map currently held by {@code a}. */
    public static int size(Annotations a) {
        int c = a.heatmapClasses();
        return FIXED_LENGTH + NAME_BYTES * c + c * a.heatmapWidth() * a.heatmapHeight();
    }

    /** Writes the heat map of {@code a} (classes &gt; 0) at the writer index. */
    public static void write(ByteBuf out, Annotations a) {
        int c = a.heatmapClasses();
        int headerLength = FIXED_LENGTH + NAME_BYTES * c;
        out.writeByte(FrameHeader.MAGIC_0).writeByte(FrameHeader.MAGIC_1).writeByte(FrameHeader.VERSION)
                .writeByte(FrameHeader.TYPE_HEATMAP);
        out.writeByte(c).writeByte(0).writeShort(headerLength);
        out.writeLong(a.heatmapFrameId());
        out.writeLong(a.captureEpochMicros());
        out.writeShort(a.heatmapWidth()).writeShort(a.heatmapHeight());
        out.writeShort(a.frameWidth()).writeShort(a.frameHeight());
        for (int k = 0; k < c; k++) {
            String name = a.heatmapClassName(k);
            int n = 0;
            for (; n < Math.min(NAME_BYTES, name.length()); n++) {
                char ch = name.charAt(n);
                out.writeByte(ch < 0x80 ? ch : '?');
            }
            out.writeZero(NAME_BYTES - n);
        }
        out.writeBytes(a.heatmap, 0, c * a.heatmapWidth() * a.heatmapHeight());
    }

    /** A decoded heat map message (tests and Java clients). */
    public record Decoded(long frameId, long captureEpochMicros, int gridWidth, int gridHeight, int frameWidth,
                          int frameHeight, String[] classNames, byte[] values) {
        /** Confidence 0..255 of class {@code c} at grid cell (x, y). */
        public int value(int c, int x, int y) {
            return values[(c * gridHeight + y) * gridWidth + x] & 0xff;
        }
    }

    public static Decoded decode(ByteBuf msg) {
        int r = msg.readerIndex();
        if (msg.readableBytes() < FIXED_LENGTH || msg.getByte(r) != FrameHeader.MAGIC_0
                || msg.getByte(r + 1) != FrameHeader.MAGIC_1 || msg.getUnsignedByte(r + 3) != FrameHeader.TYPE_HEATMAP) {
            throw new IllegalArgumentException("not a heat map message");
        }
        int c = msg.getUnsignedByte(r + 4);
        int headerLength = msg.getUnsignedShort(r + 6);
        int w = msg.getUnsignedShort(r + 24);
        int h = msg.getUnsignedShort(r + 26);
        String[] names = new String[c];
        for (int k = 0; k < c; k++) {
            byte[] b = new byte[NAME_BYTES];
            msg.getBytes(r + FIXED_LENGTH + k * NAME_BYTES, b);
            int n = 0;
            while (n < NAME_BYTES && b[n] != 0) {
                n++;
            }
            names[k] = new String(b, 0, n, StandardCharsets.US_ASCII);
        }
        byte[] values = new byte[c * w * h];
        if (msg.readableBytes() < headerLength + values.length) {
            throw new IllegalArgumentException("heat map message truncated");
        }
        msg.getBytes(r + headerLength, values);
        return new Decoded(msg.getLong(r + 8), msg.getLong(r + 16), w, h, msg.getUnsignedShort(r + 28),
                msg.getUnsignedShort(r + 30), names, values);
    }
}
