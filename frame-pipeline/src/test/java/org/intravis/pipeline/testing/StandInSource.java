package org.intravis.pipeline.testing;

import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.SourceStatus;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one stand-in {@link FrameSource} of every module's tests (frame-pipeline's test-jar): a {@link Painter} draws
 * each frame, this class does the rest a source must (status, pacing, a frame limit, holding). Tests of one module
 * must not wait for another module's sources, hence a stand-in; each test keeps only its picture.
 * <ul>
 *   <li>paced at {@code fps} on a monotonic schedule ({@code fps} 0: as fast as the pipeline asks);</li>
 *   <li>{@link #catchUp}: how many frames it may deliver back to back after a stall (default: all it fell behind);</li>
 *   <li>{@link #frames}: ends the stream after that many frames;</li>
 *   <li>{@link #hold()} / {@link #release(long)}: no frames until released for a number of them, so a test can count
 *       what a known number of frames becomes downstream once everything has settled.</li>
 * </ul>
 * One capture thread calls {@link #readInto}; the counters may be read from any thread.
 */
public class StandInSource implements FrameSource {

    /**
     * Draws frame number {@code frame} (0, 1, ...) into the slot: its layout, pixels and ground truth if any. A
     * stand-in with state of its own extends this class and overrides {@link #paint} instead.
     */
    @FunctionalInterface
    public interface Painter {
        void paint(FrameSlot slot, long frame);
    }

    private static final long HELD_PARK_NANOS = 1_000_000L;

    private final String uri;
    private final FrameGeometry geometry;
    private final double fps;
    private final long periodNanos;
    private final Painter painter;
    private long maxFrames = Long.MAX_VALUE;
    private long maxCatchUpNanos = Long.MAX_VALUE;
    private boolean live = true;
    private boolean groundTruth;
    private double pixelSpacingMm;

    private final AtomicLong allowance = new AtomicLong(Long.MAX_VALUE);
    private boolean fromNow; // the next paced frame starts the schedule: the first read, or the first after a hold
    private long next;
    private volatile long read;
    private volatile long latestNanos;
    private volatile SourceStatus status = SourceStatus.IDLE;

    public StandInSource(String uri, FrameGeometry geometry, double fps, Painter painter) {
        this.uri = uri;
        this.geometry = geometry;
        this.fps = fps;
        this.periodNanos = fps > 0 ? Math.round(1e9 / fps) : 0;
        this.painter = painter;
    }

    /** For a subclass that overrides {@link #paint}. */
    protected StandInSource(String uri, FrameGeometry geometry, double fps) {
        this(uri, geometry, fps, null);
    }

    /** Draws one frame (see {@link Painter}); by default the painter given at construction. */
    protected void paint(FrameSlot slot, long frame) {
        painter.paint(slot, frame);
    }

    /** Ends the stream after {@code n} frames. */
    public StandInSource frames(long n) { this.maxFrames = n; return this; }
    /** Live sources reconnect, recorded ones end (what {@link #live()} answers; default live). */
    public StandInSource live(boolean b) { this.live = b; return this; }
    /** Whether slots need room for ground truth (the painter writes it). */
    public StandInSource groundTruth(boolean b) { this.groundTruth = b; return this; }
    public StandInSource pixelSpacingMm(double mm) { this.pixelSpacingMm = mm; return this; }
    /** After a stall, deliver at most {@code frames} frames back to back before the schedule resumes. */
    public StandInSource catchUp(int frames) { this.maxCatchUpNanos = frames * periodNanos; return this; }

    /** No more frames until {@link #release}. */
    public void hold() {
        allowance.set(0);
    }

    /** Lets {@code frames} more frames through (at the frame rate), then holds again. */
    public void release(long frames) {
        allowance.set(frames);
    }

    /** Frames delivered so far. */
    public long framesRead() {
        return read;
    }

    /** Number of the newest frame delivered, -1 before the first. */
    public long latestFrame() {
        return read - 1;
    }

    /** nanoTime when the newest frame was painted. */
    public long latestNanos() {
        return latestNanos;
    }

    @Override public String uri() { return uri; }
    @Override public FrameGeometry geometry() { return geometry; }
    @Override public double nominalFps() { return fps; }
    @Override public boolean providesGroundTruth() { return groundTruth; }
    @Override public double pixelSpacingMm() { return pixelSpacingMm; }
    @Override public SourceStatus status() { return status; }
    @Override public boolean live() { return live; }

    @Override
    public void open() {
        status = SourceStatus.STREAMING;
        fromNow = true; // as a capture card: no frames pile up between open() and the capture thread's first read
    }

    @Override
    public Read readInto(FrameSlot slot) {
        if (read >= maxFrames) {
            status = SourceStatus.ENDED;
            return Read.END;
        }
        if (allowance.get() <= 0) {
            fromNow = true;
            LockSupport.parkNanos(HELD_PARK_NANOS);
            return Read.NONE;
        }
        allowance.decrementAndGet();
        if (periodNanos > 0) {
            long now = System.nanoTime();
            if (fromNow) { // paced from the first read or the release, not from open() or the hold (no burst)
                fromNow = false;
                next = now;
            }
            if (now - next > maxCatchUpNanos) {
                next = now - maxCatchUpNanos;
            }
            if (now < next) {
                LockSupport.parkNanos(next - now);
            }
            next += periodNanos;
        }
        long frame = read;
        paint(slot, frame);
        latestNanos = System.nanoTime();
        read = frame + 1;
        return Read.FRAME;
    }

    @Override
    public void close() {
        status = SourceStatus.CLOSED;
    }
}
