package org.intravis.capture.ffmpeg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.intravis.capture.PlayedSource;
import org.intravis.capture.RecordedFrames;
import org.intravis.capture.ReplayListener;
import org.intravis.capture.ReplayState;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.RecordingLayout;
import org.intravis.pipeline.SourceStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * Plays a recorded session (a folder written by the recorder, layout in {@link RecordingLayout}) through a
 * stream's pipeline: {@code recording:DIR?speed=1&pace=realtime|fast&loop=false&paused=false&atEnd=pause|end}.
 * <p>
 * Frames come out at their recorded timing (the frame lines' {@code tUs}), scaled by the speed, or as fast as the
 * pipeline takes them with {@code pace=fast}; every closed segment is played in order. It can be controlled while
 * it runs, from any thread: {@link #play()}, {@link #pause()}, {@link #step(int)}, {@link #seekPosition(long)},
 * {@link #seekMicros(long)}, {@link #speed(double)}. While paused it delivers the frame on screen again five times a
 * second, so the picture stays live (no NO SIGNAL) and a fresh model can re-run on it. At the end it pauses on
 * the last frame ({@code atEnd=pause}, the default when paced) or ends the stream ({@code atEnd=end}, the default
 * with {@code pace=fast}, for offline tools).
 * <p>
 * A {@link ReplayListener} is told, on the capture thread, which recorded frame each delivered frame is, so the
 * application can publish the overlay recorded with it. The recorded annotations themselves are read by
 * overlay-streamer's {@code RecordedAnnotations} (this module does not know the overlay schema).
 */
public final class RecordingSource extends PlayedSource {
    private static final Logger LOG = Logger.getLogger(RecordingSource.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The largest frame side a manifest may declare: 16K, beyond any capture the recorder is given. */
    private static final int MAX_DECLARED_SIDE = 16384;
    private static final long PAUSED_REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Path session;
    private final boolean endAtEnd;
    private final PixelFormat requestedFormat;

    private JsonNode manifest = MissingNode.getInstance();
    private RecordedFrames frames;
    private double pixelSpacingMm;
    private volatile ReplayListener listener;

    // ---- capture thread ----
    private FfmpegInput input;
    private SlotConverter converter;
    private int openSegment = -1;
    private int decodedPosition = -1;  // position of the picture in input.frame()
    private boolean pending;           // that picture has not been delivered yet
    private boolean havePicture;       // input.frame() holds a picture that can be delivered again
    private long lastDeliveredNanos;

    // ---- commands (any thread) and state (capture thread writes) ----
    private final AtomicLong seekTarget = new AtomicLong(-1);
    private final AtomicInteger steps = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean playRequested = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean pauseRequested;
    private volatile double speed;
    private volatile boolean paused;
    private volatile boolean ended;
    private volatile long position;
    private double appliedSpeed;

    public RecordingSource(SourceUri uri) {
        super(uri, IDLE_PARK_NANOS); // a paced wait returns often: pause, seek and speed act at once
        this.session = location("recording source needs a folder, e.g. recording:/data/recordings/us1-20250101T120000Z");
        this.requestedFormat = uri.options().containsKey("format") ? playback.format() : null;
        this.speed = checkedSpeed(uri.doubleOption("speed", 1.0));
        this.pauseRequested = uri.boolOption("paused", false);
        String atEnd = uri.option("atEnd", playback.realtime() ? "pause" : "end").trim().toLowerCase(Locale.ROOT);
        if (!atEnd.equals("pause") && !atEnd.equals("end")) {
            throw new IllegalArgumentException("source option atEnd=" + atEnd + " must be pause or end (in " + uri.redacted() + ")");
        }
        this.endAtEnd = atEnd.equals("end");
    }

    private static double checkedSpeed(double s) {
        if (!(s >= 0.05 && s <= 64)) {
            throw new IllegalArgumentException("replay speed must be between 0.05 and 64, was " + s);
        }
        return s;
    }

    @Override
    protected String description() {
        return "recording " + session;
    }

    /** The session folder. */
    public Path session() {
        return session;
    }

    /** The session's manifest (a missing node when the folder has none, e.g. after a crash at the very start). */
    public JsonNode manifest() {
        return manifest;
    }

    /** The frame lines of the closed segments (valid after {@link #open()}). */
    public RecordedFrames frames() {
        return frames;
    }

    /** Who is told about each delivered frame (set before the pipeline starts). */
    public void listener(ReplayListener l) {
        this.listener = l;
    }

    @Override
    protected void openGuarded() throws CaptureException {
        if (!Files.isDirectory(session)) {
            throw fail("recording " + session + " does not exist or is not a folder");
        }
        Path m = session.resolve(RecordingLayout.MANIFEST);
        if (Files.isRegularFile(m)) {
            try {
                manifest = JSON.readTree(m.toFile());
                if (!RecordingLayout.FORMAT.equals(manifest.path("format").asText())) {
                    throw fail("recording " + session + ": " + RecordingLayout.MANIFEST + " is not an intravis recording manifest");
                }
            } catch (IOException e) {
                throw fail("recording " + session + ": cannot read " + RecordingLayout.MANIFEST + ": " + e.getMessage());
            }
        }
        try {
            frames = RecordedFrames.load(session);
        } catch (IOException e) {
            throw fail(e.getMessage());
        }
        if (frames.malformedLines() > 0) {
            LOG.warning(() -> session + ": skipped " + frames.malformedLines() + " malformed frame line(s)");
        }
        status(SourceStatus.CONNECTING);
        openSegment(0);
        if (!decodeNext()) {
            throw fail("recording " + session + ": " + frames.video(0).getFileName() + " has no decodable frame");
        }
        JsonNode src = manifest.path("source");
        int w = declaredSide(src, "width", input.frame().width());
        int h = declaredSide(src, "height", input.frame().height());
        PixelFormat f = requestedFormat != null ? requestedFormat
                : "BGR24".equals(src.path("pixelFormat").asText()) ? PixelFormat.BGR24 : PixelFormat.GRAY8;
        FrameGeometry geometry = new FrameGeometry(Math.max(w, input.frame().width()),
                Math.max(h, input.frame().height()), f);
        geometry(geometry);
        converter = new SlotConverter(geometry);
        double fps = src.path("fps").asDouble(0);
        if (fps <= 0) {
            fps = frames.count() > 1 && frames.durationUs() > 0
                    ? (frames.count() - 1) * 1e6 / frames.durationUs() : input.declaredFps();
        }
        nominalFps(fps);
        pixelSpacingMm = Math.max(0, src.path("pixelSpacingMm").asDouble(0));
        appliedSpeed = speed;
        status(SourceStatus.STREAMING);
        LOG.info(() -> "replaying " + session + ": " + frames.count() + " frames in " + frames.segmentCount()
                + " segment(s), " + String.format(Locale.ROOT, "%.1f", frames.durationUs() / 1e6) + " s, "
                + geometry.maxWidth() + "x" + geometry.maxHeight() + " " + geometry.format());
    }

    /**
     * The manifest's largest frame side (the source's, which later frames of the recording may reach), or the first
     * decoded frame's where the manifest's is missing or damaged: an absurd size would size the replay's ring for it
     * (or overflow), and the video itself says how large its frames are.
     */
    private int declaredSide(JsonNode source, String name, int decoded) {
        JsonNode v = source.path(name);
        if (v.isMissingNode()) {
            return decoded;
        }
        if (!v.canConvertToInt() || v.asInt() < 1 || v.asInt() > MAX_DECLARED_SIDE) {
            LOG.warning(() -> session + ": manifest's source " + name + " " + v + " is not a frame size (1.."
                    + MAX_DECLARED_SIDE + "): the video's " + decoded + " is used");
            return decoded;
        }
        return v.asInt();
    }

    private void openSegment(int k) throws CaptureException {
        if (input != null) {
            input.close();
            input = null;
        }
        havePicture = false;
        FfmpegInput in = new FfmpegInput("recorded segment " + frames.video(k), guard);
        try {
            in.open("file:" + frames.video(k).toAbsolutePath(), null, Map.of(), 0, false, 0, false);
        } catch (FfmpegException e) {
            throw fail("recording " + session + ": " + e.getMessage());
        }
        input = in;
        openSegment = k;
        decodedPosition = frames.segmentStart(k) - 1;
    }

    /** Decodes the next picture of the session (crossing into the next segment); false at the end. */
    private boolean decodeNext() throws CaptureException {
        while (true) {
            FfmpegInput.Result r = input.decodeNext(0);
            if (r == FfmpegInput.Result.FRAME) {
                havePicture = true;
                decodedPosition = positionOfCurrent(decodedPosition + 1);
                pending = true;
                return true;
            }
            havePicture = false; // a decode that gives no picture leaves the decoder's frame empty
            if (r == FfmpegInput.Result.CLOSING) {
                return false;
            }
            if (r == FfmpegInput.Result.END || r == FfmpegInput.Result.ERROR) {
                if (openSegment + 1 >= frames.segmentCount()) {
                    return false;
                }
                openSegment(openSegment + 1);
            }
        }
    }

    /** The position of the decoded picture, from its timestamp; {@code expected} when that does not say. */
    private int positionOfCurrent(int expected) {
        int end = frames.segmentStart(openSegment) + frames.segmentFrames(openSegment) - 1;
        long t = input.frameMicros();
        if (t >= 0) {
            int p = frames.positionOfPts(openSegment, Math.round(t / 1000.0));
            if (p >= 0) {
                return p;
            }
        }
        return Math.min(Math.max(expected, frames.segmentStart(openSegment)), Math.max(end, 0));
    }

    /** Positions the decoder on the picture at {@code target} (the next delivered frame). */
    private void seekTo(int target) throws CaptureException {
        int t = Math.max(0, Math.min(frames.count() - 1, target));
        int k = frames.segmentOf(t);
        if (k != openSegment || t <= decodedPosition || t - decodedPosition > 30) {
            if (k != openSegment) {
                openSegment(k);
            }
            if (!input.seekMicros(frames.ptsMs(t) * 1000)) {
                openSegment(k); // cannot seek: decode from the top of the segment
            }
            decodedPosition = frames.segmentStart(k) - 1;
        }
        while (true) {
            if (!decodeNext()) {
                return; // damaged tail: stay on what was decoded last
            }
            if (decodedPosition >= t || openSegment != k) {
                return;
            }
        }
    }

    @Override
    public double pixelSpacingMm() {
        return pixelSpacingMm;
    }

    @Override
    protected Read readGuarded(FrameSlot slot) throws CaptureException {
        if (input == null) {
            return Read.END;
        }
        long seek = seekTarget.getAndSet(-1);
        if (seek >= 0) {
            seekTo((int) Math.min(Integer.MAX_VALUE, seek));
            ended = false;
            resetPacing();
            return deliver(slot); // a seek shows its frame at once, paused or not
        }
        if (appliedSpeed != speed) {
            appliedSpeed = speed;
            resetPacing();
        }
        boolean wantPause = pauseRequested;
        boolean playPressed = playRequested.getAndSet(false);
        if (wantPause != paused) {
            paused = wantPause;
            resetPacing();
        }
        if (!wantPause && ended && playPressed) { // play at the end starts again from the top
            ended = false;
            resetPacing();
            seekTo(0);
            return deliver(slot);
        }
        if (paused || ended) {
            if (steps.get() > 0 && !ended) {
                steps.decrementAndGet();
                if (!pending && !decodeNext()) {
                    return atEnd(slot);
                }
                return deliver(slot);
            }
            if (pending || (havePicture && System.nanoTime() - lastDeliveredNanos >= PAUSED_REFRESH_NANOS)) {
                return deliver(slot); // the frame on screen again: the picture stays live while paused
            }
            return idle();
        }
        steps.set(0);
        if (!pending && !decodeNext()) {
            return atEnd(slot);
        }
        if (!due((long) (frames.tUs(decodedPosition) / appliedSpeed))) {
            notifyIdle();
            return Read.NONE;
        }
        return deliver(slot);
    }

    private Read atEnd(FrameSlot slot) throws CaptureException {
        if (playback.loop()) {
            seekTo(0);
            resetPacing();
            return deliver(slot);
        }
        if (endAtEnd) {
            status(SourceStatus.ENDED);
            return Read.END;
        }
        ended = true; // hold the last frame (decoded again: the decoder let go of it); play starts from the top
        seekTo(frames.count() - 1);
        return havePicture ? deliver(slot) : idle();
    }

    private Read idle() {
        LockSupport.parkNanos(IDLE_PARK_NANOS);
        notifyIdle();
        return Read.NONE;
    }

    private void notifyIdle() {
        ReplayListener l = listener;
        if (l != null) {
            l.onIdle();
        }
    }

    private Read deliver(FrameSlot slot) {
        if (!havePicture) {
            return idle();
        }
        int p = Math.max(0, decodedPosition);
        converter.convert(input, slot);
        ReplayListener l = listener;
        if (l != null) {
            l.onFrame(frames, p, delivered);
        }
        pending = false;
        position = p;
        lastDeliveredNanos = System.nanoTime();
        return delivered(slot, frames.tUs(p));
    }

    // ============================== control (any thread) ==============================

    /** Plays on (from the top when it stopped at the end). */
    public void play() {
        pauseRequested = false;
        playRequested.set(true);
    }

    public void pause() {
        pauseRequested = true;
    }

    /** While paused: show the next {@code n} frames, one per call of the capture loop. */
    public void step(int n) {
        pauseRequested = true;
        steps.addAndGet(Math.max(0, Math.min(n, 1000)));
    }

    /** Shows the frame at {@code position} next (0 .. frames-1), paused or playing. */
    public void seekPosition(long p) {
        seekTarget.set(Math.max(0, Math.min(p, frames.count() - 1L)));
    }

    /** Shows the last frame at or before {@code timeUs} (since the session started) next. */
    public void seekMicros(long timeUs) {
        seekPosition(frames.positionAt(timeUs));
    }

    /** Playback speed, 0.05 .. 64 (1 = the original timing). */
    public void speed(double s) {
        speed = checkedSpeed(s);
    }

    public ReplayState state() {
        RecordedFrames f = frames;
        if (f == null) {
            return new ReplayState(paused, ended, speed, 0, 0, -1, 0, 0, 0);
        }
        int p = (int) Math.min(position, f.count() - 1L);
        return new ReplayState(pauseRequested, ended, speed, p, f.count(), f.frameId(p), f.tUs(p), f.durationUs(),
                f.segmentNumber(f.segmentOf(p)));
    }

    // ============================== status ==============================

    @Override
    protected String detail() {
        RecordedFrames f = frames;
        if (f == null) {
            return "";
        }
        return "frame " + (position + 1) + " of " + f.count() + (ended ? ", at the end" : paused ? ", paused" : "")
                + (speed != 1.0 ? ", speed " + speed : "");
    }

    @Override
    protected void release() {
        FfmpegInput.close(input, converter);
        converter = null;
        input = null;
    }
}
