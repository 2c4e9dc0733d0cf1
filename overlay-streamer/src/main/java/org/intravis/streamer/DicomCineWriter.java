package org.intravis.streamer;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_422;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

/**
 * Writes BGR pictures as one DICOM file for a PACS or a teaching file: a Multi-frame True Color Secondary Capture
 * image (derived: the picture as intravis showed it, not the scanner's own object), JPEG baseline frames (4:2:2,
 * YBR_FULL_422) with a Basic Offset Table, their recorded timing as a Frame Time Vector, the pixel size when known.
 * It carries no patient identity (intravis never has one): the patient and study attributes a PACS expects are
 * present and empty, the study, series and instance UIDs new ({@code 2.25.} UUIDs).
 * <p>
 * The JPEG frames go to a temporary file beside the output as they come (a long session does not sit in memory);
 * {@link #close()} writes the file whole and moves it into place, {@link #abort()} leaves nothing behind. One thread.
 */
public final class DicomCineWriter implements PictureFileWriter {
    /** Multi-frame True Color Secondary Capture Image Storage. */
    public static final String SOP_CLASS = "1.2.840.10008.5.1.4.1.1.7.4";
    private static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    /** intravis's implementation class UID (a 2.25 UUID, fixed). */
    private static final String IMPLEMENTATION_UID = "2.25.113863451220813470356254906717046521839";
    /** A DS value list with a 16-bit length: longer frame time vectors are written as one Frame Time. */
    private static final int MAX_SHORT_VALUE = 0xFFFE;
    private static final long MAX_PIXEL_BYTES = 0xFFFFFFF0L; // the offset table's 32 bits

    private final Path file;
    private final int width;
    private final int height;
    private final double pixelSpacingMm;
    private final Instant started;
    private final String description;
    private final boolean burnedInAnnotation;
    private final int quality;
    private Path frameData;
    private OutputStream frameOut;
    private final List<Long> frameLengths = new ArrayList<>();
    private final List<Long> frameTimes = new ArrayList<>(); // each frame's time, ms
    private long pixelBytes;
    private IntPointer jpegParams;

    /**
     * @param pixelSpacingMm     the picture's pixel size (0: unknown, not written)
     * @param started            when the session was recorded (the study and content date and time, UTC)
     * @param description        the series description (at most 64 characters are kept)
     * @param burnedInAnnotation whether the pictures may hold text that identifies the patient (the DICOM meaning)
     * @param quality            JPEG quality, 1-100
     */
    public DicomCineWriter(Path file, int width, int height, double pixelSpacingMm, Instant started, String description,
                           boolean burnedInAnnotation, int quality) {
        if (width <= 0 || height <= 0 || width > 65535 || height > 65535) {
            throw new IllegalArgumentException("a DICOM picture is 1-65535 pixels a side, not " + width + "x" + height);
        }
        this.file = file;
        this.width = width;
        this.height = height;
        this.pixelSpacingMm = pixelSpacingMm;
        this.started = started;
        this.description = description.length() > 64 ? description.substring(0, 64) : description;
        this.burnedInAnnotation = burnedInAnnotation;
        this.quality = quality;
    }

    @Override
    public int width() { return width; }
    @Override
    public int height() { return height; }

    @Override
    public void open() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        frameData = Files.createFile(part(".frames"));
        frameOut = Files.newOutputStream(frameData);
        jpegParams = new IntPointer(IMWRITE_JPEG_QUALITY, quality, IMWRITE_JPEG_SAMPLING_FACTOR,
                IMWRITE_JPEG_SAMPLING_FACTOR_422);
    }

    /** One BGR picture ({@code stride} bytes a row) shown at {@code ptsMillis}; returns that time. */
    @Override
    public long write(BytePointer bgr, int stride, long ptsMillis) throws IOException {
        byte[] jpeg;
        try (Mat m = new Mat(height, width, CV_8UC3, bgr, stride); BytePointer encoded = new BytePointer()) {
            if (!imencode(".jpg", m, encoded, jpegParams)) {
                throw new IOException("the JPEG encoder refused frame " + frameLengths.size());
            }
            int n = (int) encoded.limit();
            jpeg = new byte[n + (n & 1)]; // an item's length is even: a JPEG ends with EOI, a pad byte after it
            encoded.get(jpeg, 0, n);
        }
        if (pixelBytes + 8 + jpeg.length > MAX_PIXEL_BYTES) {
            throw new IOException("more than 4 GiB of JPEG frames, more than a DICOM offset table can address; "
                    + "export a shorter part");
        }
        frameOut.write(jpeg);
        frameLengths.add((long) jpeg.length);
        frameTimes.add(ptsMillis);
        pixelBytes += 8 + jpeg.length;
        return ptsMillis;
    }

    /** Writes the file and moves it into place. */
    @Override
    public void close() throws IOException {
        frameOut.close();
        freeNative();
        if (frameLengths.isEmpty()) {
            Files.deleteIfExists(frameData);
            throw new IOException(file + ": no frame to write");
        }
        Path tmp = Files.createFile(part(".dcm"));
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
             FileChannel frames = FileChannel.open(frameData, StandardOpenOption.READ)) {
            writeFully(out, ByteBuffer.wrap(header()));
            ByteBuffer item = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            long at = 0;
            for (long length : frameLengths) {
                item.clear();
                item.putShort((short) 0xFFFE).putShort((short) 0xE000).putInt((int) length).flip();
                writeFully(out, item);
                for (long copied = 0; copied < length; ) {
                    long n = frames.transferTo(at + copied, length - copied, out);
                    if (n <= 0) {
                        throw new IOException(frameData + " is shorter than the frames written to it");
                    }
                    copied += n;
                }
                at += length;
            }
            item.clear();
            item.putShort((short) 0xFFFE).putShort((short) 0xE0DD).putInt(0).flip(); // sequence delimiter
            writeFully(out, item);
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(frameData);
            throw e;
        }
        Files.deleteIfExists(frameData);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /** A new hidden file beside the output (created with the folder's usual permissions, as the output will be). */
    private Path part(String suffix) {
        return file.toAbsolutePath().resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + suffix);
    }

    /** Leaves nothing behind. */
    @Override
    public void abort() {
        try {
            if (frameOut != null) {
                frameOut.close();
            }
            if (frameData != null) {
                Files.deleteIfExists(frameData);
            }
        } catch (IOException e) {
            // nothing more to do: a temporary file that cannot be deleted stays hidden (its name starts with a dot)
        }
        freeNative();
    }

    private void freeNative() {
        if (jpegParams != null) {
            jpegParams.close();
            jpegParams = null;
        }
    }

    /** The preamble, the file meta information, the data set and the pixel data's start with its offset table. */
    private byte[] header() {
        String sop = uid();
        Elements meta = new Elements();
        meta.add(0x00020001, "OB", new byte[] {0, 1});
        meta.text(0x00020002, "UI", SOP_CLASS);
        meta.text(0x00020003, "UI", sop);
        meta.text(0x00020010, "UI", JPEG_BASELINE);
        meta.text(0x00020012, "UI", IMPLEMENTATION_UID);
        meta.text(0x00020013, "SH", "INTRAVIS");
        byte[] metaBytes = meta.bytes();

        String date = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC).format(started);
        String time = DateTimeFormatter.ofPattern("HHmmss").withZone(ZoneOffset.UTC).format(started);
        int n = frameLengths.size();
        Elements ds = new Elements();
        ds.text(0x00080005, "CS", "ISO_IR 192");
        ds.text(0x00080008, "CS", "DERIVED\\SECONDARY");
        ds.text(0x00080016, "UI", SOP_CLASS);
        ds.text(0x00080018, "UI", sop);
        ds.text(0x00080020, "DA", date);
        ds.text(0x00080023, "DA", date);
        ds.text(0x00080030, "TM", time);
        ds.text(0x00080033, "TM", time);
        ds.text(0x00080050, "SH", "");
        ds.text(0x00080060, "CS", "OT");
        ds.text(0x00080064, "CS", "WSD");
        ds.text(0x00080070, "LO", "intravis");
        ds.text(0x00080090, "PN", "");
        ds.text(0x00080201, "SH", "+0000");
        ds.text(0x0008103E, "LO", description);
        ds.text(0x00100010, "PN", "");
        ds.text(0x00100020, "LO", "");
        ds.text(0x00100030, "DA", "");
        ds.text(0x00100040, "CS", "");
        String vector = frameTimeVector();
        boolean useVector = vector.length() <= MAX_SHORT_VALUE;
        if (!useVector) {
            ds.text(0x00181063, "DS", ds(averageFrameMillis()));
        } else {
            ds.text(0x00181065, "DS", vector);
        }
        ds.text(0x0020000D, "UI", uid());
        ds.text(0x0020000E, "UI", uid());
        ds.text(0x00200010, "SH", "");
        ds.text(0x00200011, "IS", "1");
        ds.text(0x00200013, "IS", "1");
        ds.text(0x00200020, "CS", "");
        ds.text(0x00200060, "CS", ""); // laterality: unknown (type 2C, sent empty)
        ds.us(0x00280002, 3);
        ds.text(0x00280004, "CS", "YBR_FULL_422");
        ds.us(0x00280006, 0);
        ds.text(0x00280008, "IS", Integer.toString(n));
        ds.add(0x00280009, "AT", useVector ? tag(0x00181065) : tag(0x00181063));
        ds.us(0x00280010, height);
        ds.us(0x00280011, width);
        if (pixelSpacingMm > 0) {
            ds.text(0x00280030, "DS", ds(pixelSpacingMm) + "\\" + ds(pixelSpacingMm));
        }
        ds.us(0x00280100, 8);
        ds.us(0x00280101, 8);
        ds.us(0x00280102, 7);
        ds.us(0x00280103, 0);
        ds.text(0x00280301, "CS", burnedInAnnotation ? "YES" : "NO");
        ds.text(0x00282110, "CS", "01"); // lossy compression: yes (JPEG baseline)
        byte[] dsBytes = ds.bytes();

        ByteBuffer b = ByteBuffer.allocate(128 + 4 + 12 + metaBytes.length + dsBytes.length + 12 + 8 + 4 * n)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.position(128);
        b.put("DICM".getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) 0x0002).putShort((short) 0x0000).put("UL".getBytes(StandardCharsets.US_ASCII))
                .putShort((short) 4).putInt(metaBytes.length); // (0002,0000) the meta group's length
        b.put(metaBytes).put(dsBytes);
        b.putShort((short) 0x7FE0).putShort((short) 0x0010).put("OB".getBytes(StandardCharsets.US_ASCII))
                .putShort((short) 0).putInt(-1); // pixel data of undefined length: encapsulated
        b.putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(4 * n); // the Basic Offset Table
        long offset = 0;
        for (long length : frameLengths) {
            b.putInt((int) offset);
            offset += 8 + length;
        }
        return b.array();
    }

    private String frameTimeVector() {
        StringBuilder s = new StringBuilder("0");
        for (int i = 1; i < frameTimes.size(); i++) {
            s.append('\\').append(ds(Math.max(0, frameTimes.get(i) - frameTimes.get(i - 1))));
        }
        return s.toString();
    }

    private double averageFrameMillis() {
        int n = frameTimes.size();
        return n > 1 ? Math.max(0, frameTimes.get(n - 1) - frameTimes.get(0)) / (double) (n - 1) : 0;
    }

    /** A decimal string (DS) of at most 16 characters. */
    private static String ds(double v) {
        String s = v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.6f", v);
        return s.length() > 16 ? s.substring(0, 16) : s;
    }

    private static byte[] tag(int tag) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) (tag >>> 16))
                .putShort((short) tag).array();
    }

    /** A new UID under the 2.25 root (a random UUID as a decimal number, PS3.5 B.2). */
    private static String uid() {
        UUID u = UUID.randomUUID();
        byte[] b = ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits())
                .array();
        return "2.25." + new BigInteger(1, b);
    }

    /** Explicit VR little endian elements, added in tag order. */
    private static final class Elements {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private long last = -1;

        void text(int tag, String vr, String value) {
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            if ((v.length & 1) == 1) { // even length: UIDs padded with a NUL, text with a space
                byte[] padded = java.util.Arrays.copyOf(v, v.length + 1);
                padded[v.length] = (byte) (vr.equals("UI") ? 0 : ' ');
                v = padded;
            }
            add(tag, vr, v);
        }

        void us(int tag, int value) {
            add(tag, "US", new byte[] {(byte) value, (byte) (value >>> 8)});
        }

        void add(int tag, String vr, byte[] value) {
            if (Integer.toUnsignedLong(tag) <= last) {
                throw new IllegalStateException(String.format("element (%08X) out of order", tag));
            }
            last = Integer.toUnsignedLong(tag);
            boolean longForm = vr.equals("OB") || vr.equals("UN") || vr.equals("UT");
            ByteBuffer h = ByteBuffer.allocate(longForm ? 12 : 8).order(ByteOrder.LITTLE_ENDIAN);
            h.putShort((short) (tag >>> 16)).putShort((short) tag).put(vr.getBytes(StandardCharsets.US_ASCII));
            if (longForm) {
                h.putShort((short) 0).putInt(value.length);
            } else {
                if (value.length > MAX_SHORT_VALUE) {
                    throw new IllegalStateException(String.format("element (%08X) is too long", tag));
                }
                h.putShort((short) value.length);
            }
            out.write(h.array(), 0, h.capacity());
            out.write(value, 0, value.length);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
