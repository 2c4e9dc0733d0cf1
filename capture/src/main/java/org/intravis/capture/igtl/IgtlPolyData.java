package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;

/**
 * The POLYDATA content (polydata.md), as intravis sends it: points and poly-lines only (no vertices, polygons, strips
 * or attributes). A 40-byte header of ten uint32 (NPOINTS, NVERTICES, SIZE_VERTICES, NLINES, SIZE_LINES, NPOLYGONS,
 * SIZE_POLYGONS, NTRIANGLE_STRIPS, SIZE_TRIANGLE_STRIPS, NATTRIBUTES), the points as float32 x y z, then each line as
 * NINDICES uint32 and its point indices uint32.
 */
public final class IgtlPolyData {
    public static final int HEADER_SIZE = 40;

    private IgtlPolyData() {
    }

    /** Bytes of a content with {@code points} points and {@code lines} lines holding {@code indices} indices in all. */
    public static int contentSize(int points, int lines, int indices) {
        return HEADER_SIZE + 12 * points + 4 * lines + 4 * indices;
    }

    /** The header; then write {@code points} points ({@link #writePoint}) and the lines ({@link #writeLine}). */
    public static void writeHeader(ByteBuf out, int points, int lines, int indices) {
        out.writeInt(points);
        out.writeInt(0).writeInt(0);
        out.writeInt(lines).writeInt(4 * lines + 4 * indices);
        out.writeInt(0).writeInt(0);
        out.writeInt(0).writeInt(0);
        out.writeInt(0);
    }

    public static void writePoint(ByteBuf out, float x, float y, float z) {
        out.writeFloat(x).writeFloat(y).writeFloat(z);
    }

    /** A line through {@code count} consecutive points from {@code first}; closed: back to the first point. */
    public static void writeLine(ByteBuf out, int first, int count, boolean closed) {
        out.writeInt(closed ? count + 1 : count);
        for (int i = 0; i < count; i++) {
            out.writeInt(first + i);
        }
        if (closed) {
            out.writeInt(first);
        }
    }

    /** A received poly-data's points (x y z per point) and lines (their point indices). */
    public record Lines(float[] points, int[][] lines) {
    }

    /** Reads points and lines (what intravis sends); other cells are checked for size and skipped. */
    public static Lines read(ByteBuf content) {
        int c = content.readerIndex();
        int length = content.readableBytes();
        if (length < HEADER_SIZE) {
            throw new IgtlProtocolException("POLYDATA content of " + length + " bytes has no header");
        }
        long npoints = content.getUnsignedInt(c);
        long sizeVertices = content.getUnsignedInt(c + 8);
        long nlines = content.getUnsignedInt(c + 12);
        long sizeLines = content.getUnsignedInt(c + 16);
        long cells = sizeVertices + sizeLines + content.getUnsignedInt(c + 24) + content.getUnsignedInt(c + 32);
        if (HEADER_SIZE + 12 * npoints + cells > length) {
            throw new IgtlProtocolException("POLYDATA header announces " + npoints + " points and " + cells
                    + " bytes of cells, more than its " + length + "-byte content");
        }
        float[] points = new float[(int) npoints * 3];
        int at = c + HEADER_SIZE;
        for (int i = 0; i < points.length; i++, at += 4) {
            points[i] = content.getFloat(at);
        }
        at += (int) sizeVertices;
        int[][] lines = new int[(int) Math.min(nlines, sizeLines / 4)][];
        int end = at + (int) sizeLines;
        for (int l = 0; l < lines.length; l++) {
            if (at + 4 > end) {
                throw new IgtlProtocolException("POLYDATA line " + l + " runs past SIZE_LINES");
            }
            long n = content.getUnsignedInt(at);
            at += 4;
            if (at + 4 * n > end) {
                throw new IgtlProtocolException("POLYDATA line " + l + " of " + n + " indices runs past SIZE_LINES");
            }
            lines[l] = new int[(int) n];
            for (int k = 0; k < n; k++, at += 4) {
                lines[l][k] = content.getInt(at);
            }
        }
        return new Lines(points, lines);
    }
}
