package org.intravis.streamer;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.intravis.pipeline.PixelFormat;

import java.io.IOException;
import java.nio.file.Path;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avformat.*;
import static org.bytedeco.ffmpeg.global.avutil.*;
import static org.bytedeco.ffmpeg.global.swscale.*;

/**
 * Writes one video file (Matroska or MP4) picture by picture with FFmpeg: GRAY8 or BGR24 pixels in, converted to
 * the codec's pixel format, encoded and muxed at once (no encoder delay: frame threading is off), timestamps in
 * milliseconds. {@link #close()} drains the encoder and writes the trailer (Matroska cues, MP4 index): only then
 * is the file complete. Write errors (a full disk, a vanished directory) come out as {@link IOException}s with
 * FFmpeg's reason, so the caller can stop cleanly.
 * <p>
 * Everything native is allocated in {@link #open()}; {@link #write} allocates nothing. One thread.
 */
public final class VideoFileWriter implements PictureFileWriter, AutoCloseable {
    private static final int FF_QP2LAMBDA = 118;
    private static final int FF_THREAD_SLICE = 2;
    private static final int AVERROR_EAGAIN = -11;

    private final Path file;
    private final String container;
    private final VideoCodec codec;
    private final int width;
    private final int height;
    private final PixelFormat inputFormat;
    private final double fps;
    private final long bitrate;
    private final int threads;
    private final boolean fastStart;

    private String encoderName = "";
    private AVFormatContext fmt;
    private AVCodecContext ctx;
    private AVStream stream;
    private EncoderBuffers buffers;
    private AVRational codecTimeBase;
    private boolean headerWritten;
    private long frames;
    private long lastPts = Long.MIN_VALUE;

    /**
     * @param container {@code matroska} or {@code mp4}
     * @param bitrate   bits per second for H.264 (0: about 0.3 bits per pixel per frame, visually lossless for
     *                  ultrasound); ignored by the other codecs
     * @param threads   encoder threads (slice threads only, so no picture is held back); 1 keeps cores for the
     *                  live path
     * @param fastStart for MP4: move the index to the front when closing (players start at once)
     */
    public VideoFileWriter(Path file, String container, VideoCodec codec, int width, int height,
                           PixelFormat inputFormat, double fps, long bitrate, int threads, boolean fastStart) {
        this.file = file;
        this.container = container;
        this.codec = codec;
        this.width = codec.needsEvenSize() ? width & ~1 : width;
        this.height = codec.needsEvenSize() ? height & ~1 : height;
        this.inputFormat = inputFormat;
        this.fps = fps > 0 ? fps : 30;
        this.bitrate = bitrate > 0 ? bitrate : Math.max(2_000_000L, Math.round(0.3 * this.width * this.height * this.fps));
        this.threads = Math.max(1, threads);
        this.fastStart = fastStart;
        if (this.width < 2 || this.height < 2) {
            throw new IllegalArgumentException("picture too small to encode: " + width + "x" + height);
        }
    }

    public Path file() { return file; }
    public VideoCodec codec() { return codec; }
    /** The FFmpeg encoder writing the file ({@link VideoCodec#encoderName}), empty before {@link #open()}. */
    public String encoderName() { return encoderName; }
    @Override
    public int width() { return width; }
    @Override
    public int height() { return height; }
    public long frames() { return frames; }

    /** Creates the file, opens the encoder and writes the header. */
    @Override
    public void open() throws IOException {
        try {
            openUnchecked();
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    private void openUnchecked() throws IOException {
        encoderName = codec.encoderName();
        AVCodec encoder = avcodec_find_encoder_by_name(encoderName);
        if (encoder == null || encoder.isNull()) {
            throw new IOException("this FFmpeg build has no " + encoderName + " encoder");
        }
        fmt = new AVFormatContext(null);
        // the file name is kept in the context: the MP4 muxer reopens it to move its index to the front
        check(avformat_alloc_output_context2(fmt, null, container, "file:" + file.toAbsolutePath()),
                "cannot create a " + container + " file");
        ctx = avcodec_alloc_context3(encoder);
        ctx.width(width);
        ctx.height(height);
        ctx.pix_fmt(codec.encodedPixelFormat(inputFormat));
        codecTimeBase = av_make_q(1, 1000);
        ctx.time_base(codecTimeBase);
        int[] rate = EncoderBuffers.rate(fps);
        ctx.framerate(av_make_q(rate[0], rate[1]));
        ctx.max_b_frames(0);
        ctx.thread_count(threads);
        ctx.thread_type(FF_THREAD_SLICE);
        AVDictionary opts = new AVDictionary(null);
        switch (codec) {
            case FFV1 -> {
                av_dict_set(opts, "level", "3", 0);
                av_dict_set(opts, "slices", String.valueOf(Math.max(4, threads * 2)), 0);
                av_dict_set(opts, "slicecrc", "1", 0); // damage is detected per slice on reading
                ctx.gop_size(1);
            }
            case MJPEG -> {
                ctx.color_range(AVCOL_RANGE_JPEG);
                ctx.flags(ctx.flags() | AV_CODEC_FLAG_QSCALE);
                ctx.global_quality(FF_QP2LAMBDA * 2);
                ctx.qmin(2);
                ctx.qmax(2);
            }
            case H264 -> {
                ctx.color_range(AVCOL_RANGE_JPEG); // keep the sources' full range; players honour the VUI flag
                ctx.bit_rate(bitrate);
                ctx.rc_max_rate(bitrate);
                ctx.gop_size(Math.max(1, (int) Math.round(fps))); // a key frame a second: seeking stays cheap
                if (encoderName.equals("libx264")) {
                    // the one preset that keeps up with 1080p30 on one thread here (README, "Recording"); zerolatency
                    // keeps this writer's rule of no picture held back in the encoder
                    av_dict_set(opts, "preset", "ultrafast", 0);
                    av_dict_set(opts, "tune", "zerolatency", 0);
                    // quality-driven like OpenH264's rc_mode quality below (x264's default level), with
                    // the bitrate as a cap over a second
                    av_dict_set(opts, "crf", "23", 0);
                    ctx.bit_rate(0);
                    ctx.rc_buffer_size((int) Math.min(Integer.MAX_VALUE, bitrate));
                } else {
                    av_dict_set(opts, "profile", "high", 0);
                    av_dict_set(opts, "rc_mode", "quality", 0);
                    av_dict_set(opts, "allow_skip_frames", "0", 0);
                }
            }
            default -> { }
        }
        if ((fmt.oformat().flags() & AVFMT_GLOBALHEADER) != 0) {
            ctx.flags(ctx.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        int r = avcodec_open2(ctx, encoder, opts);
        av_dict_free(opts);
        check(r, "cannot open the " + encoderName + " encoder for " + width + "x" + height);

        stream = avformat_new_stream(fmt, null);
        if (stream == null || stream.isNull()) {
            throw new IOException("cannot add a video stream to " + file);
        }
        stream.time_base(codecTimeBase);
        stream.avg_frame_rate(ctx.framerate());
        check(avcodec_parameters_from_context(stream.codecpar(), ctx), "cannot describe the video stream of " + file);

        AVIOContext pb = new AVIOContext(null);
        check(avio_open(pb, "file:" + file.toAbsolutePath(), AVIO_FLAG_WRITE), "cannot create " + file);
        fmt.pb(pb);
        AVDictionary muxOpts = new AVDictionary(null);
        if (fastStart && container.equals("mp4")) {
            av_dict_set(muxOpts, "movflags", "+faststart", 0);
        }
        r = avformat_write_header(fmt, muxOpts);
        av_dict_free(muxOpts);
        check(r, "cannot write the header of " + file);
        headerWritten = true;

        try {
            buffers = new EncoderBuffers(width, height, ctx.pix_fmt(), ctx.color_range());
            int src = AvVideoEncoder.avPixelFormat(inputFormat);
            // lossless codecs get an exact repacking; 4:2:0 codecs average the chroma; full range in and out
            buffers.scaler(src, codec.lossless() ? SWS_POINT : SWS_BILINEAR,
                    codec == VideoCodec.MJPEG || codec == VideoCodec.H264 ? EncoderBuffers.FULL_RANGE
                            : EncoderBuffers.DEFAULT_RANGE);
        } catch (IllegalStateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Encodes and writes one picture. Rows of {@code pixels} are {@code stride} bytes apart; the picture is at least
     * {@link #width()} x {@link #height()} (an odd last row or column is dropped for 4:2:0 codecs). Timestamps must
     * increase; one that does not is moved one millisecond past the previous. Returns the timestamp written.
     */
    @Override
    public long write(BytePointer pixels, int stride, long ptsMillis) throws IOException {
        if (buffers == null) {
            throw new IOException(file + " is not open");
        }
        try {
            buffers.fill(pixels, stride);
        } catch (IllegalStateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        long pts = ptsMillis <= lastPts ? lastPts + 1 : ptsMillis;
        lastPts = pts;
        buffers.frame().pts(pts);
        check(avcodec_send_frame(ctx, buffers.frame()), "encoding a picture for " + file);
        drain();
        frames++;
        return pts;
    }

    private void drain() throws IOException {
        AVPacket packet = buffers.packet();
        while (true) {
            int r = avcodec_receive_packet(ctx, packet);
            if (r == AVERROR_EAGAIN || r == AVERROR_EOF) {
                return;
            }
            check(r, "encoding a picture for " + file);
            av_packet_rescale_ts(packet, codecTimeBase, stream.time_base());
            packet.stream_index(stream.index());
            r = av_interleaved_write_frame(fmt, packet); // takes the packet's reference
            check(r, "writing " + file);
        }
    }

    /** Bytes written to the file so far. */
    public long bytes() {
        return fmt == null || fmt.pb() == null || fmt.pb().isNull() ? 0 : avio_tell(fmt.pb());
    }

    /** Drains the encoder, writes the trailer and closes the file: the file is complete when this returns. */
    @Override
    public void close() throws IOException {
        if (fmt == null) {
            return;
        }
        IOException failure = null;
        try {
            if (ctx != null && headerWritten) {
                check(avcodec_send_frame(ctx, null), "flushing the encoder of " + file);
                drain();
                check(av_write_trailer(fmt), "writing the end of " + file);
            }
        } catch (IOException e) {
            failure = e;
        }
        AVIOContext pb = fmt.pb();
        if (pb != null && !pb.isNull()) { // closed whatever happened above: the descriptor must not leak
            int r = avio_closep(pb);
            fmt.pb(null);
            if (r < 0 && failure == null) {
                failure = new IOException("closing " + file + ": " + EncoderBuffers.error(r));
            }
        }
        free();
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes without finishing the file (after a failure); frees everything. */
    @Override
    public void abort() {
        if (fmt != null) {
            AVIOContext pb = fmt.pb();
            if (pb != null && !pb.isNull()) {
                avio_closep(pb);
                fmt.pb(null);
            }
        }
        free();
    }

    private void free() {
        EncoderBuffers.free(buffers, ctx);
        buffers = null;
        ctx = null;
        if (fmt != null) {
            avformat_free_context(fmt);
            fmt = null;
        }
        headerWritten = false;
    }

    private static void check(int r, String what) throws IOException {
        if (r < 0) {
            throw new IOException(what + ": " + EncoderBuffers.error(r));
        }
    }
}
