package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;

/**
 * The IMAGE content (image.md): a 72-byte image header, then the pixels. Written for 8-bit frames (grey, or RGB
 * interleaved); read for any, with every field checked against the content's length so that a damaged header is an
 * error, never an out-of-bounds read.
 * <pre>
 *   V uint16 (1) | T components uint8 | S scalar type uint8 | E endian uint8 | O coordinates uint8 | RI RJ RK uint16
 *   | TX TY TZ SX SY SZ NX NY NZ PX PY PZ float32 | DI DJ DK uint16 | DRI DRJ DRK uint16 | pixels
 * </pre>
 * The matrix: T, S and N are the directions of the i (column), j (row) and k (slice) indexes scaled by the pixel
 * size in mm; P is the position of the image's centre.
 */
public final class IgtlImage {
    public static final int HEADER_SIZE = 72;
    public static final int SCALAR_INT8 = 2;
    public static final int SCALAR_UINT8 = 3;
    public static final int ENDIAN_BIG = 1;
    public static final int ENDIAN_LITTLE = 2;
    public static final int COORD_RAS = 1;
    public static final int COORD_LPS = 2;
    private static final int MAX_SIDE = 65535;

    private IgtlImage() {
    }

    /**
     * Writes the image header of a {@code width}x{@code height} 8-bit frame with {@code components} (1 grey, 3 RGB)
     * in intravis's image frame: x = column x spacing, y = row x spacing, z = 0, the first pixel's centre at the origin
     * (i along +x, j along +y); {@code spacingMm} 0 (unknown) writes 1, so positions are then in pixels. The caller
     * then writes {@code width * height * components} bytes, row by row.
     */
    public static void writeHeader(ByteBuf out, int components, int width, int height, double spacingMm) {
        if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("IMAGE size " + width + "x" + height + " is not 1..65535 per side");
        }
        float s = spacingMm > 0 ? (float) spacingMm : 1f;
        out.writeShort(1);
        out.writeByte(components);
        out.writeByte(SCALAR_UINT8);
        out.writeByte(ENDIAN_BIG);
        out.writeByte(COORD_RAS);
        out.writeShort(width).writeShort(height).writeShort(1);
        out.writeFloat(s).writeFloat(0).writeFloat(0); // T: i along +x
        out.writeFloat(0).writeFloat(s).writeFloat(0); // S: j along +y
        out.writeFloat(0).writeFloat(0).writeFloat(s); // N
        out.writeFloat((width - 1) * s / 2f).writeFloat((height - 1) * s / 2f).writeFloat(0); // P: the centre
        out.writeShort(0).writeShort(0).writeShort(0);
        out.writeShort(width).writeShort(height).writeShort(1);
    }

    /** Bytes of an IMAGE content for an 8-bit frame. */
    public static int contentSize(int components, int width, int height) {
        return HEADER_SIZE + components * width * height;
    }

    /** A received image header; {@link #dataOffset()} is where its pixels start in the content. */
    public record Header(int components, int scalarType, int endian, int coordinates, int sizeI, int sizeJ, int sizeK,
                         float[] matrix, int offsetI, int offsetJ, int offsetK, int subI, int subJ, int subK,
                         int dataOffset, int dataLength) {
        /** Pixel size along i (columns), mm: the length of T. */
        public double spacingI() {
            return Math.sqrt(matrix[0] * matrix[0] + matrix[1] * matrix[1] + matrix[2] * matrix[2]);
        }

        /** Pixel size along j (rows), mm: the length of S. */
        public double spacingJ() {
            return Math.sqrt(matrix[3] * matrix[3] + matrix[4] * matrix[4] + matrix[5] * matrix[5]);
        }

        /** Whether the message carries the whole image rather than a sub-volume of it. */
        public boolean whole() {
            return offsetI == 0 && offsetJ == 0 && offsetK == 0 && subI == sizeI && subJ == sizeJ && subK == sizeK;
        }

        public static int bytesPerScalar(int scalarType) {
            return switch (scalarType) {
                case 2, 3 -> 1;
                case 4, 5 -> 2;
                case 6, 7, 10 -> 4;
                case 11 -> 8;
                default -> 0;
            };
        }
    }

    /** Reads and checks the image header of an IMAGE content (reader index untouched). */
    public static Header read(ByteBuf content) {
        int c = content.readerIndex();
        int length = content.readableBytes();
        if (length < HEADER_SIZE) {
            throw new IgtlProtocolException("IMAGE content of " + length + " bytes is shorter than its "
                    + HEADER_SIZE + "-byte image header");
        }
        int components = content.getUnsignedByte(c + 2);
        int scalar = content.getUnsignedByte(c + 3);
        int endian = content.getUnsignedByte(c + 4);
        int coord = content.getUnsignedByte(c + 5);
        int[] size = {content.getUnsignedShort(c + 6), content.getUnsignedShort(c + 8), content.getUnsignedShort(c + 10)};
        float[] m = new float[12];
        for (int i = 0; i < 12; i++) {
            m[i] = content.getFloat(c + 12 + 4 * i);
        }
        int[] off = {content.getUnsignedShort(c + 60), content.getUnsignedShort(c + 62), content.getUnsignedShort(c + 64)};
        int[] sub = {content.getUnsignedShort(c + 66), content.getUnsignedShort(c + 68), content.getUnsignedShort(c + 70)};
        int bytes = Header.bytesPerScalar(scalar);
        if (bytes == 0) {
            throw new IgtlProtocolException("IMAGE scalar type " + scalar + " is not one OpenIGTLink defines");
        }
        if (components == 0) {
            throw new IgtlProtocolException("IMAGE has 0 components per pixel");
        }
        for (int a = 0; a < 3; a++) {
            if (off[a] + sub[a] > size[a]) {
                throw new IgtlProtocolException("IMAGE sub-volume (offset " + off[a] + ", size " + sub[a]
                        + ") runs past the image's " + size[a] + " pixels along axis " + a);
            }
        }
        long expected = (long) sub[0] * sub[1] * sub[2] * components * bytes;
        if (expected != length - HEADER_SIZE) {
            throw new IgtlProtocolException("IMAGE content has " + (length - HEADER_SIZE) + " bytes of pixels, its header ("
                    + sub[0] + "x" + sub[1] + "x" + sub[2] + ", " + components + " component(s) of " + bytes
                    + " byte(s)) says " + expected);
        }
        return new Header(components, scalar, endian, coord, size[0], size[1], size[2], m, off[0], off[1], off[2],
                sub[0], sub[1], sub[2], HEADER_SIZE, (int) expected);
    }
}
