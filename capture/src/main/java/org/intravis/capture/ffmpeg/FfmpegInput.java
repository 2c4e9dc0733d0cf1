package org.intravis.capture.ffmpeg;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVDictionaryEntry;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVFrameSideData;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.intravis.capture.CloseGuard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_LOW_DELAY;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_side_data_get;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BACKWARD;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_guess_sample_aspect_ratio;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_ALL;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_FRAME_DATA_DISPLAYMATRIX;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_side_data;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_STREAM_NOT_FOUND;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_DICT_IGNORE_SUFFIX;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_get;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_get_media_type_string;

/**
 * One opened FFmpeg input, demuxing and decoding its best video stream: a file, a network stream, a device or a
 * single image. {@link #decodeNext} leaves the next decoded picture in {@link #frame()}; {@link SlotConverter}
 * copies it into a slot. Everything native is allocated in {@link #open}; decoding allocates nothing on the Java
 * heap (the decoded frame, the packet and the pointer views of the frame's planes are created once).
 * <p>
 * Not thread-safe: one reader. Another thread stops a blocked call through the {@link CloseGuard} it was given
 * (the interrupt callback polls it), then the guard calls {@link #close()} once the reader has left.
 */
public final class FfmpegInput implements AutoCloseable {

    /** What {@link #decodeNext} produced. */
    public enum Result {
        /** A picture is in {@link #frame()}. */
        FRAME,
        /** Nothing yet (a non-blocking source had no data); try again. */
        AGAIN,
        /** End of the input (end of file, or the sender closed the stream). */
        END,
        /** No picture before the deadline. */
        TIMEOUT,
        /** The read was interrupted because the source is closing. */
        CLOSING,
        /** The input failed (network error, device gone); {@link #lastErrorText()} says why. */
        ERROR
    }

    private static final int EAGAIN = -11; // AVERROR(EAGAIN) on Linux
    private static final int FF_THREAD_SLICE = 2;
    private static final int AV_FRAME_FLAG_CORRUPT = 1; // libavutil/frame.h (1 << 0), not mapped by the presets
    /** A file that gives this many read errors in a row without a good packet is treated as ended. */
    private static final int MAX_CONSECUTIVE_READ_ERRORS = 200;

    private final String description;
    private final CloseGuard guard;
    private AVFormatContext fmt;
    private AVCodecContext codec;
    private AVPacket packet;
    private AVFrame frame;
    private PointerPointer<?> frameData;
    private IntPointer frameLinesize;
    private int videoIndex = -1;
    private long timeBaseNum;
    private long timeBaseDen;
    private long startPts;
    private boolean draining;
    private boolean stopOnReadError;
    private long deadlineNanos;
    private List<String> unusedOptions = List.of();
    private DisplayOrientation orientation = DisplayOrientation.UPRIGHT;
    private double oddAngle = Double.NaN;
    private boolean matrixOfStream;
    private boolean squarePixels;
    private double givenAspect;
    private double sampleAspect = 1;

    private long framesDecoded;
    private long undecodablePackets;
    private long concealedFrames;
    private long readErrors;
    private int consecutiveReadErrors;
    private int lastError;

    /**
     * @param description how the input is named in messages, e.g. the file path or the stream URL
     * @param guard       polled while FFmpeg waits so that close() from another thread interrupts it (may be null)
     */
    public FfmpegInput(String description, CloseGuard guard) {
        this.description = description;
        this.guard = guard;
    }

    /**
     * Opens {@code url} and its video decoder.
     *
     * @param url          what FFmpeg opens ({@code file:/x.mp4}, {@code udp://...}, {@code /dev/video0})
     * @param format       a forced demuxer (v4l2), or null to let FFmpeg probe
     * @param options      demuxer/protocol options (e.g. timeout, fflags); those FFmpeg did not use are kept in
     *                     {@link #unusedOptions()}
     * @param timeoutNanos how long opening may take in all (0: no limit beyond FFmpeg's own)
     * @param lowDelay     decode for latency (slice threads, low-delay flag) rather than throughput
     * @param threads      decoder threads (0: FFmpeg chooses)
     * @param live         a live input: a read error ends reading (the source reconnects) instead of being skipped
     */
    public void open(String url, AVInputFormat format, Map<String, String> options, long timeoutNanos,
                     boolean lowDelay, int threads, boolean live) throws FfmpegException {
        FfmpegLibrary.init();
        stopOnReadError = live;
        fmt = avformat_alloc_context();
        if (fmt == null || fmt.isNull()) {
            throw new FfmpegException(description + ": out of memory (avformat_alloc_context)", 0);
        }
        fmt.interrupt_callback().callback(InterruptCallback.CALLBACK);
        fmt.interrupt_callback().opaque(null);
        deadlineNanos = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        InterruptCallback.enter(this);
        try {
            openDemuxer(url, format, options);
            openDecoder(lowDelay, threads);
        } catch (FfmpegException e) {
            close();
            throw e;
        } finally {
            InterruptCallback.leave();
            deadlineNanos = 0;
        }
    }

    private void openDemuxer(String url, AVInputFormat format, Map<String, String> options) throws FfmpegException {
        AVDictionary dict = new AVDictionary(null);
        for (Map.Entry<String, String> e : options.entrySet()) {
            av_dict_set(dict, e.getKey(), e.getValue(), 0);
        }
        int r;
        try (BytePointer u = new BytePointer(url, StandardCharsets.UTF_8)) {
            r = avformat_open_input(fmt, u, format, dict);
        }
        unusedOptions = dictKeys(dict);
        av_dict_free(dict);
        if (r < 0) {
            fmt = null; // avformat_open_input frees the context when it fails
            throw failure("cannot open", r);
        }
        r = avformat_find_stream_info(fmt, (PointerPointer<?>) null);
        if (r < 0) {
            throw failure("cannot read the stream information of", r);
        }
        videoIndex = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, (PointerPointer<?>) null, 0);
        if (videoIndex == AVERROR_STREAM_NOT_FOUND || videoIndex < 0) {
            throw new FfmpegException(description + " has no video stream (it contains: " + streamList() + ")",
                    videoIndex);
        }
        for (int i = 0; i < fmt.nb_streams(); i++) {
            if (i != videoIndex) {
                fmt.streams(i).discard(AVDISCARD_ALL); // do not demux audio/data we will not decode
            }
        }
    }

    private void openDecoder(boolean lowDelay, int threads) throws FfmpegException {
        AVStream stream = fmt.streams(videoIndex);
        AVCodecParameters par = stream.codecpar();
        AVCodec decoder = avcodec_find_decoder(par.codec_id());
        if (decoder == null || decoder.isNull()) {
            throw new FfmpegException(description + ": no decoder for its video codec "
                    + avcodec_get_name(par.codec_id()).getString(), 0);
        }
        codec = avcodec_alloc_context3(decoder);
        int r = avcodec_parameters_to_context(codec, par);
        if (r < 0) {
            throw failure("cannot set up the decoder of", r);
        }
        codec.pkt_timebase(stream.time_base());
        codec.thread_count(threads);
        if (lowDelay) {
            codec.flags(codec.flags() | AV_CODEC_FLAG_LOW_DELAY);
            codec.thread_type(FF_THREAD_SLICE); // frame threads would hold frames back
        }
        r = avcodec_open2(codec, decoder, (AVDictionary) null);
        if (r < 0) {
            throw failure("cannot open the " + avcodec_get_name(par.codec_id()).getString() + " decoder of", r);
        }
        timeBaseNum = stream.time_base().num();
        timeBaseDen = Math.max(1, stream.time_base().den());
        startPts = stream.start_time() == AV_NOPTS_VALUE ? 0 : stream.start_time();
        orient(displayMatrix(par));
        matrixOfStream = orientation != DisplayOrientation.UPRIGHT || !Double.isNaN(oddAngle);
        packet = av_packet_alloc();
        frame = av_frame_alloc();
        frameData = frame.data();
        frameLinesize = frame.linesize();
    }

    /**
     * Decodes until the next picture.
     *
     * @param deadlineNanos {@link System#nanoTime()} by which a picture must have come (0: no deadline)
     */
    public Result decodeNext(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
        InterruptCallback.enter(this);
        try {
            while (true) {
                int r = avcodec_receive_frame(codec, frame);
                if (r >= 0) {
                    if (framesDecoded++ == 0) {
                        if (!matrixOfStream) {
                            orient(displayMatrix(frame)); // a JPEG's EXIF orientation comes on its picture
                        }
                        sampleAspect = squarePixels ? guessSampleAspect() : 1;
                    }
                    if (frame.decode_error_flags() != 0 || (frame.flags() & AV_FRAME_FLAG_CORRUPT) != 0) {
                        concealedFrames++;
                    }
                    return Result.FRAME;
                }
                if (r == AVERROR_EOF) {
                    return Result.END;
                }
                if (r != EAGAIN) {
                    undecodablePackets++; // the decoder rejected what it was given; read on
                }
                if (draining) {
                    return Result.END;
                }
                r = av_read_frame(fmt, packet);
                if (r < 0) {
                    Result stop = readFailed(r);
                    if (stop != null) {
                        return stop;
                    }
                    continue;
                }
                consecutiveReadErrors = 0;
                if (packet.stream_index() == videoIndex) {
                    r = avcodec_send_packet(codec, packet);
                    if (r < 0 && r != EAGAIN) {
                        undecodablePackets++;
                        lastError = r;
                    }
                }
                av_packet_unref(packet);
                if (closing()) {
                    return Result.CLOSING;
                }
                if (deadlineNanos != 0 && System.nanoTime() - deadlineNanos > 0) {
                    return Result.TIMEOUT;
                }
            }
        } finally {
            InterruptCallback.leave();
            this.deadlineNanos = 0;
        }
    }

    /** Handles a failed read: returns what to report, or null to read on (a damaged spot in a file). */
    private Result readFailed(int r) {
        if (r == AVERROR_EOF) {
            avcodec_send_packet(codec, (AVPacket) null); // flush the pictures the decoder still holds
            draining = true;
            return null;
        }
        if (r == EAGAIN) {
            return Result.AGAIN;
        }
        if (r == AVERROR_EXIT) {
            return closing() ? Result.CLOSING : Result.TIMEOUT;
        }
        lastError = r;
        readErrors++;
        if (stopOnReadError) {
            return Result.ERROR;
        }
        if (++consecutiveReadErrors >= MAX_CONSECUTIVE_READ_ERRORS) {
            avcodec_send_packet(codec, (AVPacket) null);
            draining = true;
        }
        return null;
    }

    /** Back to the first picture (for looping); false when the input cannot seek. */
    public boolean rewind() {
        // stream -1: the time is in AV_TIME_BASE units, as the container's start_time is
        return seekBack(-1, fmt.start_time() == AV_NOPTS_VALUE ? 0 : fmt.start_time());
    }

    /**
     * Seeks to the last key frame at or before {@code micros} (presentation time from the stream's start, as
     * {@link #frameMicros()} reports it); the caller then decodes forward to the picture it wants. False when the
     * input cannot seek.
     */
    public boolean seekMicros(long micros) {
        return seekBack(videoIndex,
                startPts + Math.round(Math.max(0, micros) * (double) timeBaseDen / (1_000_000.0 * Math.max(1, timeBaseNum))));
    }

    /** Seeks {@code stream} to the key frame at or before {@code timestamp} and forgets the decoder's state. */
    private boolean seekBack(int stream, long timestamp) {
        InterruptCallback.enter(this);
        try {
            if (av_seek_frame(fmt, stream, timestamp, AVSEEK_FLAG_BACKWARD) < 0) {
                return false;
            }
            avcodec_flush_buffers(codec);
            draining = false;
            consecutiveReadErrors = 0;
            return true;
        } finally {
            InterruptCallback.leave();
        }
    }

    boolean shouldInterrupt() {
        return closing() || (deadlineNanos != 0 && System.nanoTime() - deadlineNanos > 0);
    }

    private boolean closing() {
        return guard != null && guard.closing();
    }

    /** The decoded picture (valid until the next {@link #decodeNext}). */
    public AVFrame frame() { return frame; }
    /** The picture's plane pointers, a view created once (no allocation per frame). */
    public PointerPointer<?> frameData() { return frameData; }
    /** The picture's line sizes, a view created once. */
    public IntPointer frameLinesize() { return frameLinesize; }

    /** The picture's presentation time in microseconds from the stream's start, or -1 when it has none. */
    public long frameMicros() {
        long ts = frame.best_effort_timestamp();
        if (ts == AV_NOPTS_VALUE) {
            return -1;
        }
        return (long) ((ts - startPts) * (1_000_000.0 * timeBaseNum / timeBaseDen));
    }

    private void orient(int[] matrix) {
        orientation = DisplayOrientation.of(matrix);
        oddAngle = DisplayOrientation.oddAngle(matrix);
    }

    /** A decoded picture's display matrix (nine numbers), or null when it has none. */
    private static int[] displayMatrix(AVFrame frame) {
        if (frame.nb_side_data() == 0) {
            return null;
        }
        AVFrameSideData sd = av_frame_get_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX);
        return sd == null || sd.isNull() ? null : nineNumbers(sd.data(), sd.size());
    }

    /** The stream's display matrix (nine numbers), or null when it has none. */
    private static int[] displayMatrix(AVCodecParameters par) {
        AVPacketSideData sd = av_packet_side_data_get(par.coded_side_data(), par.nb_coded_side_data(),
                AV_PKT_DATA_DISPLAYMATRIX);
        return sd == null || sd.isNull() ? null : nineNumbers(sd.data(), sd.size());
    }

    /** A display matrix's nine 32-bit numbers from side data, or null when there are fewer bytes. */
    private static int[] nineNumbers(BytePointer data, long size) {
        if (data == null || data.isNull() || size < 36) {
            return null;
        }
        int[] m = new int[9];
        new IntPointer(data).get(m);
        return m;
    }

    /**
     * How the stream's pictures are turned to be seen upright: the stream's display matrix, else the first picture's
     * (a JPEG's EXIF orientation); upright without one.
     */
    public DisplayOrientation orientation() { return orientation; }

    /** The stream's display angle in degrees clockwise when it is not a quarter turn (left as stored), else NaN. */
    public double oddDisplayAngle() { return oddAngle; }

    /**
     * Pictures of non-square pixels (a PAL or NTSC capture, DV, HDV: the stream's sample aspect ratio) are to be
     * delivered with square pixels, as players show them, so that a distance in pixels means the same across and
     * down the picture. For videos; not for image files, which OpenCV (and so the evaluation) reads pixel for pixel.
     * {@code givenAspect} is the ratio to square them by (a pixel's width against its height; {@link PixelAspect})
     * for a capture card that gives none; 0: the stream's own. Call before the first {@link #decodeNext}.
     */
    public void squarePixels(double givenAspect) {
        this.squarePixels = true;
        this.givenAspect = givenAspect;
    }

    /** The width a pixel has against its height (1: square, or not asked for; a ratio outside 0.5..2 is ignored). */
    public double sampleAspect() { return sampleAspect; }

    private double guessSampleAspect() {
        double a;
        if (givenAspect > 0) {
            a = givenAspect;
        } else {
            AVRational r = av_guess_sample_aspect_ratio(fmt, fmt.streams(videoIndex), frame);
            a = r != null && r.num() > 0 && r.den() > 0 ? (double) r.num() / r.den() : 1;
        }
        return a > 0.5 && a < 2 && Math.abs(a - 1) > 0.01 ? a : 1;
    }

    /** A stored width made square by {@link #sampleAspect()}. */
    public int squareWidth(int storedWidth) {
        return sampleAspect == 1 ? storedWidth : Math.max(1, (int) Math.round(storedWidth * sampleAspect));
    }

    /** The current picture's width as shown: square pixels, then {@link #orientation()}. */
    public int shownWidth() { return orientation.swapsSides() ? frame.height() : squareWidth(frame.width()); }

    /** The current picture's height as shown: square pixels, then {@link #orientation()}. */
    public int shownHeight() { return orientation.swapsSides() ? squareWidth(frame.width()) : frame.height(); }

    /** Declared frame rate (0 when unknown). */
    public double declaredFps() {
        AVStream st = fmt.streams(videoIndex);
        if (st.avg_frame_rate().den() > 0 && st.avg_frame_rate().num() > 0) {
            return (double) st.avg_frame_rate().num() / st.avg_frame_rate().den();
        }
        if (st.r_frame_rate().den() > 0 && st.r_frame_rate().num() > 0) {
            return (double) st.r_frame_rate().num() / st.r_frame_rate().den();
        }
        return 0;
    }

    /** Frames the container declares, or estimated from its duration and frame rate; -1 when unknown. */
    public long declaredFrames() {
        AVStream st = fmt.streams(videoIndex);
        if (st.nb_frames() > 0) {
            return st.nb_frames();
        }
        double fps = declaredFps();
        long duration = fmt.duration(); // AV_TIME_BASE units (microseconds)
        return fps > 0 && duration > 0 && duration != AV_NOPTS_VALUE ? Math.round(duration / 1e6 * fps) : -1;
    }

    /** The video codec's name, e.g. h264. */
    public String codecName() {
        return avcodec_get_name(fmt.streams(videoIndex).codecpar().codec_id()).getString();
    }

    /** Options that neither the demuxer nor the protocol used (misspelt or not applicable). */
    public List<String> unusedOptions() { return unusedOptions; }

    public long framesDecoded() { return framesDecoded; }
    /** Packets the decoder could not decode (skipped). */
    public long undecodablePackets() { return undecodablePackets; }
    /** Pictures decoded with errors concealed (delivered, but damaged). */
    public long concealedFrames() { return concealedFrames; }
    /** Reads that failed (damaged container data, skipped). */
    public long readErrors() { return readErrors; }
    public int lastError() { return lastError; }

    public String lastErrorText() {
        return lastError == 0 ? "" : FfmpegLibrary.errorText(lastError);
    }

    private FfmpegException failure(String what, int code) {
        String reason = code == AVERROR_EXIT
                ? (closing() ? "closed while opening" : "timed out")
                : FfmpegLibrary.errorText(code);
        return new FfmpegException(what + " " + description + ": " + reason, code);
    }

    private String streamList() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < fmt.nb_streams(); i++) {
            AVCodecParameters p = fmt.streams(i).codecpar();
            BytePointer type = av_get_media_type_string(p.codec_type());
            parts.add((type == null ? "unknown" : type.getString()) + " " + avcodec_get_name(p.codec_id()).getString());
        }
        return parts.isEmpty() ? "no streams" : String.join(", ", parts);
    }

    private static List<String> dictKeys(AVDictionary dict) {
        if (dict == null || dict.isNull()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        AVDictionaryEntry e = null;
        while ((e = av_dict_get(dict, "", e, AV_DICT_IGNORE_SUFFIX)) != null) {
            keys.add(e.key().getString());
        }
        return Collections.unmodifiableList(keys);
    }

    /** Frees everything native. Idempotent. Only when no read is in progress (see {@link CloseGuard}). */
    @Override
    public void close() {
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
        }
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (codec != null) {
            avcodec_free_context(codec);
            codec = null;
        }
        if (fmt != null) {
            avformat_close_input(fmt); // fmt is only kept once avformat_open_input succeeded
            fmt = null;
        }
    }

    /** Closes a source's decoding state, the input and the converter of its pictures; either may be null. */
    static void close(FfmpegInput input, SlotConverter converter) {
        if (converter != null) {
            converter.close();
        }
        if (input != null) {
            input.close();
        }
    }

    /** Nanoseconds for a millisecond timeout, 0 for none. */
    static long millisToNanos(long millis) {
        return millis <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
