package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/**
 * Version 3 metadata being written: key/value pairs, values as US-ASCII text. Reused message after message by one
 * thread ({@link #clear()}, then {@code put}s): keys are constant byte arrays and numbers are written as digits
 * straight into a buffer allocated once, so a message's metadata allocates nothing.
 */
public final class IgtlMetadata {
    public static final int MAX_ENTRIES = 16;
    private static final int ENTRY_HEADER = 8;

    private final byte[][] keys = new byte[MAX_ENTRIES][];
    private final int[] valueStart = new int[MAX_ENTRIES];
    private final int[] valueLength = new int[MAX_ENTRIES];
    private final ByteBuf values = Unpooled.buffer(1024);
    private int count;

    /** A key as the bytes {@code put} takes (once, at start-up). */
    public static byte[] key(String name) {
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    public IgtlMetadata clear() {
        count = 0;
        values.clear();
        return this;
    }

    public int count() {
        return count;
    }

    public IgtlMetadata put(byte[] key, long value) {
        int start = begin(key);
        AsciiNumbers.writeLong(values, value);
        return end(start);
    }

    /** A number with {@code decimals} digits after the point ({@code NaN} for not-a-number). */
    public IgtlMetadata put(byte[] key, double value, int decimals) {
        int start = begin(key);
        AsciiNumbers.writeDecimal(values, value, decimals);
        return end(start);
    }

    /** A text value (US-ASCII; other characters become '?'). */
    public IgtlMetadata put(byte[] key, CharSequence text) {
        int start = begin(key);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            values.writeByte(c < 0x80 ? c : '?');
        }
        return end(start);
    }

    private int begin(byte[] key) {
        if (count == MAX_ENTRIES) {
            throw new IllegalStateException("more than " + MAX_ENTRIES + " metadata entries");
        }
        keys[count] = key;
        return values.writerIndex();
    }

    private IgtlMetadata end(int start) {
        valueStart[count] = start;
        valueLength[count] = values.writerIndex() - start;
        count++;
        return this;
    }

    /** META_HEADER_SIZE: the index count and one 8-byte entry header per pair. */
    public int headerSize() {
        return 2 + ENTRY_HEADER * count;
    }

    /** META_SIZE: the keys and values. */
    public int dataSize() {
        int n = 0;
        for (int i = 0; i < count; i++) {
            n += keys[i].length + valueLength[i];
        }
        return n;
    }

    /** Writes the metadata header and then the keys and values. */
    public void writeTo(ByteBuf out) {
        out.writeShort(count);
        for (int i = 0; i < count; i++) {
            out.writeShort(keys[i].length);
            out.writeShort(IgtlWire.MIB_US_ASCII);
            out.writeInt(valueLength[i]);
        }
        for (int i = 0; i < count; i++) {
            out.writeBytes(keys[i]);
            out.writeBytes(values, valueStart[i], valueLength[i]);
        }
    }
}
