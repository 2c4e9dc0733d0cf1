package org.intravis.capture.ffmpeg;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SignificantBits;
import org.bytedeco.opencv.opencv_core.Mat;

import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR48BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR48LE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGRA;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGRA64BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGRA64LE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY16BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY16LE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB48BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB48LE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGBA;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGBA64BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGBA64LE;
import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * Writes a decoded picture into a slot in the stream's pixel format, scaled down (keeping its aspect ratio) when
 * it is larger than the stream's geometry: one {@code sws_scale} straight into the slot's memory, rows packed.
 * The scaler is rebuilt only when the picture's size or format changes (a stream that reconnects at another
 * resolution); otherwise nothing is allocated per frame.
 * <p>
 * A 16-bit picture, grey or colour (a PNG or TIFF export), is first narrowed to 8 bits a sample by the bits it uses
 * ({@link SignificantBits}: a 12-bit export's 0..4095 as 0..255, not as the nearly black top 8 bits swscale keeps;
 * an alpha band by its top 8 bits), the same way the evaluation reads such images: two passes over the picture in
 * Java and one small pointer object a frame, for 16-bit sources only.
 * <p>
 * A picture stored turned ({@link FfmpegInput#orientation()}: a display matrix) is scaled into a staging picture as
 * stored and then turned into the slot with OpenCV, so the slot holds it upright and its size is the turned one; one
 * more pass over the picture, for turned sources only. A picture of non-square pixels ({@link
 * FfmpegInput#sampleAspect()}) is scaled to square ones in the same swscale pass.
 */
public final class SlotConverter implements AutoCloseable {
    private final FrameGeometry geometry;
    private final int dstFormat;
    private final SlotPointers slots = new SlotPointers();
    private final PointerPointer<?> dstData = new PointerPointer<>(4);
    private final IntPointer dstStride = new IntPointer(4);
    private SwsContext sws;
    private int srcWidth = -1;
    private int srcHeight = -1;
    private int srcFormat = -1;
    private boolean srcFullRange;
    private int dstWidth;
    private int dstHeight;
    // 16-bit grey: the bits in use, a row read from the picture, the narrowed picture (made on the first such frame)
    private final SignificantBits significantBits = new SignificantBits();
    private byte[] wideRow;
    private byte[] narrowRow;
    private BytePointer narrowed;
    private final PointerPointer<?> narrowedData = new PointerPointer<>(4);
    private final IntPointer narrowedStride = new IntPointer(4);
    // a turned picture: its orientation, the picture as stored and scaled, views of the slots at the shown size
    private DisplayOrientation srcOrientation = DisplayOrientation.UPRIGHT;
    private double srcAspect = 1;
    private Mat stored;
    private final PointerPointer<?> storedData = new PointerPointer<>(4);
    private final IntPointer storedStride = new IntPointer(4);
    private final Map<ByteBuffer, Mat> shownViews = new IdentityHashMap<>();

    public SlotConverter(FrameGeometry geometry) {
        this.geometry = geometry;
        this.dstFormat = geometry.format() == PixelFormat.GRAY8 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_BGR24;
        for (int i = 0; i < 4; i++) {
            dstData.put(i, null);
            dstStride.put(i, 0);
            narrowedData.put(i, null);
            narrowedStride.put(i, 0);
            storedData.put(i, null);
            storedStride.put(i, 0);
        }
    }

    /** Converts {@code input}'s current picture into {@code slot} (layout and pixels). */
    public void convert(FfmpegInput input, FrameSlot slot) {
        AVFrame frame = input.frame();
        int w = frame.width();
        int h = frame.height();
        int f = frame.format();
        boolean full = Swscale.fullRange(frame);
        PointerPointer<?> srcData = input.frameData();
        IntPointer srcStride = input.frameLinesize();
        int narrowTo = narrowedFormat(f);
        if (narrowTo >= 0) {
            narrow(frame, w, h, samplesPerPixel(narrowTo), bigEndian(f));
            f = narrowTo;
            full = true; // 0..255 of the picture's own range
            srcData = narrowedData;
            srcStride = narrowedStride;
        }
        DisplayOrientation o = input.orientation();
        double aspect = input.sampleAspect();
        if (w != srcWidth || h != srcHeight || f != srcFormat || full != srcFullRange || o != srcOrientation
                || aspect != srcAspect || sws == null) {
            rebuild(w, h, f, full, o, aspect, input.squareWidth(w));
        }
        int stride = dstWidth * geometry.format().bytesPerPixel();
        slot.frame(dstWidth, dstHeight, stride, geometry.format());
        if (o == DisplayOrientation.UPRIGHT) {
            dstData.put(0, slots.of(slot.pixels()));
            dstStride.put(0, stride);
            sws_scale(sws, srcData, srcStride, 0, h, dstData, dstStride);
        } else {
            sws_scale(sws, srcData, srcStride, 0, h, storedData, storedStride);
            o.apply(stored, shownView(slot.pixels(), stride));
        }
    }

    /** An OpenCV view of a slot's pixels at the shown size, made once per slot while the size stays. */
    private Mat shownView(ByteBuffer pixels, int stride) {
        Mat view = shownViews.get(pixels);
        if (view == null) {
            int type = geometry.format() == PixelFormat.GRAY8 ? CV_8UC1 : CV_8UC3;
            view = new Mat(dstHeight, dstWidth, type, slots.of(pixels), stride);
            shownViews.put(pixels, view);
        }
        return view;
    }

    /** The 8-bit format a 16-bit one is narrowed to (samples in the same order), or -1 for any other format. */
    private static int narrowedFormat(int f) {
        if (f == AV_PIX_FMT_GRAY16BE || f == AV_PIX_FMT_GRAY16LE) {
            return AV_PIX_FMT_GRAY8;
        }
        if (f == AV_PIX_FMT_RGB48BE || f == AV_PIX_FMT_RGB48LE) {
            return AV_PIX_FMT_RGB24;
        }
        if (f == AV_PIX_FMT_BGR48BE || f == AV_PIX_FMT_BGR48LE) {
            return AV_PIX_FMT_BGR24;
        }
        if (f == AV_PIX_FMT_RGBA64BE || f == AV_PIX_FMT_RGBA64LE) {
            return AV_PIX_FMT_RGBA;
        }
        if (f == AV_PIX_FMT_BGRA64BE || f == AV_PIX_FMT_BGRA64LE) {
            return AV_PIX_FMT_BGRA;
        }
        return -1;
    }

    private static int samplesPerPixel(int eightBitFormat) {
        return eightBitFormat == AV_PIX_FMT_GRAY8 ? 1 : eightBitFormat == AV_PIX_FMT_RGB24
                || eightBitFormat == AV_PIX_FMT_BGR24 ? 3 : 4;
    }

    private static boolean bigEndian(int f) {
        return f == AV_PIX_FMT_GRAY16BE || f == AV_PIX_FMT_RGB48BE || f == AV_PIX_FMT_BGR48BE
                || f == AV_PIX_FMT_RGBA64BE || f == AV_PIX_FMT_BGRA64BE;
    }

    /**
     * The 16-bit picture of {@code frame} ({@code samples} a pixel, packed) into {@link #narrowed}, 8 bits a sample by
     * the bits its colour samples use; a fourth sample (alpha) by its top 8 bits.
     */
    private void narrow(AVFrame frame, int w, int h, int samples, boolean bigEndian) {
        int rowSamples = w * samples;
        if (narrowed == null || narrowRow.length != rowSamples || narrowed.capacity() < (long) rowSamples * h) {
            if (narrowed != null) {
                narrowed.close();
            }
            narrowed = new BytePointer((long) rowSamples * h);
            wideRow = new byte[2 * rowSamples];
            narrowRow = new byte[rowSamples];
            narrowedData.put(0, narrowed);
            narrowedStride.put(0, rowSamples);
        }
        BytePointer src = frame.data(0);
        long linesize = frame.linesize(0);
        int hi = bigEndian ? 0 : 1; // where a value's high byte is
        int max = 0;
        for (int y = 0; y < h; y++) {
            src.position(y * linesize).get(wideRow, 0, 2 * rowSamples);
            for (int i = 0; i < rowSamples; i++) {
                if (samples == 4 && i % 4 == 3) {
                    continue; // alpha says nothing of the picture's depth
                }
                max = Math.max(max, (wideRow[2 * i + hi] & 0xFF) << 8 | wideRow[2 * i + 1 - hi] & 0xFF);
            }
        }
        significantBits.see(max);
        for (int y = 0; y < h; y++) {
            src.position(y * linesize).get(wideRow, 0, 2 * rowSamples);
            for (int i = 0; i < rowSamples; i++) {
                narrowRow[i] = samples == 4 && i % 4 == 3 ? wideRow[2 * i + hi]
                        : significantBits.narrow((wideRow[2 * i + hi] & 0xFF) << 8 | wideRow[2 * i + 1 - hi] & 0xFF);
            }
            narrowed.position((long) y * rowSamples).put(narrowRow, 0, rowSamples);
        }
        narrowed.position(0);
    }

    /** @param squareW the picture's stored width in square pixels ({@code w} unless its pixels are not square) */
    private void rebuild(int w, int h, int f, boolean fullRange, DisplayOrientation orientation, double aspect,
                         int squareW) {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        releaseTurning();
        boolean swap = orientation.swapsSides();
        long fitted = swap ? fit(h, squareW, geometry.maxWidth(), geometry.maxHeight())
                : fit(squareW, h, geometry.maxWidth(), geometry.maxHeight());
        dstWidth = (int) (fitted >>> 32);
        dstHeight = (int) fitted;
        int scaledWidth = swap ? dstHeight : dstWidth; // the picture as stored, scaled
        int scaledHeight = swap ? dstWidth : dstHeight;
        int flags = scaledWidth < w ? SWS_AREA : SWS_BILINEAR;
        sws = Swscale.create(w, h, f, fullRange, scaledWidth, scaledHeight, dstFormat, flags);
        if (orientation != DisplayOrientation.UPRIGHT) {
            stored = new Mat(scaledHeight, scaledWidth, geometry.format() == PixelFormat.GRAY8 ? CV_8UC1 : CV_8UC3);
            storedData.put(0, stored.data());
            storedStride.put(0, (int) stored.step());
        }
        srcOrientation = orientation;
        srcAspect = aspect;
        if (sws == null) {
            throw new IllegalStateException("cannot convert " + w + "x" + h + " pixel format " + f + " to "
                    + geometry.format());
        }
        srcWidth = w;
        srcHeight = h;
        srcFormat = f;
        srcFullRange = fullRange;
    }

    private void releaseTurning() {
        shownViews.values().forEach(Mat::close);
        shownViews.clear();
        if (stored != null) {
            stored.close();
            stored = null;
        }
    }

    /**
     * The size a {@code w x h} picture is given in a {@code maxW x maxH} slot: unchanged when it fits, else scaled
     * down keeping its aspect ratio. Packed as {@code (width << 32) | height} to stay allocation-free.
     */
    public static long fit(int w, int h, int maxW, int maxH) {
        if (w <= maxW && h <= maxH) {
            return ((long) w << 32) | h;
        }
        double scale = Math.min((double) maxW / w, (double) maxH / h);
        int fw = Math.max(1, Math.min(maxW, (int) Math.round(w * scale)));
        int fh = Math.max(1, Math.min(maxH, (int) Math.round(h * scale)));
        return ((long) fw << 32) | fh;
    }

    /**
     * The geometry of a stream whose first picture is {@code w x h}: that size, scaled down keeping its aspect ratio
     * to fit {@code maxW x maxH} where they are given (0: no limit).
     */
    public static FrameGeometry fitted(int w, int h, int maxW, int maxH, PixelFormat format) {
        long fitted = fit(w, h, maxW > 0 ? maxW : w, maxH > 0 ? maxH : h);
        return new FrameGeometry(fittedWidth(fitted), fittedHeight(fitted), format);
    }

    public static int fittedWidth(long fitted) {
        return (int) (fitted >>> 32);
    }

    public static int fittedHeight(long fitted) {
        return (int) fitted;
    }

    @Override
    public void close() {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        slots.clear();
        releaseTurning();
        srcWidth = -1;
        if (narrowed != null) {
            narrowed.close();
            narrowed = null;
        }
    }
}
