package org.intravis.streamer;

import com.lmax.disruptor.EventHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.DurableFiles;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PipelineClock;
import org.intravis.pipeline.RecordingLayout;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records one stream: raw video in Matroska segments, the overlay the video showed with each frame, and a session
 * manifest (layout in {@link RecordingLayout}).
 * <p>
 * Two threads, as the hot-path rules ask:
 * <ul>
 *   <li>the ring reader ({@link #onEvent}, registered with {@code Context.readerAfterVideo}) does not gate the
 *       ring: it copies each slot optimistically into the recorder's own preallocated buffer ring, discards a copy
 *       that capture overwrote meanwhile (counted as torn) and, when the buffer is full because the writer is
 *       behind, drops the frame for the recording (counted). It allocates nothing and never waits, so a slow disk
 *       or encoder can never slow the live path;</li>
 *   <li>the writer thread ({@code record-<stream>}) blanks the de-identification rectangles, encodes, writes the
 *       JSON lines, rolls segments over and keeps the manifest current.</li>
 * </ul>
 * Failures (a full disk, a read-only folder, an encoder error) stop the recording with a clear
 * {@link RecordingStatus#error()}; the live stream is not affected. A segment is written as {@code .mkv.partial}
 * and renamed once its trailer is written and synced, so a crash or power loss loses at most that segment.
 */
public final class Recorder implements EventHandler<FrameSlot>, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Recorder.class.getName());
    private static final int IDLE = 0;
    private static final int RECORDING = 1;
    private static final int STOPPING = 2;
    private static final int FAILED = 3;
    private static final String[] STATE_NAMES = {"idle", "recording", "stopping", "failed"};
    private static final String[] STATUS_NAMES = {"NONE", "VALID", "FAILED"};
    private static final DateTimeFormatter SESSION_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final long STOP_WAIT_NANOS = 15_000_000_000L;

    private final String streamId;
    private final RecordingSettings settings;
    private final FrameGeometry geometry;
    private final Supplier<RecordingInfo> info;
    private final List<RecordingSettings.Region> regions;
    private final byte[] zeros;

    // ---- shared between the reader, the writer and the API ----
    private volatile int state = IDLE;
    private volatile int session;
    private RecordedFrameCopy[] ring;
    private int mask;
    private final AtomicLong produced = new AtomicLong();
    private final AtomicLong consumed = new AtomicLong();
    private volatile boolean writerWaiting;
    private volatile boolean shutdown;
    private Thread writer;

    // ---- counters: each written by one thread ----
    private volatile long framesDropped;
    private volatile long framesTorn;
    private volatile long framesWritten;
    private volatile long bytes;
    private volatile String error = "";
    private volatile Path sessionDir;
    private volatile SessionManifest pendingManifest;
    private volatile long startedUs;
    private volatile int currentSegment;
    private final ArrayDeque<String> newestClosed = new ArrayDeque<>(); // guarded by itself, with closedCount
    private int closedCount;

    // ---- writer thread only ----
    private SessionManifest manifest;
    private VideoFileWriter video;
    private FileOutputStream framesOut;
    private FileOutputStream annotationsOut;
    private int segmentIndex;
    private long segmentStartUs;
    private long segmentFrames;
    private long segmentFirstFrameId;
    private long segmentLastFrameId;
    private long segmentJsonBytes;
    private long sessionJsonBytes;
    private long sessionVideoBytes;
    private long sessionFirstCaptureUs = -1;
    private long lastAnnotationFrameId;
    private long nextSpaceCheckNanos;
    private final ByteBuf line = Unpooled.buffer(1 << 16);
    private final JsonOut json = new JsonOut();
    private final OverlayJson overlayJson;

    /**
     * @param geometry the stream's largest frame (buffers are sized for it)
     * @param info     what the manifest says about the stream, asked for when a session starts
     */
    public Recorder(String streamId, RecordingSettings settings, FrameGeometry geometry, Supplier<RecordingInfo> info) {
        if (!settings.concluded()) {
            throw new IllegalStateException("conclude() the recording settings first");
        }
        this.streamId = streamId;
        this.settings = settings;
        this.geometry = geometry;
        this.info = info;
        this.regions = settings.deidentify(streamId);
        this.zeros = new byte[geometry.maxWidth() * geometry.format().bytesPerPixel()];
        this.overlayJson = new OverlayJson(streamId, settings.lowConfidence());
    }

    public String streamId() {
        return streamId;
    }

    // ============================== API ==============================

    /**
     * Starts a session: creates its folder and manifest at once, so that a folder that cannot be written fails here
     * with a clear status. Returns the status (state {@code failed} with the reason when it could not start).
     */
    public synchronized RecordingStatus start() {
        if (shutdown) {
            throw new IllegalStateException("the recorder of stream " + streamId + " is closed");
        }
        if (state == RECORDING) {
            return status();
        }
        awaitNotStopping();
        allocate();
        Path dir = null;
        try {
            Path root = settings.dir();
            Files.createDirectories(root);
            long free = Files.getFileStore(root).getUsableSpace();
            if (free < settings.minFreeBytes()) {
                throw new IOException("not enough free space in " + root + ": " + (free >> 20) + " MB free, "
                        + (settings.minFreeBytes() >> 20) + " MB needed (recording.minFreeMb)");
            }
            long now = PipelineClock.epochMicrosNow();
            dir = newSessionDir(root, now);
            RecordingInfo ri = info.get();
            SessionManifest m = new SessionManifest(dir, streamId, now, ri, geometry, settings, regions);
            m.write("recording", "", 0, 0, 0);
            synchronized (newestClosed) {
                newestClosed.clear();
                closedCount = 0;
            }
            pendingManifest = m; // the writer takes it up with the session's first frame (or its stop)
            sessionDir = dir;
            startedUs = now;
            framesWritten = 0;
            framesDropped = 0;
            framesTorn = 0;
            bytes = 0;
            currentSegment = 0;
            error = "";
            session++;
            state = RECORDING;
            LOG.info(() -> "stream " + streamId + ": recording to " + sessionDir + " (" + settings.codec().configName()
                    + ", " + settings.segmentSeconds() + " s segments" + (regions.isEmpty() ? "" : ", "
                    + regions.size() + " rectangle(s) blanked") + ")");
        } catch (IOException | RuntimeException e) {
            error = describe(e, dir == null ? settings.dir() : dir);
            sessionDir = dir;
            state = FAILED;
            LOG.warning("stream " + streamId + ": recording could not start: " + error);
        }
        LockSupport.unpark(writer);
        return status();
    }

    /** Stops the session: buffered frames are written, the open segment closed and the manifest completed. */
    public synchronized RecordingStatus stop() {
        if (state == RECORDING) {
            state = STOPPING;
            LockSupport.unpark(writer);
            awaitNotStopping();
        }
        return status();
    }

    private void awaitNotStopping() {
        long end = System.nanoTime() + STOP_WAIT_NANOS;
        while (state == STOPPING && System.nanoTime() - end < 0) {
            LockSupport.unpark(writer);
            LockSupport.parkNanos(2_000_000L);
        }
    }

    public boolean recording() {
        return state == RECORDING;
    }

    public RecordingStatus status() {
        Path dir = sessionDir;
        List<String> segs;
        int closed;
        synchronized (newestClosed) {
            segs = List.copyOf(newestClosed);
            closed = closedCount;
        }
        return new RecordingStatus(streamId, STATE_NAMES[state], dir == null ? "" : dir.toString(),
                settings.codec().configName(), startedUs, segs, closed, currentSegment, framesWritten, framesDropped,
                framesTorn, bytes, error, regions);
    }

    private synchronized void allocate() {
        if (ring != null) {
            return;
        }
        int n = Integer.highestOneBit(settings.bufferFrames() - 1) << 1; // next power of two
        RecordedFrameCopy[] r = new RecordedFrameCopy[n];
        for (int i = 0; i < n; i++) {
            r[i] = new RecordedFrameCopy(geometry.maxFrameBytes());
        }
        mask = n - 1;
        ring = r;
        warmUp();
        writer = new Thread(this::writeLoop, "record-" + streamId);
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Opens and closes the codec once, on the starting thread, before the first session takes frames: FFmpeg's first
     * use costs 0.1-0.2 s here (an encoder and muxer open; later opens 0.5 ms), and paid by the first segment it left
     * frames waiting in the 16-frame buffer while the stream started (at 60 fps up to 12). With it, the first segment
     * opens in about 4 ms. Failing here says nothing: the first segment's open reports what is wrong.
     */
    private void warmUp() {
        Path tmp = null;
        try {
            Files.createDirectories(settings.dir());
            removeStaleWarmUps();
            tmp = Files.createTempFile(settings.dir(), ".warm-up-" + streamId + "-", ".mkv");
            VideoFileWriter w = new VideoFileWriter(tmp, "matroska", settings.codec(), 64, 64, geometry.format(), 30,
                    settings.h264BitrateBps(), 1, false);
            w.open();
            w.close();
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "stream " + streamId + ": recorder warm-up: " + e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a hidden empty file in the recordings folder at worst
                }
            }
        }
    }

    /** Warm-up files of this stream left by a process that died during its warm-up (over a minute old). */
    private void removeStaleWarmUps() throws IOException {
        long before = System.currentTimeMillis() - 60_000;
        try (java.nio.file.DirectoryStream<Path> old = Files.newDirectoryStream(settings.dir(),
                ".warm-up-" + streamId + "-*.mkv")) {
            for (Path p : old) {
                if (Files.getLastModifiedTime(p).toMillis() < before) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private Path newSessionDir(Path root, long epochMicros) throws IOException {
        String base = streamId + "-" + SESSION_TIME.format(Instant.ofEpochSecond(epochMicros / 1_000_000));
        Path dir = root.resolve(base);
        for (int n = 2; Files.exists(dir); n++) {
            dir = root.resolve(base + "-" + n);
        }
        Files.createDirectory(dir);
        return dir;
    }

    // ============================== ring reader ==============================

    @Override
    public void onEvent(FrameSlot slot, long sequence, boolean endOfBatch) {
        if (state != RECORDING) {
            return;
        }
        long version = slot.writeVersion();
        if (slot.sequence() != sequence || (version & 1L) != 0) {
            framesTorn++; // lapped by capture: this frame is gone
            return;
        }
        long head = produced.get();
        if (head - consumed.get() > mask) {
            framesDropped++; // the writer is behind: drop for the recording, never wait
            return;
        }
        RecordedFrameCopy f = ring[(int) (head & mask)];
        f.copyFrom(slot, session);
        if (!slot.unchangedSince(version) || slot.sequence() != sequence) {
            framesTorn++;
            return;
        }
        produced.lazySet(head + 1);
        if (writerWaiting) {
            LockSupport.unpark(writer);
        }
    }

    // ============================== writer thread ==============================

    private void writeLoop() {
        int activeSession = -1;
        while (!shutdown) {
            long c = consumed.get();
            if (produced.get() > c) {
                RecordedFrameCopy f = ring[(int) (c & mask)];
                if (state == RECORDING || state == STOPPING) {
                    if (f.session != activeSession) {
                        activeSession = beginSession(f.session);
                    }
                    if (f.session == activeSession && manifest != null) {
                        writeFrame(f);
                    }
                }
                consumed.lazySet(c + 1);
                continue;
            }
            int st = state;
            if (st == STOPPING) {
                if (activeSession != session) {
                    activeSession = beginSession(session); // stopped before any frame came
                }
                finishSession("closed", "");
                state = IDLE;
                continue;
            }
            if (st == RECORDING && manifest != null) {
                housekeeping();
            }
            writerWaiting = true;
            if (produced.get() == consumed.get()) {
                LockSupport.parkNanos(this, 20_000_000L);
            }
            writerWaiting = false;
        }
        if (manifest != null) {
            finishSession("closed", "");
        }
    }

    private int beginSession(int number) {
        manifest = pendingManifest;
        segmentIndex = 0;
        sessionFirstCaptureUs = -1;
        sessionJsonBytes = 0;
        sessionVideoBytes = 0;
        nextSpaceCheckNanos = System.nanoTime() + 1_000_000_000L;
        return number;
    }

    private void writeFrame(RecordedFrameCopy f) {
        try {
            if (video != null && f.captureEpochMicros - segmentStartUs >= settings.segmentSeconds() * 1_000_000L) {
                closeSegment();
            }
            if (video == null) {
                openSegment(f);
            }
            if (sessionFirstCaptureUs < 0) {
                sessionFirstCaptureUs = f.captureEpochMicros;
            }
            blank(f);
            f.pointer.position(0);
            long ptsMs = video.write(f.pointer, f.stride, Math.max(0, (f.captureEpochMicros - segmentStartUs) / 1000));
            Annotations a = f.annotations;
            boolean known = f.shown && a.status() != Annotations.Status.NONE;
            if (known && a.frameId() != lastAnnotationFrameId) {
                line.clear();
                overlayJson.writeOverlay(line, a);
                writeLine(annotationsOut);
                lastAnnotationFrameId = a.frameId();
            }
            writeFrameLine(f, known, ptsMs);
            if (segmentFrames == 0) {
                segmentFirstFrameId = f.frameId;
            }
            segmentLastFrameId = f.frameId;
            segmentFrames++;
            framesWritten++;
            bytes = sessionVideoBytes + video.bytes() + sessionJsonBytes + segmentJsonBytes;
            if (System.nanoTime() - nextSpaceCheckNanos > 0) {
                checkSpace();
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void writeFrameLine(RecordedFrameCopy f, boolean known, long ptsMs) throws IOException {
        Annotations a = f.annotations;
        line.clear();
        JsonOut j = json.reset(line);
        j.beginObject()
                .field("i", segmentFrames)
                .field("frameId", f.frameId)
                .field("ptsMs", ptsMs)
                .field("tUs", f.captureEpochMicros - sessionFirstCaptureUs)
                .field("captureUs", f.captureEpochMicros)
                .field("sourcePtsUs", f.sourcePtsMicros)
                .field("shown", f.shown)
                .field("overlayFrameId", known ? a.frameId() : -1)
                .field("overlayAgeMs", f.shown ? f.overlayAgeMillis : -1)
                .field("overlayFresh", f.shown && f.overlayFresh)
                .field("overlayStatus", STATUS_NAMES[f.shown ? a.status().ordinal() : 0])
                .field("alertLevel", OverlayJson.name(OverlayJson.ALERT_LEVEL,
                        known && a.status() == Annotations.Status.VALID ? a.alertLevel() : 0))
                .endObject();
        writeLine(framesOut);
    }

    private void writeLine(FileOutputStream out) throws IOException {
        line.writeByte('\n');
        int n = line.readableBytes();
        out.write(line.array(), line.arrayOffset() + line.readerIndex(), n); // one write per line: flushed
        segmentJsonBytes += n;
    }

    /** Blanks the configured rectangles in the copy (not in the ring: the live view keeps them). */
    private void blank(RecordedFrameCopy f) {
        int bpp = f.format.bytesPerPixel();
        for (RecordingSettings.Region r : regions) {
            int x0 = Math.min(r.x(), f.width);
            int x1 = Math.min(r.x() + r.width(), f.width);
            int y0 = Math.min(r.y(), f.height);
            int y1 = Math.min(r.y() + r.height(), f.height);
            int len = (x1 - x0) * bpp;
            if (len <= 0) {
                continue;
            }
            for (int y = y0; y < y1; y++) {
                f.pixels.put(y * f.stride + x0 * bpp, zeros, 0, len);
            }
        }
    }

    private void openSegment(RecordedFrameCopy f) throws IOException {
        segmentIndex++;
        Path dir = manifest.dir();
        VideoFileWriter w = new VideoFileWriter(RecordingLayout.partialVideo(dir, segmentIndex), "matroska",
                settings.codec(), f.width, f.height, f.format, manifest.fps(), settings.h264BitrateBps(),
                settings.encoderThreads(), false);
        w.open();
        video = w;
        framesOut = new FileOutputStream(RecordingLayout.frames(dir, segmentIndex).toFile());
        annotationsOut = new FileOutputStream(RecordingLayout.annotations(dir, segmentIndex).toFile());
        segmentStartUs = f.captureEpochMicros;
        segmentFrames = 0;
        segmentJsonBytes = 0;
        lastAnnotationFrameId = Long.MIN_VALUE; // each segment carries the overlays its frames refer to
        currentSegment = segmentIndex;
    }

    /** Finishes the segment's files, syncs them, renames the video to its final name and updates the manifest. */
    private void closeSegment() throws IOException {
        if (video == null) {
            return;
        }
        VideoFileWriter w = video;
        video = null;
        Path dir = manifest.dir();
        try {
            w.close();
        } finally {
            closeQuietly(framesOut, true);
            closeQuietly(annotationsOut, true);
            framesOut = null;
            annotationsOut = null;
            currentSegment = 0;
        }
        Path partial = RecordingLayout.partialVideo(dir, segmentIndex);
        Path done = RecordingLayout.video(dir, segmentIndex);
        DurableFiles.sync(partial);
        Files.move(partial, done, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.syncFolder(dir);
        long videoBytes = Files.size(done);
        sessionVideoBytes += videoBytes;
        sessionJsonBytes += segmentJsonBytes;
        segmentJsonBytes = 0;
        bytes = sessionVideoBytes + sessionJsonBytes;
        manifest.addSegment(segmentIndex, segmentFrames, segmentFirstFrameId, segmentLastFrameId,
                segmentStartUs - sessionFirstCaptureUs, videoBytes);
        synchronized (newestClosed) {
            if (newestClosed.size() == RecordingStatus.NAMED_SEGMENTS) {
                newestClosed.removeFirst();
            }
            newestClosed.addLast(done.getFileName().toString());
            closedCount++;
        }
        manifest.write("recording", "", framesWritten, framesDropped, framesTorn);
    }

    private void housekeeping() {
        try {
            if (video != null && PipelineClock.epochMicrosNow() - segmentStartUs >= settings.segmentSeconds() * 1_000_000L) {
                closeSegment(); // no frames for a while: do not leave the segment open
            }
            if (System.nanoTime() - nextSpaceCheckNanos > 0) {
                checkSpace();
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    /** Stops cleanly while there is still room to close the segment properly. */
    private void checkSpace() throws IOException {
        nextSpaceCheckNanos = System.nanoTime() + 1_000_000_000L;
        long free = Files.getFileStore(manifest.dir()).getUsableSpace();
        if (free < settings.minFreeBytes()) {
            String why = "disk nearly full: " + (free >> 20) + " MB free in " + manifest.dir().getParent()
                    + ", below recording.minFreeMb=" + (settings.minFreeBytes() >> 20)
                    + "; recording stopped, the closed segments are complete";
            closeSegment();
            stopWithError(why);
        }
    }

    private void fail(Exception e) {
        String why = describe(e, manifest == null ? settings.dir() : manifest.dir());
        LOG.log(Level.WARNING, "stream " + streamId + ": recording stopped: " + why);
        if (video != null) {
            try {
                closeSegment(); // may still succeed (e.g. an annotation write failed); else the segment is lost
            } catch (IOException | RuntimeException again) {
                if (video != null) {
                    video.abort();
                    video = null;
                }
                closeQuietly(framesOut, false);
                closeQuietly(annotationsOut, false);
                framesOut = null;
                annotationsOut = null;
                currentSegment = 0;
            }
        }
        stopWithError(why);
    }

    private void stopWithError(String why) {
        error = why;
        state = FAILED;
        finishSession("failed", why);
    }

    private void finishSession(String end, String why) {
        if (manifest == null) {
            return;
        }
        try {
            closeSegment();
        } catch (IOException | RuntimeException e) {
            if (video != null) {
                video.abort();
                video = null;
            }
            if (why.isEmpty()) {
                why = describe(e, manifest.dir());
                error = why;
                end = "failed";
            }
        }
        try {
            manifest.write(end, why, framesWritten, framesDropped, framesTorn);
        } catch (IOException | RuntimeException e) {
            LOG.warning("stream " + streamId + ": cannot complete the manifest in " + manifest.dir() + ": " + e);
        }
        String summary = "stream " + streamId + ": recording " + manifest.dir() + " " + end + ": " + framesWritten
                + " frames in " + segmentIndex + " segment(s), " + framesDropped + " dropped, " + framesTorn + " torn";
        LOG.info(summary);
        manifest = null;
    }

    /** A message a user can act on: what failed, where, and why (read-only, disk full, ...). */
    static String describe(Throwable e, Path where) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "cannot write to " + where + ": permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return "cannot write to " + (fse.getFile() == null ? where : fse.getFile()) + ": " + fse.getReason();
        }
        if (msg.contains("No space left") || msg.contains("Read-only") || msg.contains("Permission denied")) {
            return msg;
        }
        return msg + " (in " + where + ")";
    }

    private static void closeQuietly(FileOutputStream out, boolean sync) {
        if (out == null) {
            return;
        }
        try {
            if (sync) {
                out.getFD().sync();
            }
        } catch (IOException ignored) {
            // a failed sync is reported by the video file, which matters more
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    /** Stops any session and ends the writer thread; call after the pipeline is closed (no more frames come). */
    @Override
    public synchronized void close() {
        stop();
        shutdown = true;
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ring != null && (w == null || !w.isAlive())) {
            for (RecordedFrameCopy f : ring) {
                f.free();
            }
        }
    }
}
