package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a byte stream into {@link IgtlMessage}s: header versions 1 and 2, the CRC checked over every body, version 3's
 * extended header and metadata taken apart. What cannot be OpenIGTLink fails with an {@link IgtlProtocolException}
 * that says what was wrong, and from then on the rest of the stream is discarded (the handler that catches it closes
 * the connection): a header version other than 1 or 2, a type or device name that is not ASCII, a body larger than
 * {@code maxBodyBytes} (refused as soon as its header arrives, before anything is buffered for it), a CRC that does
 * not match, extended-header or metadata sizes that do not fit the body. A connection that ends inside a message
 * fails the same way ("ended inside ...").
 * <p>
 * The content is a retained slice of the received bytes (no copy).
 */
public final class IgtlDecoder extends ByteToMessageDecoder {
    /** Default body limit: a 4K RGB frame is 25 MB; beyond 64 MiB nothing this engine reads is plausible. */
    public static final long DEFAULT_MAX_BODY_BYTES = 64L << 20;

    private final long maxBodyBytes;
    private boolean failed;

    public IgtlDecoder() {
        this(DEFAULT_MAX_BODY_BYTES);
    }

    public IgtlDecoder(long maxBodyBytes) {
        if (maxBodyBytes <= 0 || maxBodyBytes > Integer.MAX_VALUE - IgtlWire.HEADER_SIZE) {
            throw new IllegalArgumentException("maxBodyBytes must be 1.." + (Integer.MAX_VALUE - IgtlWire.HEADER_SIZE));
        }
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            IgtlMessage m = decodeOne(in);
            if (m != null) {
                out.add(m);
            }
        } catch (IgtlProtocolException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        if (!failed && in.isReadable()) {
            int n = in.readableBytes();
            String what = n < IgtlWire.HEADER_SIZE ? "a header (" + n + " of " + IgtlWire.HEADER_SIZE + " bytes)"
                    : headerText(in) + " (" + (n - IgtlWire.HEADER_SIZE) + " of "
                    + in.getLong(in.readerIndex() + IgtlWire.OFFSET_BODY_SIZE) + " body bytes)";
            failed = true;
            in.skipBytes(n);
            throw new IgtlProtocolException("the connection ended inside " + what);
        }
    }

    private IgtlMessage decodeOne(ByteBuf in) {
        if (in.readableBytes() < IgtlWire.HEADER_SIZE) {
            return null;
        }
        int h = in.readerIndex();
        int version = in.getUnsignedShort(h + IgtlWire.OFFSET_VERSION);
        if (version != IgtlWire.HEADER_V1 && version != IgtlWire.HEADER_V2) {
            throw new IgtlProtocolException("not an OpenIGTLink header: version " + version + " (1 or 2 expected)");
        }
        String type = ascii(in, h + IgtlWire.OFFSET_TYPE, IgtlWire.TYPE_SIZE, "type");
        if (type.isEmpty()) {
            throw new IgtlProtocolException("not an OpenIGTLink header: empty type name");
        }
        String device = ascii(in, h + IgtlWire.OFFSET_DEVICE, IgtlWire.DEVICE_SIZE, "device name");
        long bodySize = in.getLong(h + IgtlWire.OFFSET_BODY_SIZE);
        if (bodySize < 0 || bodySize > maxBodyBytes) {
            throw new IgtlProtocolException(describe(type, device) + " announces a body of "
                    + Long.toUnsignedString(bodySize) + " bytes, over the limit of " + maxBodyBytes);
        }
        if (in.readableBytes() < IgtlWire.HEADER_SIZE + bodySize) {
            return null;
        }
        int body = h + IgtlWire.HEADER_SIZE;
        int size = (int) bodySize;
        long crc = in.getLong(h + IgtlWire.OFFSET_CRC);
        long actual = Crc64.of(in, body, size);
        if (crc != actual) {
            throw new IgtlProtocolException(describe(type, device) + ": CRC mismatch over its " + size
                    + "-byte body (header says " + Long.toHexString(crc) + ", body gives " + Long.toHexString(actual) + ")");
        }
        long timestamp = in.getLong(h + IgtlWire.OFFSET_TIMESTAMP);
        long messageId = 0;
        Map<String, String> metadata = Map.of();
        int contentStart = body;
        int contentSize = size;
        if (version == IgtlWire.HEADER_V2) {
            if (size < IgtlWire.EXT_HEADER_SIZE) {
                throw new IgtlProtocolException(describe(type, device) + ": a version 3 body of " + size
                        + " bytes has no room for its " + IgtlWire.EXT_HEADER_SIZE + "-byte extended header");
            }
            int extSize = in.getUnsignedShort(body);
            int metaHeaderSize = in.getUnsignedShort(body + 2);
            long metaSize = in.getUnsignedInt(body + 4);
            messageId = in.getUnsignedInt(body + 8);
            long content = size - (long) extSize - metaHeaderSize - metaSize;
            if (extSize < IgtlWire.EXT_HEADER_SIZE || content < 0) {
                throw new IgtlProtocolException(describe(type, device) + ": extended header (" + extSize
                        + " bytes), metadata header (" + metaHeaderSize + ") and metadata (" + metaSize
                        + ") do not fit its " + size + "-byte body");
            }
            contentStart = body + extSize;
            contentSize = (int) content;
            if (metaHeaderSize > 0) {
                metadata = metadata(in, contentStart + contentSize, metaHeaderSize, (int) metaSize, type, device);
            }
        }
        ByteBuf contentBuf = in.retainedSlice(contentStart, contentSize);
        in.skipBytes(IgtlWire.HEADER_SIZE + size);
        return new IgtlMessage(version, type, device, timestamp, messageId, metadata, contentBuf);
    }

    private static Map<String, String> metadata(ByteBuf in, int start, int headerSize, int dataSize, String type,
                                                String device) {
        int count = headerSize >= 2 ? in.getUnsignedShort(start) : -1;
        if (count < 0 || headerSize != 2 + 8 * count) {
            throw new IgtlProtocolException(describe(type, device) + ": metadata header of " + headerSize
                    + " bytes does not hold " + Math.max(count, 0) + " entries of 8 bytes plus the count");
        }
        Map<String, String> map = new LinkedHashMap<>();
        int data = start + headerSize;
        int end = data + dataSize;
        for (int i = 0; i < count; i++) {
            int e = start + 2 + 8 * i;
            int keySize = in.getUnsignedShort(e);
            int encoding = in.getUnsignedShort(e + 2);
            long valueSize = in.getUnsignedInt(e + 4);
            if (data + keySize + valueSize > end) {
                throw new IgtlProtocolException(describe(type, device) + ": metadata entry " + i
                        + " runs past the metadata's " + dataSize + " bytes");
            }
            String key = in.toString(data, keySize, StandardCharsets.US_ASCII);
            String value = in.toString(data + keySize, (int) valueSize, charset(encoding));
            map.put(key, value);
            data += keySize + (int) valueSize;
        }
        return map;
    }

    private static Charset charset(int mib) {
        return switch (mib) {
            case IgtlWire.MIB_US_ASCII -> StandardCharsets.US_ASCII;
            case IgtlWire.MIB_UTF_8 -> StandardCharsets.UTF_8;
            case 1013, 1015 -> StandardCharsets.UTF_16BE;
            default -> StandardCharsets.ISO_8859_1;
        };
    }

    /** A zero-padded ASCII field; bytes outside printable ASCII mean this is not an OpenIGTLink header. */
    private static String ascii(ByteBuf in, int at, int length, String what) {
        int n = 0;
        while (n < length && in.getByte(at + n) != 0) {
            byte b = in.getByte(at + n);
            if (b < 0x20 || b > 0x7e) {
                throw new IgtlProtocolException("not an OpenIGTLink header: its " + what + " has byte 0x"
                        + Integer.toHexString(b & 0xff) + " at " + n);
            }
            n++;
        }
        return in.toString(at, n, StandardCharsets.US_ASCII);
    }

    private static String headerText(ByteBuf in) {
        int h = in.readerIndex();
        int n = 0;
        while (n < IgtlWire.TYPE_SIZE && in.getByte(h + IgtlWire.OFFSET_TYPE + n) > 0x1f) {
            n++;
        }
        return "a " + in.toString(h + IgtlWire.OFFSET_TYPE, n, StandardCharsets.US_ASCII) + " message";
    }

    private static String describe(String type, String device) {
        return type + " message '" + device + "'";
    }
}
