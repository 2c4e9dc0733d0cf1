package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The POINT content (point.md): 136 bytes per point: NAME char[64], GROUP char[32], RGBA uint8[4], X Y Z float32
 * (mm), DIAMETER float32 (mm), OWNER char[20] (the device name of the image the point belongs to).
 */
public final class IgtlPoint {
    public static final int ELEMENT_SIZE = 136;
    public static final int NAME_SIZE = 64;
    public static final int GROUP_SIZE = 32;
    public static final int OWNER_SIZE = 20;

    private IgtlPoint() {
    }

    /**
     * Writes one point. {@code name} holds {@code nameLength} ASCII bytes (zero-padded here to 64); {@code group} is a
     * 32-byte field and {@code owner} a 20-byte one ({@link IgtlWire#field}).
     */
    public static void writeElement(ByteBuf out, byte[] name, int nameLength, byte[] group, int rgba, float x, float y,
                                    float z, float diameter, byte[] owner) {
        int n = Math.min(nameLength, NAME_SIZE);
        out.writeBytes(name, 0, n);
        out.writeZero(NAME_SIZE - n);
        out.writeBytes(group, 0, GROUP_SIZE);
        out.writeInt(rgba);
        out.writeFloat(x).writeFloat(y).writeFloat(z);
        out.writeFloat(diameter);
        out.writeBytes(owner, 0, OWNER_SIZE);
    }

    /** A received point. */
    public record Element(String name, String group, int rgba, float x, float y, float z, float diameter, String owner) {
    }

    public static List<Element> read(ByteBuf content) {
        int length = content.readableBytes();
        if (length % ELEMENT_SIZE != 0) {
            throw new IgtlProtocolException("POINT content of " + length + " bytes is not a whole number of "
                    + ELEMENT_SIZE + "-byte points");
        }
        List<Element> points = new ArrayList<>();
        for (int at = content.readerIndex(); at < content.readerIndex() + length; at += ELEMENT_SIZE) {
            points.add(new Element(text(content, at, NAME_SIZE), text(content, at + 64, GROUP_SIZE),
                    content.getInt(at + 96), content.getFloat(at + 100), content.getFloat(at + 104),
                    content.getFloat(at + 108), content.getFloat(at + 112), text(content, at + 116, OWNER_SIZE)));
        }
        return points;
    }

    static String text(ByteBuf b, int at, int max) {
        int n = 0;
        while (n < max && b.getByte(at + n) != 0) {
            n++;
        }
        return b.toString(at, n, StandardCharsets.ISO_8859_1);
    }
}
