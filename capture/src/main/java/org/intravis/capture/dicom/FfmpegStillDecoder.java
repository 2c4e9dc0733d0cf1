package org.intravis.capture.dicom;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.capture.ffmpeg.Swscale;

import java.nio.ByteBuffer;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_JPEG2000;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_new_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY10LE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY12LE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY14LE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY16BE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY16LE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

/**
 * Decodes one compressed picture at a time with an FFmpeg image decoder (JPEG 2000, JPEG-LS, lossless JPEG and
 * 12-bit JPEG: the DICOM syntaxes OpenCV's decoders do not read) into a BGR picture, or a grey one's stored values.
 * One decoder per file: each frame is a packet of its own, and the decoder is flushed between them.
 */
final class FfmpegStillDecoder implements AutoCloseable {
    private final AVCodecContext context;
    private final AVPacket packet;
    private final AVFrame frame;
    private final String name;
    private final int codecId;
    /** Whether the decoder scales samples of 9-15 bits up to 16 (lossy JPEG), which {@link #decode} undoes. */
    private final boolean scaledUp;
    private byte[] copy = new byte[0];
    private byte[] row = new byte[0];
    private SwsContext sws;
    private int swsW = -1;
    private int swsH = -1;
    private int swsFormat = -1;
    private boolean swsFullRange;

    /** @param codecId an {@code AV_CODEC_ID_*} of libavcodec */
    FfmpegStillDecoder(int codecId, String name) {
        this(codecId, name, false);
    }

    /** @param scaledUp the decoder gives samples of 9-15 bits scaled up to 16 (FFmpeg's lossy JPEG decoder) */
    FfmpegStillDecoder(int codecId, String name, boolean scaledUp) {
        this.name = name;
        this.codecId = codecId;
        this.scaledUp = scaledUp;
        AVCodec codec = avcodec_find_decoder(codecId);
        if (codec == null) {
            throw new DicomFormatException("needs FFmpeg's " + name + " decoder, which this build lacks");
        }
        context = avcodec_alloc_context3(codec);
        context.thread_count(1);
        if (avcodec_open2(context, codec, (AVDictionary) null) < 0) {
            avcodec_free_context(context);
            throw new DicomFormatException("could not open FFmpeg's " + name + " decoder");
        }
        packet = av_packet_alloc();
        frame = av_frame_alloc();
    }

    /** What {@link #decode} gave. */
    enum Decoded { NOTHING, BGR, GREY_SAMPLES }

    /**
     * Decodes {@code data}. A grey picture, when {@code samples} is given, goes there as its stored values,
     * {@code bytesPerSample} each (two: little-endian words), so that the caller can apply the file's window; any
     * other picture goes to {@code bgr} (CV_8UC3, the picture's size, with memory to spare after its last row: swscale
     * may write past it). NOTHING when it is not a picture of {@code bgr}'s size.
     * <p>
     * FFmpeg gives lossless syntaxes' values as stored (signed ones as their two's complement), but JPEG 2000's signed
     * values offset by 32768 and lossy 12-bit JPEG's scaled up to 16 bits: both are undone here, so that the stored
     * bits are the file's.
     */
    Decoded decode(ByteBuffer data, Mat bgr, byte[] samples, int bytesPerSample, boolean signed) {
        if (!received(data, bgr.cols(), bgr.rows())) {
            return Decoded.NOTHING;
        }
        try {
            if (samples != null && isGrey(frame.format())) {
                copyGrey(samples, bytesPerSample, signed);
                return Decoded.GREY_SAMPLES;
            }
            scale(bgr);
            return Decoded.BGR;
        } finally {
            av_frame_unref(frame);
        }
    }

    private static boolean isGrey(int format) {
        return format == AV_PIX_FMT_GRAY8 || isWideGrey(format);
    }

    private static boolean isWideGrey(int f) {
        return f == AV_PIX_FMT_GRAY16LE || f == AV_PIX_FMT_GRAY16BE || f == AV_PIX_FMT_GRAY10LE
                || f == AV_PIX_FMT_GRAY12LE || f == AV_PIX_FMT_GRAY14LE;
    }

    /** Decodes {@code data} into {@link #frame}; true when it is a picture of that size (the caller unrefs it). */
    private boolean received(ByteBuffer data, int width, int height) {
        int n = data.remaining();
        if (av_new_packet(packet, n) < 0) {
            return false;
        }
        if (copy.length < n) {
            copy = new byte[n];
        }
        data.duplicate().get(copy, 0, n);
        packet.data().put(copy, 0, n);
        try {
            avcodec_flush_buffers(context);
            if (avcodec_send_packet(context, packet) < 0) {
                return false;
            }
            avcodec_send_packet(context, (AVPacket) null); // end of this "stream": the picture comes out now
            if (avcodec_receive_frame(context, frame) < 0) {
                return false;
            }
            if (frame.width() != width || frame.height() != height) {
                av_frame_unref(frame);
                return false;
            }
            return true; // the frame holds its own references: the flush below leaves it whole
        } finally {
            org.bytedeco.ffmpeg.global.avcodec.av_packet_unref(packet);
            avcodec_flush_buffers(context);
        }
    }

    private void copyGrey(byte[] samples, int bytesPerSample, boolean signed) {
        int w = frame.width();
        int h = frame.height();
        int f = frame.format();
        boolean wide = isWideGrey(f);
        int bits = context.bits_per_raw_sample();
        // lossy JPEG of 9-15 bits comes back scaled to 16 (its IDCT output shifted up); lossless syntaxes do not
        int down = scaledUp && f == AV_PIX_FMT_GRAY16LE && bits > 8 && bits < 16 ? 16 - bits : 0;
        int flip = signed && wide && codecId == AV_CODEC_ID_JPEG2000 ? 0x8000 : 0;
        boolean bigEndian = f == AV_PIX_FMT_GRAY16BE;
        int stride = frame.linesize(0);
        BytePointer plane = frame.data(0);
        int rowBytes = w * (wide ? 2 : 1);
        if (row.length < rowBytes) {
            row = new byte[rowBytes];
        }
        for (int y = 0; y < h; y++) {
            plane.position((long) y * stride).get(row, 0, rowBytes);
            int at = y * w * bytesPerSample;
            for (int x = 0; x < w; x++) {
                int v = !wide ? row[x] & 0xff : bigEndian
                        ? (row[2 * x] & 0xff) << 8 | row[2 * x + 1] & 0xff
                        : (row[2 * x + 1] & 0xff) << 8 | row[2 * x] & 0xff;
                v = (v ^ flip) >>> down;
                if (bytesPerSample == 1) {
                    samples[at + x] = (byte) (wide ? v >> 8 : v);
                } else {
                    samples[at + 2 * x] = (byte) v;
                    samples[at + 2 * x + 1] = (byte) (v >> 8);
                }
            }
        }
        plane.position(0);
    }

    private void scale(Mat bgr) {
        int w = frame.width();
        int h = frame.height();
        int f = frame.format();
        boolean full = Swscale.fullRange(frame);
        if (sws == null || w != swsW || h != swsH || f != swsFormat || full != swsFullRange) {
            if (sws != null) {
                sws_freeContext(sws);
            }
            sws = Swscale.create(w, h, f, full, w, h, AV_PIX_FMT_BGR24, SWS_BILINEAR);
            if (sws == null) {
                throw new DicomFormatException("FFmpeg's " + name + " decoder gave pixel format " + f
                        + ", which cannot be converted");
            }
            swsW = w;
            swsH = h;
            swsFormat = f;
            swsFullRange = full;
        }
        try (PointerPointer<BytePointer> dst = new PointerPointer<>(1);
             IntPointer dstStride = new IntPointer(1)) {
            dst.put(0, bgr.data());
            dstStride.put(0, (int) bgr.step());
            sws_scale(sws, frame.data(), frame.linesize(), 0, h, dst, dstStride);
        }
    }

    @Override
    public void close() {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        av_frame_free(frame);
        av_packet_free(packet);
        avcodec_free_context(context);
    }
}
