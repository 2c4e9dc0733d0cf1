package org.intravis.capture.dicom;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_JPEG2000;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_JPEGLS;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * Turns a frame of a {@link DicomFile} into an 8-bit picture, grey or BGR: native pixels (8 or 16 bits; MONOCHROME1
 * and 2, RGB and YBR_FULL by pixel or by plane, PALETTE COLOR), RLE Lossless, JPEG baseline and extended (OpenCV),
 * lossless JPEG, JPEG-LS, JPEG 2000 and 12-bit JPEG (FFmpeg's decoders). Grey goes through the file's rescale and VOI
 * window when it has one, else its stored range is scaled to 8 bits (8-bit JPEG, which OpenCV decodes, is shown as
 * decoded); colour is shown as its decoder gives it. One instance per source: it keeps its working images.
 */
final class DicomPictures implements AutoCloseable {
    private static final String JPEG_FAMILY = "1.2.840.10008.1.2.4.";
    /** A damaged header must not make the reader allocate gigabytes (rows and columns go to 65535). */
    private static final long MAX_FRAME_BYTES = 256L << 20;

    private final DicomFile file;
    private final int pixels;
    private final boolean colour;
    private final byte[] raw;      // a frame's samples as stored (RLE: decoded, plane by plane)
    private final ByteBuffer rawWords; // raw as 16-bit samples in the file's byte order, made once
    /** 8-bit samples written as big-endian 16-bit words (OW): each pair of bytes swapped in the file. */
    private final boolean swappedPairs;
    private final Mat picture;     // the frame as 8-bit grey or BGR
    private final BytePointer pictureMemory;
    private final byte[] shown;    // the picture built in Java, then copied to OpenCV's memory in one call
    private final byte[][] palette;
    /** Grey pictures: the 8-bit level shown for each stored value ({@link #greyLut(DicomFile)}). */
    private final byte[] greyLut;
    private byte[] compressedCopy = new byte[0];
    private BytePointer compressedMemory;
    private Mat compressed;
    /** Compressed frames OpenCV's decoders do not read: FFmpeg's decoder for the syntax, and its picture. */
    private FfmpegStillDecoder still;
    private Mat ffmpegPadded;
    private Mat ffmpegOut;
    /** The picture OpenCV decodes JPEG frames into, reused. */
    private Mat jpegOut;
    /** Whether the syntax is plain JPEG, which OpenCV decodes. */
    private boolean viaOpenCv;
    /** Grey frames FFmpeg decodes: taken as stored values and shown through {@link #greyLut}, as native ones are. */
    private boolean greyStored;

    DicomPictures(DicomFile f) {
        this.file = f;
        String p = f.photometric;
        if (f.bitsAllocated != 8 && f.bitsAllocated != 16 && !f.transferSyntax.startsWith(JPEG_FAMILY)) {
            throw new DicomFormatException("has " + f.bitsAllocated + "-bit samples; 8 and 16 are read");
        }
        boolean mono = p.equals("MONOCHROME1") || p.equals("MONOCHROME2");
        boolean palette = p.equals("PALETTE COLOR");
        boolean rgbLike = p.equals("RGB") || p.startsWith("YBR_");
        if ((mono || palette) && f.samples != 1 || rgbLike && f.samples != 3 || !(mono || palette || rgbLike)) {
            throw new DicomFormatException("has photometric interpretation '" + p + "' with " + f.samples
                    + " samples per pixel, which this reader does not show");
        }
        if (!f.encapsulated() || f.transferSyntax.equals(DicomFile.RLE)) {
            if (p.startsWith("YBR_") && !p.equals("YBR_FULL")) {
                throw new DicomFormatException("has uncompressed " + p + " pixels; YBR_FULL is read");
            }
        }
        long frameBytes = (long) f.rows * f.columns * f.samples * bytesPerSample(f);
        if (frameBytes > MAX_FRAME_BYTES) {
            throw new DicomFormatException("says its frames are " + f.columns + "x" + f.rows + " with " + f.samples
                    + " samples of " + f.bitsAllocated + " bits, more than this reader takes (256 MiB a frame)");
        }
        this.pixels = f.rows * f.columns;
        this.colour = !mono;
        this.raw = new byte[pixels * f.samples * bytesPerSample(f)];
        this.rawWords = ByteBuffer.wrap(raw).order(f.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        this.swappedPairs = f.bigEndian && f.bitsAllocated == 8 && "OW".equals(f.pixelVr);
        if (!f.encapsulated() && f.nativeLength < (long) raw.length * f.frames) {
            long whole = f.nativeLength / raw.length;
            if (whole == 0) {
                throw new DicomFormatException("holds " + f.nativeLength + " bytes of pixels, less than one frame ("
                        + raw.length + ")");
            }
            f.frames = (int) whole; // plays the frames that are there; DicomSource says so
        }
        if (f.encapsulated() && f.wholeEncapsulatedFrames() < f.frames) {
            if (f.wholeEncapsulatedFrames() == 0) {
                throw new DicomFormatException("is cut off before its first frame's pixels end");
            }
            f.frames = f.wholeEncapsulatedFrames(); // plays the frames that are there; DicomSource says so
        }
        this.shown = new byte[pixels * (colour ? 3 : 1)];
        this.pictureMemory = new BytePointer(shown.length);
        this.picture = new Mat(f.rows, f.columns, colour ? CV_8UC3 : CV_8UC1, pictureMemory);
        this.palette = palette ? palette(f) : null;
        this.greyLut = mono ? greyLut(f) : null;
        if (f.encapsulated() && !f.transferSyntax.equals(DicomFile.RLE)) {
            still = stillDecoder(f.transferSyntax); // last: a refusal above leaves no native decoder open
            greyStored = still != null && mono;
        }
    }

    /**
     * Frame {@code i}'s 8-bit samples into {@link #raw} from a big-endian OW pixel stream: byte k of the stream is
     * stored at k ^ 1 (the pairs belong to the whole stream, so a frame of odd length starts mid-pair).
     */
    private void unswapped(int i) {
        DicomFile f = file;
        long from = (long) i * raw.length;
        for (int j = 0; j < raw.length; j++) {
            long k = (from + j) ^ 1;
            raw[j] = k < f.nativeLength ? f.bytes.get((int) (f.nativeOffset + k)) : 0;
        }
    }

    /**
     * Frame {@code i} as an 8-bit picture: grey or BGR as stored, BGR for every compressed syntax but RLE; this
     * decoder's own picture, valid until the next call.
     */
    Mat frame(int i) {
        DicomFile f = file;
        if (f.encapsulated() && !f.transferSyntax.equals(DicomFile.RLE)) {
            return jpeg(i);
        }
        boolean byPlane;
        if (f.encapsulated()) {
            rle(f.frameBytes(i), i);
            byPlane = true;
        } else if (swappedPairs) {
            unswapped(i);
            byPlane = f.planar == 1;
        } else {
            f.bytes.get((int) (f.nativeOffset + (long) i * raw.length), raw);
            byPlane = f.planar == 1;
        }
        if (!colour) {
            grey();
        } else if (palette != null) {
            paletted();
        } else {
            rgb(byPlane, f.photometric.equals("YBR_FULL"));
        }
        pictureMemory.put(shown, 0, shown.length);
        return picture;
    }

    /**
     * The decoder for a compressed syntax: JPEG baseline and extended go to OpenCV (null here); lossless JPEG,
     * JPEG-LS, JPEG 2000 (HTJ2K too) and 12-bit grey JPEG, which it does not read, to FFmpeg.
     */
    private FfmpegStillDecoder stillDecoder(String ts) {
        String s = ts.startsWith(JPEG_FAMILY) ? ts.substring(JPEG_FAMILY.length()) : "";
        return switch (s) {
            case "51" -> !colour && file.bitsStored > 8 // 12-bit grey, which OpenCV's JPEG decoder does not read
                    ? new FfmpegStillDecoder(AV_CODEC_ID_MJPEG, "12-bit JPEG", true) : openCv();
            case "50" -> openCv();
            case "57", "70" -> new FfmpegStillDecoder(AV_CODEC_ID_MJPEG, "lossless JPEG");
            case "80", "81" -> new FfmpegStillDecoder(AV_CODEC_ID_JPEGLS, "JPEG-LS");
            case "90", "91", "201", "202", "203" -> new FfmpegStillDecoder(AV_CODEC_ID_JPEG2000, "JPEG 2000");
            default -> throw new DicomFormatException("has compressed pixels in transfer syntax " + ts
                    + ", which this reader does not decode (native, RLE, JPEG, JPEG-LS, JPEG 2000 and MPEG-2, H.264 and "
                    + "HEVC streams are read)");
        };
    }

    private FfmpegStillDecoder openCv() {
        viaOpenCv = true; // OpenCV only: a JPEG it refuses is damaged and skipped, where FFmpeg's decoder would show
        return null;      // what it could guess of it
    }

    /** Bytes a sample takes in {@link #raw}: 12-bit samples of a compressed file take two, as 16-bit ones do. */
    private static int bytesPerSample(DicomFile f) {
        return f.bitsAllocated > 8 ? 2 : 1;
    }

    private Mat jpeg(int i) {
        ByteBuffer data = file.frameBytes(i);
        if (!viaOpenCv) {
            return viaFfmpeg(data, i);
        }
        int n = data.remaining();
        if (compressedMemory == null || compressedMemory.capacity() < n) {
            if (compressedMemory != null) {
                compressed.close();
                compressedMemory.close();
            }
            compressedMemory = new BytePointer(Math.max(n, 1 << 16));
            compressed = new Mat(1, (int) compressedMemory.capacity(), CV_8UC1, compressedMemory);
        }
        if (compressedCopy.length < n) {
            compressedCopy = new byte[(int) compressedMemory.capacity()];
        }
        data.duplicate().get(compressedCopy, 0, n);
        if (file.photometric.equals("RGB") && file.samples == 3) {
            markStoredAsRgb(compressedCopy, n);
        }
        compressedMemory.put(compressedCopy, 0, n);
        if (jpegOut == null) {
            jpegOut = new Mat(file.rows, file.columns, CV_8UC3);
        }
        // into the same picture every frame (OpenCV reallocates it only for another size): no native buffer per frame
        // the answer says whether this frame decoded: a failed decode leaves the last frame in jpegOut
        try (Mat view = compressed.colRange(0, n); Mat decoded = imdecode(view, IMREAD_COLOR, jpegOut)) {
            if (decoded != null && !decoded.empty() && decoded.cols() == file.columns && decoded.rows() == file.rows
                    && jpegOut.type() == CV_8UC3) {
                return jpegOut; // BGR, this decoder's own
            }
        }
        throw new DicomFormatException("frame " + i + ": its JPEG picture does not decode to " + file.columns + "x"
                + file.rows + " (damaged, or a kind of JPEG OpenCV does not read)");
    }

    /**
     * A colour JPEG whose DICOM photometric interpretation is RGB holds RGB samples: no colour transform was applied
     * (PS3.5 8.2.1). A JPEG decoder alone takes three components for YCbCr unless the stream says otherwise (an Adobe
     * marker, or component ids 'R', 'G', 'B'); JFIF (which means YCbCr) or Adobe markers are left to say it, and a
     * stream with neither gets the ids 'R', 'G', 'B' in its frame and scan headers, in place, so that it is decoded
     * as RGB, unless its components are sampled unequally: subsampled chroma is YCbCr whatever the label says (some
     * scanners write RGB over an ordinary YCbCr 4:2:x JPEG). Headers it cannot walk are left as they are.
     */
    static void markStoredAsRgb(byte[] jpeg, int n) {
        if (n < 4 || (jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8) {
            return;
        }
        int ids = -1; // the frame's three component ids, a byte each (no allocation per frame)
        int frameHeader = -1;
        int at = 2;
        while (at + 4 <= n && (jpeg[at] & 0xff) == 0xFF) {
            int marker = jpeg[at + 1] & 0xff;
            int length = (jpeg[at + 2] & 0xff) << 8 | jpeg[at + 3] & 0xff;
            if (length < 2 || at + 2 + length > n) {
                return;
            }
            boolean says = marker == 0xE0 && length >= 7 && jpeg[at + 4] == 'J' && jpeg[at + 5] == 'F'
                    && jpeg[at + 6] == 'I' && jpeg[at + 7] == 'F'
                    || marker == 0xEE && length >= 7 && jpeg[at + 4] == 'A' && jpeg[at + 5] == 'd'
                    && jpeg[at + 6] == 'o' && jpeg[at + 7] == 'b';
            if (says) {
                return; // the stream says how its colour is stored
            }
            if ((marker == 0xC0 || marker == 0xC1) && length >= 8 + 3 * 3 && (jpeg[at + 9] & 0xff) == 3) {
                if (jpeg[at + 11] != jpeg[at + 14] || jpeg[at + 11] != jpeg[at + 17]) {
                    return; // chroma subsampled: YCbCr under an RGB label (no encoder subsamples R and B against G)
                }
                frameHeader = at;
                ids = (jpeg[at + 10] & 0xff) | (jpeg[at + 13] & 0xff) << 8 | (jpeg[at + 16] & 0xff) << 16;
                if (ids == ('R' | 'G' << 8 | 'B' << 16)) {
                    return;
                }
            }
            if (marker == 0xDA) {
                if (ids < 0) {
                    return;
                }
                for (int k = 0; k < 3; k++) {
                    jpeg[frameHeader + 10 + 3 * k] = (byte) "RGB".charAt(k);
                }
                renameScanComponents(jpeg, n, at, ids);
                return;
            }
            at += 2 + length;
        }
    }

    /**
     * Renames the components of the scan header at {@code at} and, when it names fewer than three (a non-interleaved
     * JPEG has a scan per component), of the scans after it: the usual interleaved frame is not searched past its
     * first header.
     */
    private static void renameScanComponents(byte[] jpeg, int n, int at, int ids) {
        int renamed = 0;
        for (int p = at; p + 5 <= n && renamed < 3; p++) {
            if ((jpeg[p] & 0xff) != 0xFF || (jpeg[p + 1] & 0xff) != 0xDA) {
                continue;
            }
            int count = jpeg[p + 4] & 0xff;
            for (int k = 0; k < count && p + 5 + 2 * k < n; k++) {
                int id = jpeg[p + 5 + 2 * k] & 0xff;
                for (int c = 0; c < 3; c++) {
                    if (id == (ids >> 8 * c & 0xff)) {
                        jpeg[p + 5 + 2 * k] = (byte) "RGB".charAt(c);
                        renamed++;
                        break;
                    }
                }
            }
        }
    }

    private Mat viaFfmpeg(ByteBuffer data, int i) {
        if (ffmpegOut == null) {
            // rows to spare below the picture: swscale may write past its last row (FrameSlot.NATIVE_TAIL)
            ffmpegPadded = new Mat(file.rows + 2, file.columns, CV_8UC3);
            ffmpegOut = ffmpegPadded.rowRange(0, file.rows);
        }
        byte[] samples = greyStored ? raw : null;
        switch (still.decode(data, ffmpegOut, samples, bytesPerSample(file), file.pixelRepresentation == 1)) {
            case GREY_SAMPLES -> {
                grey();
                pictureMemory.put(shown, 0, shown.length);
                return picture;
            }
            case BGR -> {
                return ffmpegOut; // BGR, this decoder's own (a grey file's codestream may be colour: shown as decoded)
            }
            default -> throw new DicomFormatException("frame " + i + ": its compressed picture does not decode to "
                    + file.columns + "x" + file.rows);
        }
    }

    private void grey() {
        if (file.bitsAllocated == 8) {
            for (int k = 0; k < pixels; k++) {
                shown[k] = greyLut[raw[k] & 0xff];
            }
            return;
        }
        int mask = greyLut.length - 1;
        for (int k = 0; k < pixels; k++) {
            shown[k] = greyLut[rawWords.getShort(2 * k) & mask];
        }
    }

    /**
     * Grey levels shown for each stored value (PS3.3 C.11): the modality rescale, then the file's first VOI window
     * (LINEAR, LINEAR_EXACT or SIGMOID) over 0-255; without a window, the stored range scaled to 8 bits (its top 8
     * bits; signed values from their least). MONOCHROME1 is inverted last.
     */
    static byte[] greyLut(DicomFile f) {
        int stored = f.bitsAllocated == 8 ? 8 : f.bitsStored > 0 && f.bitsStored <= 16 ? f.bitsStored : 16;
        int size = 1 << stored;
        int shift = Math.max(0, stored - 8);
        boolean signed = f.pixelRepresentation == 1;
        double c = f.windowCenter;
        double w = f.windowWidth;
        String fn = f.voiFunction.toUpperCase(java.util.Locale.ROOT);
        boolean window = !Double.isNaN(c) && !Double.isNaN(w) && (fn.equals("LINEAR") ? w >= 1 : w > 0);
        boolean invert = f.photometric.equals("MONOCHROME1");
        byte[] lut = new byte[size];
        for (int s = 0; s < size; s++) {
            int value = signed && s >= size / 2 ? s - size : s;
            int v;
            if (!window) {
                v = (signed ? s ^ (size / 2) : s) >> shift; // signed: the range moved to start at 0
            } else {
                double x = value * f.rescaleSlope + f.rescaleIntercept;
                double y = switch (fn) {
                    case "LINEAR_EXACT" -> x <= c - w / 2 ? 0 : x > c + w / 2 ? 1 : (x - c) / w + 0.5;
                    case "SIGMOID" -> 1 / (1 + Math.exp(-4 * (x - c) / w));
                    default -> x <= c - 0.5 - (w - 1) / 2 ? 0 : x > c - 0.5 + (w - 1) / 2 ? 1
                            : (x - (c - 0.5)) / (w - 1) + 0.5; // (w = 1: the first two cases cover every x)
                };
                v = (int) Math.round(Math.min(1, Math.max(0, y)) * 255);
            }
            lut[s] = (byte) (invert ? 255 - v : v);
        }
        return lut;
    }

    private void rgb(boolean byPlane, boolean ybr) {
        for (int k = 0; k < pixels; k++) {
            int a;
            int b;
            int c;
            if (byPlane) {
                a = raw[k] & 0xff;
                b = raw[pixels + k] & 0xff;
                c = raw[2 * pixels + k] & 0xff;
            } else {
                a = raw[3 * k] & 0xff;
                b = raw[3 * k + 1] & 0xff;
                c = raw[3 * k + 2] & 0xff;
            }
            int r = a;
            int g = b;
            int bl = c;
            if (ybr) { // full-range YCbCr (PS3.3 C.7.6.3.1.2)
                r = clamp(a + 1.402 * (c - 128));
                g = clamp(a - 0.344136 * (b - 128) - 0.714136 * (c - 128));
                bl = clamp(a + 1.772 * (b - 128));
            }
            shown[3 * k] = (byte) bl;
            shown[3 * k + 1] = (byte) g;
            shown[3 * k + 2] = (byte) r;
        }
    }

    private void paletted() {
        DicomFile f = file;
        int[] d = f.paletteDescriptor[0];
        int entries = d[0] == 0 ? 65536 : d[0];
        int first = d[1];
        for (int k = 0; k < pixels; k++) {
            int v = f.bitsAllocated == 16 ? rawWords.getShort(2 * k) & 0xffff : raw[k] & 0xff;
            int idx = Math.min(entries - 1, Math.max(0, v - first));
            shown[3 * k] = palette[2][idx];
            shown[3 * k + 1] = palette[1][idx];
            shown[3 * k + 2] = palette[0][idx];
        }
    }

    /** The red, green and blue tables as 8-bit values (16-bit entries keep their high byte). */
    private static byte[][] palette(DicomFile f) {
        byte[][] out = new byte[3][];
        for (int c = 0; c < 3; c++) {
            int[] d = f.paletteDescriptor[c];
            if (d == null || f.paletteLength[c] == 0) {
                throw new DicomFormatException("is PALETTE COLOR without its " + "RGB".charAt(c) + " lookup table");
            }
            int entries = d[0] == 0 ? 65536 : d[0];
            int bits = d[2];
            int at = f.paletteOffset[c];
            int length = f.paletteLength[c];
            out[c] = new byte[entries];
            boolean wide = bits == 16 || length >= 2 * entries; // 8-bit entries are often stored in 16-bit words
            if (length < (wide ? 2 : 1) * entries) {
                throw new DicomFormatException("has a " + "RGB".charAt(c) + " lookup table shorter than its "
                        + entries + " entries");
            }
            for (int k = 0; k < entries; k++) {
                int v = wide ? f.bytes.getShort(at + 2 * k) & 0xffff : f.bytes.get(at + k) & 0xff;
                out[c][k] = (byte) (bits == 16 ? v >> 8 : v & 0xff);
            }
        }
        return out;
    }

    /**
     * RLE Lossless (PS3.5 Annex G): a 64-byte header (segment count, then up to 15 offsets), one PackBits segment
     * per byte plane: the samples in order, each 16-bit sample's high byte first. Decoded into {@link #raw} in the
     * native layout by plane ({@code planar = 1}), little-endian words for 16 bits.
     */
    private void rle(ByteBuffer frame, int index) {
        ByteBuffer h = frame.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int bytesPerSample = Math.max(1, file.bitsAllocated / 8);
        int segments = file.samples * bytesPerSample;
        if (h.remaining() < 64 || h.getInt(0) != segments) {
            throw new DicomFormatException("frame " + index + ": its RLE header does not list " + segments
                    + " segments");
        }
        for (int s = 0; s < segments; s++) {
            int from = h.getInt(4 + 4 * s);
            int to = s + 1 < segments ? h.getInt(8 + 4 * s) : h.remaining();
            if (from < 64 || to > h.remaining() || to < from) {
                throw new DicomFormatException("frame " + index + ": RLE segment " + s + " lies outside the frame");
            }
            int sample = s / bytesPerSample;
            int byteInSample = bytesPerSample - 1 - s % bytesPerSample; // high byte first, stored little-endian
            int base = sample * pixels * bytesPerSample + byteInSample;
            int out = 0;
            int p = from;
            while (p < to && out < pixels) {
                int n = h.get(p++);
                if (n >= 0) { // n+1 literal bytes
                    for (int k = 0; k <= n && p < to && out < pixels; k++) {
                        raw[base + bytesPerSample * out++] = h.get(p++);
                    }
                } else if (n != -128) { // the next byte 1-n times
                    byte v = p < to ? h.get(p++) : 0;
                    for (int k = 0; k < 1 - n && out < pixels; k++) {
                        raw[base + bytesPerSample * out++] = v;
                    }
                }
            }
            if (out < pixels) {
                throw new DicomFormatException("frame " + index + ": RLE segment " + s + " holds " + out + " of "
                        + pixels + " pixels");
            }
        }
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    @Override
    public void close() {
        picture.close();
        pictureMemory.close();
        if (compressed != null) {
            compressed.close();
            compressedMemory.close();
        }
        if (still != null) {
            still.close();
        }
        if (ffmpegOut != null) {
            ffmpegOut.close();
            ffmpegPadded.close();
        }
        if (jpegOut != null) {
            jpegOut.close();
        }
    }
}
