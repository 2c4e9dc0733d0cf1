package org.intravis.capture.ffmpeg;

import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.intravis.capture.Playback;
import org.intravis.capture.ReconnectingSource;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;

/**
 * A live stream FFmpeg reads (RTSP, SRT, UDP, RTP, HTTP, RTMP, TCP) or a capture card through v4l2.
 * <p>
 * It never gives up: when the stream cannot be reached or drops (an error, the end of the stream, or no picture
 * for {@code timeoutMs}), {@link #readInto} reports {@link SourceStatus#RECONNECTING} with a detail such as
 * "reconnecting in 800 ms, attempt 3: no picture for 1000 ms", returns {@link Read#NONE} while it waits, and tries
 * again with exponential back-off ({@code reconnectInitialMs}=250 doubling up to {@code reconnectMaxMs}=5000,
 * reset after a good frame). A connection attempt blocks the capture thread for at most twice {@code timeoutMs}
 * (connecting, then the first picture);
 * {@link #close()} from another thread interrupts it (FFmpeg's interrupt callback), so close never hangs.
 * <p>
 * The geometry is fixed at {@link #open()}: {@code width}x{@code height} when given, else the first picture's size
 * (capped by {@code maxWidth}/{@code maxHeight}), else 1920x1080 when the stream cannot be reached at open. A
 * stream that comes back at a larger resolution is scaled down to fit, keeping its aspect ratio.
 */
public final class LiveSource extends ReconnectingSource {
    private static final Logger LOG = Logger.getLogger(LiveSource.class.getName());
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long AGAIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
    private static final int DEFAULT_WIDTH = 1920;
    private static final int DEFAULT_HEIGHT = 1080;

    private final boolean device;
    private final String url;
    private final String description;
    private final Map<String, String> ffmpegOptions;
    private final long timeoutNanos;
    private final boolean lowLatency;
    private final int decoderThreads;
    private final int fixedWidth;
    private final int fixedHeight;
    private final int maxWidth;
    private final double pixelAspect;
    private final int maxHeight;
    private final PixelFormat format;

    private FfmpegInput input;
    private SlotConverter converter;
    private boolean pending;
    private long nextAttemptNanos;
    private long lastPictureNanos;
    private boolean warnedUnused;
    private volatile List<String> unusedOptions = List.of();

    public LiveSource(SourceUri uri) {
        super(uri);
        this.device = uri.scheme().equals("v4l2");
        if (uri.location().isBlank()) {
            throw new IllegalArgumentException("source '" + uri.redacted() + "' has no address");
        }
        this.url = LiveInputOptions.url(uri);
        this.description = SourceUri.redact(device ? "capture device " + url : "stream " + url); // printed and logged: no credentials
        this.ffmpegOptions = LiveInputOptions.options(uri);
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(uri.intOption("timeoutMs", LiveInputOptions.DEFAULT_TIMEOUT_MS));
        this.lowLatency = uri.boolOption("lowLatency", true);
        this.decoderThreads = uri.intOption("decoderThreads", 0);
        this.fixedWidth = uri.intOption("width", 0);
        this.fixedHeight = uri.intOption("height", 0);
        if ((fixedWidth > 0) != (fixedHeight > 0) || fixedWidth < 0 || fixedHeight < 0) {
            throw new IllegalArgumentException("give both width and height (positive), or neither (in " + uri.redacted() + ")");
        }
        this.maxWidth = uri.intOption("maxWidth", 0);
        this.pixelAspect = PixelAspect.of(uri);
        this.maxHeight = uri.intOption("maxHeight", 0);
        this.format = Playback.pixelFormat(uri);
    }

    @Override
    protected String description() {
        return description;
    }

    /** What FFmpeg is asked to open (for tests and the status page). */
    public String ffmpegUrl() {
        return url;
    }

    /** The demuxer/protocol options FFmpeg is given. */
    public Map<String, String> ffmpegOptions() {
        return ffmpegOptions;
    }

    /** Options FFmpeg did not use on the last connection (misspelt, or not for this protocol). */
    public List<String> unusedFfmpegOptions() {
        return unusedOptions;
    }

    /**
     * Tries to connect once (at most {@code timeoutMs}) to learn the frame size; when the stream is not there yet
     * it does not fail: the source reports {@link SourceStatus#RECONNECTING} and keeps trying in {@link #readInto}.
     */
    @Override
    protected void openGuarded() {
        connecting();
        boolean connected = connect();
        FrameGeometry geometry;
        if (fixedWidth > 0) {
            geometry = new FrameGeometry(fixedWidth, fixedHeight, format);
        } else if (connected) {
            geometry = SlotConverter.fitted(input.shownWidth(), input.shownHeight(), maxWidth, maxHeight, format);
        } else {
            geometry = new FrameGeometry(maxWidth > 0 ? maxWidth : DEFAULT_WIDTH, maxHeight > 0 ? maxHeight : DEFAULT_HEIGHT,
                    format);
        }
        geometry(geometry);
        converter = new SlotConverter(geometry);
    }

    /** One connection attempt: open, and decode the first picture within the timeout. */
    private boolean connect() {
        long start = System.nanoTime();
        if (device && !Files.exists(Paths.get(url))) {
            return failed("device " + url + " does not exist (is the capture card plugged in?)");
        }
        FfmpegInput in = new FfmpegInput(description, guard);
        in.squarePixels(pixelAspect);
        try {
            AVInputFormat demuxer = null;
            if (device) {
                FfmpegLibrary.init(); // registers the device inputs
                demuxer = av_find_input_format("v4l2");
                if (demuxer == null || demuxer.isNull()) {
                    return failed("this FFmpeg build has no v4l2 input");
                }
            }
            in.open(url, demuxer, ffmpegOptions, timeoutNanos, lowLatency, decoderThreads, true);
        } catch (FfmpegException e) {
            return failed(guard.closing() ? "closed" : e.getMessage());
        }
        FfmpegInput.Result r = in.decodeNext(start + 2 * timeoutNanos);
        if (r != FfmpegInput.Result.FRAME) {
            String why = switch (r) {
                case TIMEOUT -> "connected to " + description + " but no picture within "
                        + TimeUnit.NANOSECONDS.toMillis(2 * timeoutNanos) + " ms";
                case END -> description + " ended before its first picture";
                case CLOSING -> "closed";
                default -> description + ": " + in.lastErrorText();
            };
            in.close();
            return failed(why);
        }
        unusedOptions = in.unusedOptions();
        if (!warnedUnused && !in.unusedOptions().isEmpty()) {
            warnedUnused = true;
            List<String> unused = in.unusedOptions();
            LOG.warning(() -> description + ": FFmpeg did not use the option(s) " + unused);
        }
        input = in;
        pending = true;
        lastPictureNanos = System.nanoTime();
        nominalFps(in.declaredFps());
        connected("connected: " + in.codecName() + " " + in.frame().width() + "x" + in.frame().height());
        return true;
    }

    /** Records a failed attempt or a dropped stream and schedules the next attempt. */
    private boolean failed(String reason) {
        nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(reconnecting(reason));
        return false;
    }

    @Override
    protected Read readGuarded(FrameSlot slot) {
        if (input == null) {
            long wait = nextAttemptNanos - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS));
                return Read.NONE;
            }
            if (!connect()) {
                return guard.closing() ? Read.END : Read.NONE;
            }
        }
        if (!pending) {
            FfmpegInput.Result r = input.decodeNext(System.nanoTime() + timeoutNanos);
            switch (r) {
                case FRAME -> pending = true;
                case AGAIN -> { // a non-blocking input had nothing yet: wait a little, within the timeout
                    if (System.nanoTime() - lastPictureNanos > timeoutNanos) {
                        return drop("no picture for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                    }
                    LockSupport.parkNanos(AGAIN_PARK_NANOS);
                    return Read.NONE;
                }
                case CLOSING -> {
                    return Read.END;
                }
                case END -> {
                    return drop("the stream ended");
                }
                case TIMEOUT -> {
                    return drop("no picture for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
                default -> {
                    return drop(input.lastErrorText());
                }
            }
        }
        converter.convert(input, slot);
        lastPictureNanos = delivered(slot);
        pending = false;
        receiving();
        return Read.FRAME;
    }

    private Read drop(String reason) {
        input.close();
        input = null;
        pending = false;
        failed("stream lost: " + reason);
        LOG.warning(() -> description + ": " + detail());
        return Read.NONE;
    }

    @Override
    protected void release() {
        FfmpegInput.close(input, converter);
        input = null;
    }
}
