package org.intravis.streamer;

import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.nio.charset.StandardCharsets;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set_int;
import static org.bytedeco.ffmpeg.global.avutil.av_reduce;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swscale.sws_alloc_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_init_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

/**
 * What an FFmpeg encoder is fed and what it fills, for the live encoder ({@link AvVideoEncoder}) and the file writer
 * ({@link VideoFileWriter}) alike: one AVFrame with buffers of its own in the codec's pixel format, the swscale
 * conversion of the caller's GRAY8 or BGR24 rows into it, and one reusable AVPacket.
 * <p>
 * Everything native is allocated by the constructor and {@link #scaler}; {@link #fill} allocates nothing. Owned by
 * one thread. Failures are {@link IllegalStateException}s with FFmpeg's reason.
 */
final class EncoderBuffers implements AutoCloseable {
    /** {@link #scaler} range out: swscale's default (exact for the lossless codecs). */
    static final int DEFAULT_RANGE = -1;
    /** {@link #scaler} range out: video range (16..235), what browsers assume for H.264. */
    static final int VIDEO_RANGE = 0;
    /** {@link #scaler} range out: full range (0..255), as the sources are. */
    static final int FULL_RANGE = 1;

    private final int width;
    private final int height;
    private AVFrame frame;
    private AVPacket packet;
    /** Views into the AVFrame struct's own arrays: they stay valid when make_writable swaps the buffers. */
    private final PointerPointer<?> frameData;
    private final IntPointer frameLinesize;
    private final PointerPointer<Pointer> srcData = new PointerPointer<>(4);
    private final IntPointer srcStride = new IntPointer(4);
    private SwsContext sws;
    private int swsSourceFormat = -1;

    /**
     * @param pixelFormat the codec's pixel format ({@code AV_PIX_FMT_...})
     * @param colorRange  {@code AVCOL_RANGE_MPEG} (video range) or {@code AVCOL_RANGE_JPEG} (full range)
     */
    EncoderBuffers(int width, int height, int pixelFormat, int colorRange) {
        this.width = width;
        this.height = height;
        frame = av_frame_alloc();
        frame.format(pixelFormat);
        frame.width(width);
        frame.height(height);
        frame.color_range(colorRange);
        int r = av_frame_get_buffer(frame, 32);
        if (r < 0) {
            av_frame_free(frame);
            frame = null;
            throw new IllegalStateException("av_frame_get_buffer failed: " + error(r));
        }
        frameData = frame.data();
        frameLinesize = frame.linesize();
        packet = av_packet_alloc();
    }

    AVFrame frame() { return frame; }
    AVPacket packet() { return packet; }

    /**
     * Converts from {@code sourceFormat} ({@code AV_PIX_FMT_GRAY8} or {@code BGR24}) from now on; the converter is
     * made again only when the source format changes. The sources are full range; {@code rangeOut} is what the
     * codec gets ({@link #FULL_RANGE}, {@link #VIDEO_RANGE} or {@link #DEFAULT_RANGE}).
     */
    void scaler(int sourceFormat, int flags, int rangeOut) {
        if (sws != null && sourceFormat == swsSourceFormat) {
            return;
        }
        if (sws != null) {
            sws_freeContext(sws);
        }
        // the source is cropped to this picture's size by converting only width x height of it. The ranges are set
        // before the converter is initialised: set afterwards (sws_setColorspaceDetails), a colour source's
        // conversion to full-range YUV kept video range (black written as 16 and flagged as 0)
        sws = sws_alloc_context();
        if (sws == null || sws.isNull()) {
            sws = null;
            throw new IllegalStateException("swscale: out of memory");
        }
        av_opt_set_int(sws, "srcw", width, 0);
        av_opt_set_int(sws, "srch", height, 0);
        av_opt_set_int(sws, "src_format", sourceFormat, 0);
        av_opt_set_int(sws, "dstw", width, 0);
        av_opt_set_int(sws, "dsth", height, 0);
        av_opt_set_int(sws, "dst_format", frame.format(), 0);
        av_opt_set_int(sws, "sws_flags", flags, 0);
        if (rangeOut != DEFAULT_RANGE) {
            av_opt_set_int(sws, "src_range", FULL_RANGE, 0);
            av_opt_set_int(sws, "dst_range", rangeOut, 0);
        }
        if (sws_init_context(sws, null, null) < 0) {
            sws_freeContext(sws);
            sws = null;
            throw new IllegalStateException("swscale cannot convert pixel format " + sourceFormat + " to " + frame.format());
        }
        swsSourceFormat = sourceFormat;
    }

    /** Converts one picture into the frame: rows of {@code pixels} are {@code stride} bytes apart. */
    void fill(BytePointer pixels, int stride) {
        int r = av_frame_make_writable(frame);
        if (r < 0) {
            throw new IllegalStateException("av_frame_make_writable failed: " + error(r));
        }
        srcData.put(0, pixels);
        srcStride.put(0, stride);
        sws_scale(sws, srcData, srcStride, 0, height, frameData, frameLinesize);
    }

    /** A frame rate as a reduced fraction {numerator, denominator} (to a thousandth of a frame per second). */
    static int[] rate(double fps) {
        int[] num = new int[1];
        int[] den = new int[1];
        av_reduce(num, den, Math.round(fps * 1000), 1000, 1_000_000);
        return new int[] {num[0], den[0]};
    }

    /** FFmpeg's text for an error code, with the code. */
    static String error(int r) {
        byte[] buf = new byte[256];
        av_strerror(r, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.US_ASCII) + " (" + r + ")";
    }

    /** Frees {@code buffers}, then the codec context they were made for; either may be null (never opened). */
    static void free(EncoderBuffers buffers, AVCodecContext ctx) {
        if (buffers != null) {
            buffers.close();
        }
        if (ctx != null) {
            avcodec_free_context(ctx);
        }
    }

    @Override
    public void close() {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
        }
    }
}
