package org.intravis.capture.ffmpeg;

import org.intravis.capture.PlayedSource;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.SourceStatus;

import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A video file FFmpeg can read (mp4, mkv, avi, mov, ts, ...): {@code file:PATH?pace=realtime|fast&loop=true&
 * format=gray|bgr&maxWidth=W&maxHeight=H}.
 * <p>
 * Opening fails with a clear {@link CaptureException} when the file is missing, is not a video FFmpeg can read,
 * has no video stream, or has no frame that decodes. Damage in the middle of a file is skipped and counted (see
 * {@link #statusDetail()}); the stream ends ({@link Read#END}) at the end of the file, or starts again with
 * {@code loop=true}. Realtime pacing follows the frames' own timestamps against a monotonic clock; presentation
 * times keep increasing across loops.
 */
public final class FileSource extends PlayedSource {
    private static final Logger LOG = Logger.getLogger(FileSource.class.getName());

    private final Path path;
    private final int maxWidth;
    private final int maxHeight;
    private final int decoderThreads;
    private final double pixelAspect;
    private final Map<String, String> demuxerOptions;

    private FfmpegInput input;
    private SlotConverter converter;
    private long frameMicros;

    private boolean pending;
    private long pendingPts;
    private long lastRawPts = -1;
    private volatile long missingFrames;

    public FileSource(SourceUri uri) {
        this(uri, Map.of());
    }

    /**
     * With options for FFmpeg's demuxer, e.g. {@code framerate} for a raw video stream, which carries no timestamps
     * of its own (FFmpeg would time it at 25 fps).
     */
    public FileSource(SourceUri uri, Map<String, String> demuxerOptions) {
        super(uri);
        this.demuxerOptions = Map.copyOf(demuxerOptions);
        this.path = location("file source needs a path, e.g. file:/data/case1.mp4");
        this.maxWidth = uri.intOption("maxWidth", 0);
        this.maxHeight = uri.intOption("maxHeight", 0);
        this.decoderThreads = uri.intOption("decoderThreads", 0);
        this.pixelAspect = PixelAspect.of(uri);
        if (maxWidth < 0 || maxHeight < 0) {
            throw new IllegalArgumentException("maxWidth/maxHeight must be positive (in " + uri.redacted() + ")");
        }
    }

    @Override
    protected String description() {
        return "video file " + path;
    }

    @Override
    protected void openGuarded() throws CaptureException {
        requireReadableFile(path, "video file");
        status(SourceStatus.CONNECTING);
        input = new FfmpegInput("video file " + path, guard);
        input.squarePixels(pixelAspect);
        try {
            input.open("file:" + path.toAbsolutePath(), null, demuxerOptions, 0, false, decoderThreads, false);
        } catch (FfmpegException e) {
            input = null;
            throw fail(e.getMessage() + (e.code() == org.bytedeco.ffmpeg.global.avutil.AVERROR_INVALIDDATA
                    ? " (not a video FFmpeg can read, or the file is damaged)" : ""));
        }
        // decode the first picture now: a file whose video cannot be decoded at all fails here, clearly
        FfmpegInput.Result r = input.decodeNext(0);
        if (r != FfmpegInput.Result.FRAME) {
            String why = input.undecodablePackets() > 0 || input.readErrors() > 0
                    ? input.undecodablePackets() + " packets could not be decoded"
                    + (input.lastError() != 0 ? " (" + input.lastErrorText() + ")" : "")
                    : "it has no frames";
            input.close();
            input = null;
            throw fail("video file " + path + " has no decodable video frame: " + why);
        }
        pending = true;
        int w = input.shownWidth();
        int h = input.shownHeight();
        FrameGeometry geometry = SlotConverter.fitted(w, h, maxWidth, maxHeight, playback.format());
        geometry(geometry);
        converter = new SlotConverter(geometry);
        double fps = input.declaredFps();
        nominalFps(fps);
        frameMicros = fps > 0 ? Math.round(1_000_000 / fps) : 33_333;
        pendingPts = ptsOfCurrent();
        status(SourceStatus.STREAMING);
        LOG.info(() -> "opened " + path + ": " + input.codecName() + " " + w + "x" + h + " at "
                + String.format("%.2f", fps) + " fps" + turnedNote(input) + ", delivered as " + geometry.maxWidth()
                + "x" + geometry.maxHeight() + " " + geometry.format());
        if (!Double.isNaN(input.oddDisplayAngle())) {
            LOG.warning(() -> path + " asks to be shown turned by " + Math.round(input.oddDisplayAngle())
                    + " degrees, not a quarter turn: shown as stored");
        }
    }

    /** How the log says a picture stored turned, or of non-square pixels, was shown (nothing for a plain one). */
    private static String turnedNote(FfmpegInput input) {
        if (input.orientation() == DisplayOrientation.UPRIGHT && input.sampleAspect() == 1) {
            return "";
        }
        return " (stored " + input.frame().width() + "x" + input.frame().height()
                + (input.sampleAspect() == 1 ? "" : String.format(java.util.Locale.ROOT,
                        ", pixels %.3f as wide as high, made square", input.sampleAspect()))
                + (input.orientation() == DisplayOrientation.UPRIGHT ? "" : ", its display matrix: "
                + input.orientation().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')) + ")";
    }

    @Override
    protected Read readGuarded(FrameSlot slot) throws CaptureException {
        if (input == null) {
            return Read.END;
        }
        if (!pending) {
            FfmpegInput.Result r = input.decodeNext(0);
            if (r == FfmpegInput.Result.END) {
                if (delivered == 0) { // nothing to loop over
                    status(SourceStatus.ENDED);
                    return Read.END;
                }
                if (!loopAtEnd(frameMicros)) {
                    return Read.END;
                }
                if (!input.rewind()) {
                    reopen(); // a container that cannot seek: start it again from the top
                }
                lastRawPts = -1;
                return Read.NONE;
            }
            if (r == FfmpegInput.Result.CLOSING) {
                return Read.END;
            }
            if (r != FfmpegInput.Result.FRAME) {
                return Read.NONE;
            }
            pending = true;
            pendingPts = ptsOfCurrent();
        }
        if (!due(pendingPts)) {
            return Read.NONE;
        }
        converter.convert(input, slot);
        pending = false;
        return delivered(slot, pendingPts);
    }

    private void reopen() throws CaptureException {
        FfmpegInput fresh = new FfmpegInput("video file " + path, guard);
        fresh.squarePixels(pixelAspect);
        try {
            fresh.open("file:" + path.toAbsolutePath(), null, demuxerOptions, 0, false, decoderThreads, false);
        } catch (FfmpegException e) {
            throw new CaptureException("video file " + path + " cannot be read again to loop: " + e.getMessage());
        }
        input.close();
        input = fresh;
    }

    /** The current picture's time on a clock that keeps running across loops and never goes backwards. */
    private long ptsOfCurrent() {
        long t = input.frameMicros();
        if (t >= 0 && lastRawPts >= 0 && nominalFps() > 0) {
            long gap = t - lastRawPts;
            if (gap * 2 > frameMicros * 3) { // frames lost to damage the demuxer skipped silently
                missingFrames += Math.round((double) gap / frameMicros) - 1;
            }
        }
        if (t >= 0) {
            lastRawPts = t;
        }
        long pts = t < 0 ? (lastPts < 0 ? 0 : lastPts + frameMicros) : loopBaseMicros + t;
        if (pts <= lastPts) {
            pts = lastPts + 1; // damaged or repeated timestamps: keep order
        }
        return pts;
    }

    @Override
    protected String detail() {
        FfmpegInput in = input;
        if (in == null) {
            return "";
        }
        StringBuilder s = new StringBuilder().append(delivered).append(" frames delivered").append(loopsDetail());
        long skipped = in.undecodablePackets();
        if (skipped > 0) {
            s.append(", skipped ").append(skipped).append(" undecodable packets");
        }
        if (in.readErrors() > 0) {
            s.append(", skipped ").append(in.readErrors()).append(" damaged reads");
        }
        if (in.concealedFrames() > 0) {
            s.append(", ").append(in.concealedFrames()).append(in.concealedFrames() == 1 ? " frame" : " frames")
                    .append(" with concealed errors");
        }
        if (missingFrames > 0) {
            s.append(", about ").append(missingFrames).append(" frames missing (gaps in the timestamps)");
        }
        return s.toString();
    }

    /**
     * Damage met so far: packets the decoder rejected, reads that failed, frames decoded with concealed errors,
     * and frames missing from the timestamps (lost where the demuxer skipped damaged data).
     */
    public long damageCount() {
        FfmpegInput in = input;
        return missingFrames + (in == null ? 0 : in.undecodablePackets() + in.readErrors() + in.concealedFrames());
    }

    /** Frames estimated missing from gaps in the timestamps (more than 1.5 frame periods). */
    public long missingFrames() {
        return missingFrames;
    }

    /** Frames in the file as its container declares them (or estimated from its duration); -1 when unknown. */
    public long declaredFrameCount() {
        FfmpegInput in = input;
        return in == null ? -1 : in.declaredFrames();
    }

    public long framesDelivered() {
        return delivered;
    }

    /** Frees the decoder; the input object stays, closed, so its damage counters can still be read. */
    @Override
    protected void release() {
        FfmpegInput.close(input, converter);
    }
}
