package org.intravis.capture.igtl;

import java.nio.charset.StandardCharsets;

/**
 * The fixed parts of the OpenIGTLink wire format (protocol docs: header.md, v3_proposal.md): the 58-byte header,
 * version 3's 12-byte extended header, the type names, and fixed-length ASCII fields. Every number is big-endian.
 * <pre>
 *   header (58)       V uint16 | TYPE char[12] | DEVICE_NAME char[20] | TIME_STAMP uint64 | BODY_SIZE uint64 | CRC uint64
 *   body              header version 1: the content
 *                     header version 2: EXT_HEADER_SIZE uint16 | META_HEADER_SIZE uint16 | META_SIZE uint32 | MSG_ID uint32
 *                                       | content | metadata header (INDEX_COUNT uint16, 8 bytes per entry) | keys and values
 * </pre>
 * The CRC ({@link Crc64}) covers the whole body.
 */
public final class IgtlWire {
    /** Header version 1: protocol versions 1 and 2, read by every peer. */
    public static final int HEADER_V1 = 1;
    /** Header version 2: protocol version 3, with the extended header and metadata. */
    public static final int HEADER_V2 = 2;
    public static final int HEADER_SIZE = 58;
    public static final int TYPE_SIZE = 12;
    public static final int DEVICE_SIZE = 20;
    public static final int EXT_HEADER_SIZE = 12;

    public static final int OFFSET_VERSION = 0;
    public static final int OFFSET_TYPE = 2;
    public static final int OFFSET_DEVICE = 14;
    public static final int OFFSET_TIMESTAMP = 34;
    public static final int OFFSET_BODY_SIZE = 42;
    public static final int OFFSET_CRC = 50;

    /** MIBenum of US-ASCII, the encoding STRING messages and metadata values are sent in. */
    public static final int MIB_US_ASCII = 3;
    /** MIBenum of UTF-8. */
    public static final int MIB_UTF_8 = 106;

    public static final String IMAGE = "IMAGE";
    public static final String TRANSFORM = "TRANSFORM";
    public static final String POINT = "POINT";
    public static final String STRING = "STRING";
    public static final String POLYDATA = "POLYDATA";

    private IgtlWire() {
    }

    /**
     * A name as its fixed-length, zero-padded field ({@code length} 12 for types, 20 for device names); refused when it
     * is longer or not printable ASCII, since a peer would cut or garble it.
     */
    public static byte[] field(String name, int length) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        if (b.length > length) {
            throw new IllegalArgumentException("OpenIGTLink name '" + name + "' is longer than " + length + " bytes");
        }
        for (int i = 0; i < b.length; i++) {
            if (b[i] < 0x20 || b[i] > 0x7e || name.charAt(i) > 0x7e) {
                throw new IllegalArgumentException("OpenIGTLink name '" + name + "' is not printable ASCII");
            }
        }
        byte[] out = new byte[length];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** A message type's 12-byte field. */
    public static byte[] type(String type) {
        return field(type, TYPE_SIZE);
    }

    /** A device name's 20-byte field. */
    public static byte[] device(String name) {
        return field(name, DEVICE_SIZE);
    }

    /** Epoch microseconds as OpenIGTLink's timestamp: seconds in the high 32 bits, the fraction (1/2^32 s) below. */
    public static long timestamp(long epochMicros) {
        long seconds = Math.floorDiv(epochMicros, 1_000_000L);
        long micros = Math.floorMod(epochMicros, 1_000_000L);
        return (seconds << 32) | ((micros << 32) / 1_000_000L);
    }

    /** OpenIGTLink's timestamp as epoch microseconds (0 stays 0: "unused"). */
    public static long epochMicros(long timestamp) {
        long seconds = timestamp >>> 32;
        long fraction = timestamp & 0xffffffffL;
        return seconds * 1_000_000L + ((fraction * 1_000_000L + (1L << 31)) >>> 32);
    }
}
