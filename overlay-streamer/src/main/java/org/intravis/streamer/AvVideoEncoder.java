package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.intravis.pipeline.PixelFormat;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swscale.*;

/**
 * One FFmpeg (avcodec) video encoder with its colour conversion: GRAY8 or BGR24 pixels in, one packet out per
 * picture, no delay. H.264 is encoded for low latency (constrained baseline, no B-frames, a key frame every
 * {@code keyInterval} pictures or on request, one access unit per packet, SPS/PPS in-band before every IDR);
 * JPEG with FFmpeg's mjpeg encoder at a fixed quantiser.
 * <p>
 * Everything native is allocated when the encoder opens (at the first picture, and again only if the picture
 * size changes). Owned by one thread (the stream's video thread). Public so that the test bench (perf) measures and
 * compares with the very encoder the streams use.
 */
public final class AvVideoEncoder implements AutoCloseable {
    private static final int AVERROR_EAGAIN = -11;
    private static final int FF_QP2LAMBDA = 118;

    private final Encoding encoding;
    private final StreamerSettings settings;
    private final double fps;

    private AVCodecContext ctx;
    private EncoderBuffers buffers;
    private int openWidth;
    private int openHeight;
    private long pts;
    private boolean packetKey;
    private int packetSize;
    private String codecString = "";
    private String openedCodecName = "";
    /** Where AVPacket keeps its data pointer (read in place: the {@code data()} getter allocates a BytePointer). */
    private long packetDataOffset = -1;
    /** Views moved onto the packet's data and the socket buffer's memory: copies without a new object a packet. */
    private final NativeView packetView = new NativeView();
    private final NativeView bufferView = new NativeView();
    /** The packet on its way into a buffer without a memory address; grows to the largest packet. */
    private byte[] staging = new byte[0];
    /** Whether the copy goes through Unsafe (Netty has it); tests turn it off to run Java 25's copy on any Java. */
    boolean unsafeCopy = PlatformDependent.hasUnsafe();

    public AvVideoEncoder(Encoding encoding, StreamerSettings settings, double fps) {
        this.encoding = encoding;
        this.settings = settings;
        this.fps = fps > 0 ? fps : 30;
    }

    public Encoding encoding() { return encoding; }

    /** The FFmpeg pixel format of a slot's pixels, as {@link #encode} takes it. */
    public static int avPixelFormat(PixelFormat f) {
        return f == PixelFormat.GRAY8 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_BGR24;
    }

    /** The codec string for WebCodecs (e.g. {@code avc1.42C01F}), known after the first H.264 key frame. */
    public String codecString() { return codecString; }

    /** Name of the FFmpeg encoder in use ({@code libopenh264}, {@code mjpeg}, ...), empty before opening. */
    public String codecName() { return openedCodecName; }

    public int width() { return openWidth; }
    public int height() { return openHeight; }

    /**
     * Converts and encodes one picture. {@code pixels} points at the first row; rows are {@code stride} bytes
     * apart; {@code format} is an FFmpeg pixel format (GRAY8 or BGR24). Returns the packet size, or -1 when the
     * encoder produced nothing for this picture. The encoded size is the picture size rounded down to even.
     */
    public int encode(BytePointer pixels, int width, int height, int stride, int format, boolean forceKey) {
        int w = width & ~1;
        int h = height & ~1;
        if (w < 2 || h < 2) {
            throw new IllegalArgumentException("picture too small to encode: " + width + "x" + height);
        }
        if (ctx == null || w != openWidth || h != openHeight) {
            open(w, h);
            forceKey = true;
        }
        // the source is cropped to the even size; H.264 gets video range (what browsers assume), JPEG full range
        buffers.scaler(format, SWS_BILINEAR,
                encoding == Encoding.JPEG ? EncoderBuffers.FULL_RANGE : EncoderBuffers.VIDEO_RANGE);
        buffers.fill(pixels, stride);

        AVFrame frame = buffers.frame();
        AVPacket packet = buffers.packet();
        frame.pts(pts++);
        frame.pict_type(forceKey ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE);
        if (encoding == Encoding.JPEG) {
            frame.quality(ctx.global_quality());
        }
        check(avcodec_send_frame(ctx, frame), "avcodec_send_frame");
        av_packet_unref(packet);
        int r = avcodec_receive_packet(ctx, packet);
        if (r == AVERROR_EAGAIN || r == AVERROR_EOF) {
            packetSize = -1;
            return -1;
        }
        check(r, "avcodec_receive_packet");
        packetSize = packet.size();
        packetKey = encoding == Encoding.JPEG || (packet.flags() & AV_PKT_FLAG_KEY) != 0;
        if (encoding == Encoding.H264 && packetKey && codecString.isEmpty()) {
            codecString = H264Bitstream.codecString(packetBytes());
        }
        return packetSize;
    }

    /** Whether the last packet is a key frame (an IDR with SPS/PPS for H.264; every JPEG). */
    public boolean packetKey() { return packetKey; }

    public int packetSize() { return packetSize; }

    /**
     * Copies the last packet into {@code out} at its writer index. Where the buffer has a memory address (pooled
     * direct buffers have one on Java 17 and on 25) that is one memcpy and allocates nothing: through Unsafe where
     * Netty has it (Java 17 to 24), else through JavaCPP between views moved onto both ends (Netty's default on Java
     * 25 is no Unsafe; a JavaCPP pointer and NIO views a packet made ~220 bytes of garbage there). A buffer without an
     * address (heap, or direct where Netty reads no addresses; none the streams use) gets the packet through a staging
     * array in one bulk write, for which Netty makes that buffer a view of its memory: a small object once a buffer.
     */
    public void copyPacket(ByteBuf out) {
        int n = packetSize;
        out.ensureWritable(n);
        long data = packetData();
        if (!out.hasMemoryAddress()) {
            if (staging.length < n) {
                staging = new byte[Math.max(n, 2 * staging.length)];
            }
            packetView.moveTo(data, n).get(staging, 0, n);
            out.writeBytes(staging, 0, n);
            return;
        }
        long to = out.memoryAddress() + out.writerIndex();
        if (unsafeCopy) {
            PlatformDependent.copyMemory(data, to, n);
        } else {
            Pointer.memcpy(bufferView.moveTo(to, n), packetView.moveTo(data, n), n);
        }
        out.writerIndex(out.writerIndex() + n);
    }

    /** The last packet's data pointer, read in place (AVPacket's {@code data()} getter makes a BytePointer). */
    private long packetData() {
        long field = buffers.packet().address() + packetDataOffset;
        return unsafeCopy ? PlatformDependent.getLong(field) : packetView.moveTo(field, Long.BYTES).getLong(0);
    }

    /**
     * A pointer moved onto native memory it does not own (never freed through it): reads without a new object. Like
     * gpu-inference's {@code NativeMemory} views, but moved for each packet instead of made once; this module does not
     * depend on that one.
     */
    private static final class NativeView extends BytePointer {
        NativeView moveTo(long at, long bytes) {
            address = at;
            position = 0;
            limit = bytes;
            capacity = bytes;
            return this;
        }
    }

    /** The last packet as a Java array (tests and diagnostics; allocates). */
    public byte[] packetBytes() {
        byte[] b = new byte[packetSize];
        buffers.packet().data().position(0).get(b);
        return b;
    }

    /**
     * The H.264 encoder used when the configured one cannot open (h264_nvenc without an NVIDIA GPU or driver): the
     * bundled software encoder, so a configuration for the GPU machine still streams on any machine.
     */
    public static final String H264_FALLBACK = "libopenh264";
    /** Configured H.264 encoders that failed to open here: not tried again (an NVENC probe costs tens of ms). */
    private static final java.util.Set<String> UNUSABLE = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(AvVideoEncoder.class.getName());

    /** libx264 where this FFmpeg has it (its GPL build, -Pgpl): half the CPU of libopenh264 or less; else that. */
    public static String bestSoftwareH264() {
        return avcodec_find_encoder_by_name("libx264") != null ? "libx264" : H264_FALLBACK;
    }

    /** Whether H.264 can be encoded with {@code configured} or, failing that, the fallback. */
    public static boolean h264Available(String configured) {
        return avcodec_find_encoder_by_name(configured) != null || avcodec_find_encoder_by_name(H264_FALLBACK) != null;
    }

    private void open(int w, int h) {
        close();
        if (encoding == Encoding.H264) {
            String asked = settings.h264Encoder();
            if (!asked.equals(H264_FALLBACK) && !UNUSABLE.contains(asked)) {
                try {
                    open(w, h, asked);
                    return;
                } catch (IllegalStateException e) {
                    if (UNUSABLE.add(asked)) {
                        LOG.warning(e.getMessage() + "; encoding H.264 with " + H264_FALLBACK + " instead");
                    }
                }
            }
            open(w, h, H264_FALLBACK);
        } else {
            open(w, h, "mjpeg");
        }
    }

    private void open(int w, int h, String name) {
        close();
        AVCodec codec = avcodec_find_encoder_by_name(name);
        if (codec == null) {
            throw new IllegalStateException("FFmpeg has no encoder '" + name + "' (this build has libopenh264 for "
                    + "H.264; libx264 needs the -Pgpl build, h264_nvenc an NVIDIA GPU with NVENC)");
        }
        ctx = avcodec_alloc_context3(codec);
        ctx.width(w);
        ctx.height(h);
        int[] rate = EncoderBuffers.rate(fps);
        ctx.time_base(av_make_q(rate[1], rate[0]));
        ctx.framerate(av_make_q(rate[0], rate[1]));
        ctx.thread_count(1);
        ctx.max_b_frames(0);
        if (encoding == Encoding.H264) {
            ctx.pix_fmt(AV_PIX_FMT_YUV420P);
            ctx.color_range(AVCOL_RANGE_MPEG);
            long bitrate = settings.h264BitrateFor(w, h, fps);
            ctx.bit_rate(bitrate);
            ctx.rc_max_rate(bitrate);
            ctx.gop_size(Math.max(1, (int) Math.round(fps * settings.keyIntervalMillis() / 1000.0)));
            if (name.equals("libopenh264")) {
                av_opt_set(ctx, "profile", "constrained_baseline", AV_OPT_SEARCH_CHILDREN);
                av_opt_set(ctx, "rc_mode", "bitrate", AV_OPT_SEARCH_CHILDREN);
                av_opt_set(ctx, "allow_skip_frames", "0", AV_OPT_SEARCH_CHILDREN);
            } else if (name.contains("nvenc")) {
                av_opt_set(ctx, "preset", "p1", AV_OPT_SEARCH_CHILDREN);
                av_opt_set(ctx, "tune", "ull", AV_OPT_SEARCH_CHILDREN);
                av_opt_set(ctx, "profile", "baseline", AV_OPT_SEARCH_CHILDREN);
                av_opt_set(ctx, "zerolatency", "1", AV_OPT_SEARCH_CHILDREN);
                av_opt_set(ctx, "delay", "0", AV_OPT_SEARCH_CHILDREN);
                av_opt_set(ctx, "forced-idr", "1", AV_OPT_SEARCH_CHILDREN);
                av_opt_set(ctx, "rc", "cbr", AV_OPT_SEARCH_CHILDREN);
            } else if (name.equals("libx264")) {
                // the cheapest preset, no look-ahead or frame reordering (zerolatency): a picture in, its packet out
                av_opt_set(ctx, "preset", "ultrafast", AV_OPT_SEARCH_CHILDREN);
                av_opt_set(ctx, "tune", "zerolatency", AV_OPT_SEARCH_CHILDREN);
                av_opt_set(ctx, "profile", "baseline", AV_OPT_SEARCH_CHILDREN);
                ctx.rc_buffer_size((int) Math.min(Integer.MAX_VALUE, bitrate / 2)); // maxrate needs a VBV buffer
            } else {
                av_opt_set(ctx, "profile", "baseline", AV_OPT_SEARCH_CHILDREN);
            }
        } else {
            ctx.pix_fmt(AV_PIX_FMT_YUV420P); // with full range: what JPEG means (the YUVJ formats are deprecated)
            ctx.color_range(AVCOL_RANGE_JPEG);
            ctx.flags(ctx.flags() | AV_CODEC_FLAG_QSCALE);
            ctx.global_quality(FF_QP2LAMBDA * settings.jpegQscale());
            ctx.qmin(settings.jpegQscale());
            ctx.qmax(settings.jpegQscale());
        }
        int r = avcodec_open2(ctx, codec, (PointerPointer<?>) null);
        if (r < 0) {
            String why = EncoderBuffers.error(r);
            close();
            throw new IllegalStateException("cannot open encoder " + name + " for " + w + "x" + h + ": " + why);
        }
        buffers = new EncoderBuffers(w, h, ctx.pix_fmt(), ctx.color_range());
        packetDataOffset = org.bytedeco.javacpp.Loader.offsetof(AVPacket.class, "data");
        openWidth = w;
        openHeight = h;
        openedCodecName = name;
        codecString = "";
        pts = 0;
    }

    private static void check(int r, String what) {
        if (r < 0) {
            throw new IllegalStateException(what + " failed: " + EncoderBuffers.error(r));
        }
    }

    @Override
    public void close() {
        EncoderBuffers.free(buffers, ctx);
        buffers = null;
        ctx = null;
        openWidth = openHeight = 0;
    }
}
