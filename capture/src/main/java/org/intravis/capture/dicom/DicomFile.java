package org.intravis.capture.dicom;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * What a DICOM Part 10 file says about its pictures, read once at open: the transfer syntax, the image pixel module
 * (size, samples, photometric interpretation, bits, palette, rescale and VOI window), the cine timing (frame time,
 * frame time vector, cine rate), the pixel spacing (Pixel Spacing, else the first ultrasound region's physical delta), and where each frame's
 * bytes are (native: one block; encapsulated: its fragments). The file is memory-mapped and only the elements above
 * are decoded; nested sequences are walked to be skipped (and for the ultrasound region). Explicit and implicit VR
 * little endian, deflated, and the retired explicit VR big endian (older scanners' and archives' exports: the data set
 * read in that order, 16-bit samples too, and 8-bit samples stored as OW come in swapped pairs, which
 * {@link DicomPictures} puts back).
 */
final class DicomFile {
    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String DEFLATED = "1.2.840.10008.1.2.1.99";
    static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
    static final String RLE = "1.2.840.10008.1.2.5";

    private static final int PIXEL_DATA = 0x7FE00010;
    /** Sequence of Ultrasound Regions: its first item gives the pixel size when Pixel Spacing is absent. */
    private static final int REGIONS = 0x00186011;
    private static final int ITEM = 0xFFFEE000;
    private static final int ITEM_END = 0xFFFEE00D;
    private static final int SEQUENCE_END = 0xFFFEE0DD;
    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final int MAX_DEPTH = 16;
    /** A deflated data set may not inflate beyond this (a damaged or hostile file must not fill the heap). */
    private static final int MAX_INFLATED = 1 << 30;
    private static final int EXTENDED_OFFSET_TABLE = 0x7FE00001;

    final Path path;
    /** The file, memory-mapped; for a deflated file, the meta information and the inflated data set (on the heap). */
    ByteBuffer bytes;
    String transferSyntax = "";
    /** The data set is big endian (the retired explicit VR big endian transfer syntax). */
    boolean bigEndian;
    /** The pixel data element's VR as written (OB or OW; empty where the VR is implicit). */
    String pixelVr = "";
    int rows;
    int columns;
    int samples = 1;
    String photometric = "";
    int planar;
    int frames = 1;
    int bitsAllocated;
    int bitsStored;
    int pixelRepresentation;
    double frameTimeMs;
    double[] frameTimeVectorMs;
    double cineRate;
    double recommendedRate;
    double pixelSpacingMm;
    /** Modality LUT (Rescale Slope and Intercept) and the first VOI window (Window Center and Width, NaN: none). */
    double rescaleSlope = 1;
    double rescaleIntercept;
    double windowCenter = Double.NaN;
    double windowWidth = Double.NaN;
    String voiFunction = "";
    /** Palette colour lookup tables (red, green, blue): descriptor (entries, first mapped, bits) and data offset. */
    final int[][] paletteDescriptor = new int[3][];
    final int[] paletteOffset = new int[3];
    final int[] paletteLength = new int[3];
    /** Native pixel data: its offset and length; -1 when encapsulated. */
    long nativeOffset = -1;
    long nativeLength;
    /**
     * Encapsulated pixel data: the offset table (the basic one, else the Extended Offset Table, which large files carry
     * instead; may be empty) and every fragment's offset and length.
     */
    long[] offsetTable = new long[0];
    private long[] extendedOffsets;
    final List<long[]> fragments = new ArrayList<>();

    private double regionDeltaX;
    private int regionUnitsX = -1;
    private boolean implicit;
    private boolean truncated;
    private boolean inRegion;
    private boolean regionSeen;

    private DicomFile(Path path, ByteBuffer bytes) {
        this.path = path;
        this.bytes = bytes;
    }

    /** Reads {@code path}; {@link DicomFormatException} with a reader's sentence when it is not one we can play. */
    static DicomFile read(Path path) throws IOException {
        MappedByteBuffer map;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new DicomFormatException("is larger than 2 GiB");
            }
            map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        map.order(ByteOrder.LITTLE_ENDIAN);
        DicomFile f = new DicomFile(path, map);
        f.parse();
        return f;
    }

    /** Whether {@code head} (the file's first 132 bytes or more) is a DICOM Part 10 file: "DICM" after the preamble. */
    static boolean looksLikeDicom(byte[] head) {
        return head.length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
    }

    private void parse() {
        ByteBuffer b = bytes;
        byte[] head = new byte[Math.min(132, b.limit())];
        b.get(0, head);
        if (!looksLikeDicom(head)) {
            throw new DicomFormatException("is not a DICOM file (no \"DICM\" after the 128-byte preamble)");
        }
        b.position(132);
        // the file meta information (group 0002) is always explicit VR little endian
        while (b.remaining() >= 8 && (b.getShort(b.position()) & 0xffff) == 0x0002) {
            element(b, false, 0);
        }
        if (transferSyntax.isEmpty()) {
            throw new DicomFormatException("has no transfer syntax in its file meta information");
        }
        if (transferSyntax.equals(EXPLICIT_BE)) {
            bigEndian = true;
            b.order(ByteOrder.BIG_ENDIAN); // the same buffer as bytes: every value read from here on
        }
        if (transferSyntax.equals(DEFLATED)) {
            b = inflated(b);
            bytes = b;
        }
        implicit = transferSyntax.equals(IMPLICIT_LE);
        while (b.remaining() >= 8 && nativeOffset < 0 && fragments.isEmpty()) {
            if (element(b, implicit, 0)) {
                break;
            }
        }
        if (rows <= 0 || columns <= 0) {
            throw new DicomFormatException("has no image (Rows and Columns missing or zero)");
        }
        if (nativeOffset < 0 && fragments.isEmpty()) {
            throw new DicomFormatException("has no pixel data");
        }
        if (frames <= 0) {
            throw new DicomFormatException("says it has " + frames + " frames");
        }
    }

    /** Reads one element at the buffer's position and moves past it; true after the pixel data. */
    private boolean element(ByteBuffer b, boolean implicitVr, int depth) {
        int start = b.position();
        int tag = tag(b);
        String vr;
        long length;
        if (tag == ITEM || tag == ITEM_END || tag == SEQUENCE_END) {
            vr = "";
            length = b.getInt() & UNDEFINED;
        } else if (implicitVr) {
            vr = ""; // the values read here are decoded by their tag, whatever their VR
            length = b.getInt() & UNDEFINED;
        } else {
            vr = new String(new byte[] {b.get(), b.get()}, StandardCharsets.US_ASCII);
            if (longForm(vr)) {
                b.getShort();
                length = b.getInt() & UNDEFINED;
            } else {
                length = b.getShort() & 0xffff;
            }
        }
        if (tag == PIXEL_DATA && depth == 0) {
            pixelVr = vr;
            pixels(b, length, start);
            return true;
        }
        if (length == UNDEFINED) {
            // a sequence (or UN/OB of undefined length): items until the sequence delimiter
            if (depth >= MAX_DEPTH) {
                throw new DicomFormatException("nests sequences deeper than " + MAX_DEPTH);
            }
            skipItems(b, implicitVr || "UN".equals(vr), depth + 1, tag == REGIONS);
            return false;
        }
        if (length > b.remaining()) {
            throw new DicomFormatException("is cut off: element (" + hex(tag) + ") at byte " + start + " needs "
                    + length + " bytes, " + b.remaining() + " are left");
        }
        int valueAt = b.position();
        if (tag == REGIONS) {
            // the only sequence read into; others of defined length are passed over whole
            int limit = b.limit();
            b.limit(valueAt + (int) length); // the items are read where they lie: offsets stay the file's
            try {
                skipItems(b, implicitVr || "UN".equals(vr), depth + 1, true);
            } finally {
                b.limit(limit);
            }
        } else if (!"SQ".equals(vr)) {
            value(tag, valueAt, (int) length, depth);
        }
        b.position(valueAt + (int) length);
        return false;
    }

    /** Walks the items of a sequence (defined length: to the buffer's end; undefined: to its delimiter). */
    private void skipItems(ByteBuffer b, boolean implicitVr, int depth, boolean region) {
        while (b.remaining() >= 8) {
            int tag = tag(b);
            long length = b.getInt() & UNDEFINED;
            if (tag == SEQUENCE_END) {
                return;
            }
            if (tag != ITEM) {
                throw new DicomFormatException("has a damaged sequence (" + hex(tag) + " where an item was expected)");
            }
            boolean first = region && !regionSeen;
            inRegion = first;
            if (length == UNDEFINED) {
                while (b.remaining() >= 8) {
                    if (tagAt(b) == ITEM_END) {
                        b.position(b.position() + 8);
                        break;
                    }
                    element(b, implicitVr, depth);
                }
            } else {
                if (length > b.remaining()) {
                    throw new DicomFormatException("is cut off inside a sequence item");
                }
                int limit = b.limit();
                int end = b.position() + (int) length;
                b.limit(end);
                try {
                    while (b.remaining() >= 8) {
                        element(b, implicitVr, depth);
                    }
                } finally {
                    b.limit(limit);
                }
                b.position(end);
            }
            if (first) {
                regionSeen = true;
            }
            inRegion = false;
        }
    }

    /**
     * The file with its data set inflated (deflated explicit VR little endian: everything after the meta information
     * is one raw deflate stream), positioned where the data set starts. A stream cut off keeps what inflated.
     */
    private static ByteBuffer inflated(ByteBuffer b) {
        int start = b.position();
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(b.slice(start, b.limit() - start));
            byte[] out = new byte[Math.max(1 << 16, 4 * (b.limit() - start))];
            int n = 0;
            while (!inflater.finished()) {
                if (n == out.length) {
                    if (out.length >= MAX_INFLATED) {
                        throw new DicomFormatException("is deflated and inflates to more than 1 GiB");
                    }
                    out = java.util.Arrays.copyOf(out, (int) Math.min(MAX_INFLATED, 2L * out.length));
                }
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break; // cut off: the elements inflated so far are read, the pixels as far as they go
                }
                n += got;
            }
            ByteBuffer whole = ByteBuffer.allocate(start + n).order(ByteOrder.LITTLE_ENDIAN);
            whole.put(b.slice(0, start)).put(out, 0, n).position(start);
            return whole;
        } catch (DataFormatException e) {
            throw new DicomFormatException("is deflated, but its data set does not inflate (" + e.getMessage() + ")");
        } finally {
            inflater.end();
        }
    }

    private void pixels(ByteBuffer b, long length, int start) {
        if (length != UNDEFINED) {
            // a file cut off inside its pixels keeps the frames it holds whole (the reader counts them)
            nativeOffset = b.position();
            nativeLength = Math.min(length, b.remaining());
            return;
        }
        // encapsulated: an offset table item, then one item per fragment, then the sequence delimiter
        boolean table = true;
        while (b.remaining() >= 8) {
            int tag = tag(b);
            long len = b.getInt() & UNDEFINED;
            if (tag == SEQUENCE_END) {
                break;
            }
            if (tag != ITEM || len == UNDEFINED) {
                throw new DicomFormatException("has damaged encapsulated pixel data after byte " + b.position());
            }
            if (len > b.remaining()) {
                truncated = true; // cut off inside this fragment: the frames before it are whole
                break;
            }
            if (table) {
                offsetTable = new long[(int) (len / 4)];
                for (int i = 0; i < offsetTable.length; i++) {
                    offsetTable[i] = b.getInt(b.position() + 4 * i) & UNDEFINED;
                }
                table = false;
            } else {
                fragments.add(new long[] {b.position(), len});
            }
            b.position(b.position() + (int) len);
        }
        if (offsetTable.length == 0 && extendedOffsets != null) {
            offsetTable = extendedOffsets; // the same offsets, from the first fragment's item tag, in 64 bits
        }
        if (b.remaining() < 8 && !truncated) {
            truncated = fragments.size() < frames; // no sequence delimiter: cut off between fragments
        }
        if (fragments.isEmpty()) {
            throw new DicomFormatException("has encapsulated pixel data without a whole fragment (from byte "
                    + start + ")");
        }
    }

    /**
     * Frames whose compressed bytes are all in the file: all of them, unless the file is cut off inside its pixel
     * data; then those before the cut (a frame whose fragments may go on past the cut is not counted).
     */
    int wholeEncapsulatedFrames() {
        if (!truncated) {
            return frames;
        }
        if (offsetTable.length == frames) {
            int whole = 0;
            while (whole + 1 < frames && fragmentAt(offsetTable[whole + 1]) >= 0) {
                whole++;
            }
            return whole;
        }
        return Math.min(frames, fragments.size());
    }

    private void value(int tag, int at, int length, int depth) {
        if (depth > 0) {
            if (inRegion) {
                switch (tag) {
                    case 0x0018602C -> regionDeltaX = bytes.getDouble(at); // Physical Delta X (FD)
                    case 0x00186024 -> regionUnitsX = us(at, length);       // Physical Units X Direction
                    default -> { }
                }
            }
            return;
        }
        switch (tag) {
            case 0x00020010 -> transferSyntax = text(at, length);
            case 0x00280002 -> samples = us(at, length);
            case 0x00280004 -> photometric = text(at, length);
            case 0x00280006 -> planar = us(at, length);
            case 0x00280008 -> frames = (int) number(text(at, length), 1);
            case 0x00280010 -> rows = us(at, length);
            case 0x00280011 -> columns = us(at, length);
            case 0x00280100 -> bitsAllocated = us(at, length);
            case 0x00280101 -> bitsStored = us(at, length);
            case 0x00280103 -> pixelRepresentation = us(at, length);
            case 0x00281101, 0x00281102, 0x00281103 -> paletteDescriptor[(tag & 0xf) - 1] = new int[] {
                    us(at, length), length >= 4 ? bytes.getShort(at + 2) & 0xffff : 0,
                    length >= 6 ? bytes.getShort(at + 4) & 0xffff : 0};
            case 0x00281201, 0x00281202, 0x00281203 -> {
                paletteOffset[(tag & 0xf) - 1] = at;
                paletteLength[(tag & 0xf) - 1] = length;
            }
            case 0x00181063 -> frameTimeMs = number(text(at, length), 0);
            case 0x00181065 -> frameTimeVectorMs = numbers(text(at, length));
            case 0x00180040 -> cineRate = number(text(at, length), 0);
            case 0x00082144 -> recommendedRate = number(text(at, length), 0);
            case EXTENDED_OFFSET_TABLE -> {
                extendedOffsets = new long[length / 8];
                for (int i = 0; i < extendedOffsets.length; i++) {
                    extendedOffsets[i] = bytes.getLong(at + 8 * i);
                }
            }
            case 0x00281050 -> windowCenter = number(text(at, length), Double.NaN);
            case 0x00281051 -> windowWidth = number(text(at, length), Double.NaN);
            case 0x00281052 -> rescaleIntercept = number(text(at, length), 0);
            case 0x00281053 -> rescaleSlope = number(text(at, length), 1);
            case 0x00281056 -> voiFunction = text(at, length);
            case 0x00280030 -> {
                double[] v = numbers(text(at, length));
                pixelSpacingMm = v.length == 2 ? v[1] : 0; // row spacing \ column spacing: across is the second
            }
            default -> { }
        }
    }

    /** The first ultrasound region's horizontal pixel size in mm, when it is given in cm (units 3); else 0. */
    double regionSpacingMm() {
        return regionUnitsX == 3 && regionDeltaX > 0 ? regionDeltaX * 10 : 0;
    }

    /** Whether the pixel data is encapsulated (compressed frames). */
    boolean encapsulated() {
        return nativeOffset < 0;
    }

    /** Frame {@code i}'s compressed bytes: its fragments per the offset table, else one (or a run) per frame. */
    ByteBuffer frameBytes(int i) {
        int first;
        int end;
        if (offsetTable.length > 0 && offsetTable.length >= frames) { // (more entries: a file cut off, frames cut)
            first = fragmentAt(offsetTable[i]);
            end = i + 1 < offsetTable.length ? fragmentAt(offsetTable[i + 1]) : fragments.size();
        } else if (fragments.size() == frames || truncated && fragments.size() > frames) {
            first = i;
            end = i + 1;
        } else if (frames == 1) {
            first = 0;
            end = fragments.size();
        } else {
            throw new DicomFormatException("has " + fragments.size() + " fragments for " + frames
                    + " frames and no offset table to tell them apart");
        }
        if (first < 0 || end <= first) {
            throw new DicomFormatException("has an offset table that names no fragment for frame " + i);
        }
        if (end - first == 1) {
            long[] f = fragments.get(first);
            return bytes.slice((int) f[0], (int) f[1]);
        }
        int total = 0;
        for (int k = first; k < end; k++) {
            total += (int) fragments.get(k)[1];
        }
        ByteBuffer joined = ByteBuffer.allocate(total);
        for (int k = first; k < end; k++) {
            long[] f = fragments.get(k);
            joined.put(bytes.slice((int) f[0], (int) f[1]));
        }
        return joined.flip();
    }

    /** The fragment at an offset-table offset (bytes from the first fragment's item tag); -1 when none starts there. */
    private int fragmentAt(long offset) {
        if (fragments.isEmpty()) {
            return -1;
        }
        long base = fragments.get(0)[0] - 8;
        for (int k = 0; k < fragments.size(); k++) {
            if (fragments.get(k)[0] - 8 - base == offset) {
                return k;
            }
        }
        return -1;
    }

    private static boolean longForm(String vr) {
        return switch (vr) {
            case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV" -> true;
            default -> false;
        };
    }

    private int tag(ByteBuffer b) {
        int group = b.getShort() & 0xffff;
        int element = b.getShort() & 0xffff;
        return group << 16 | element;
    }

    private static int tagAt(ByteBuffer b) {
        int p = b.position();
        return (b.getShort(p) & 0xffff) << 16 | (b.getShort(p + 2) & 0xffff);
    }

    private int us(int at, int length) {
        return length >= 2 ? bytes.getShort(at) & 0xffff : 0;
    }

    private String text(int at, int length) {
        byte[] v = new byte[length];
        bytes.get(at, v);
        return new String(v, StandardCharsets.US_ASCII).replace("\0", "").trim();
    }

    private static double number(String s, double otherwise) {
        try {
            return s.isEmpty() ? otherwise : Double.parseDouble(s.split("\\\\")[0].trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static double[] numbers(String s) {
        if (s.isEmpty()) {
            return new double[0];
        }
        String[] parts = s.split("\\\\");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = number(parts[i], Double.NaN);
        }
        return v;
    }

    static String hex(int tag) {
        return String.format("%04X,%04X", tag >>> 16, tag & 0xffff);
    }
}
