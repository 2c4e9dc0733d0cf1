package org.intravis.streamer;

import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;

import java.util.concurrent.locks.LockSupport;

/**
 * Test fixture: a live-like source of grey frames with a moving pattern, paced at a frame rate. It stands in for
 * the capture module's synthetic sources so the streamer's tests do not depend on another module's progress.
 * A test can {@link #hold} it (no frames until {@link #release}d for a number of them), to count what a given
 * number of frames becomes downstream once everything has settled, independently of scheduling.
 */
final class PatternSource implements FrameSource {
    private final int width;
    private final int height;
    private final double fps;
    private long next;
    private boolean held;
    private long t;
    private volatile SourceStatus status = SourceStatus.IDLE;
    private final java.util.concurrent.atomic.AtomicLong allowance = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);

    PatternSource(int width, int height, double fps) {
        this.width = width;
        this.height = height;
        this.fps = fps;
    }

    @Override public String uri() { return "test:pattern"; }
    @Override public void open() { status = SourceStatus.STREAMING; next = System.nanoTime(); }
    @Override public FrameGeometry geometry() { return new FrameGeometry(width, height, PixelFormat.GRAY8); }
    @Override public double nominalFps() { return fps; }
    @Override public SourceStatus status() { return status; }
    @Override public boolean live() { return true; }
    @Override public void close() { status = SourceStatus.CLOSED; }

    /** No more frames until {@link #release}. */
    void hold() {
        allowance.set(0);
    }

    /** Lets {@code frames} more frames through (at the frame rate), then holds again. */
    void release(long frames) {
        allowance.set(frames);
    }

    @Override
    public Read readInto(FrameSlot slot) {
        if (allowance.get() <= 0) {
            held = true;
            LockSupport.parkNanos(1_000_000L);
            return Read.NONE;
        }
        allowance.decrementAndGet();
        long now = System.nanoTime();
        if (held) { // paced from the release, not from before the hold (no burst)
            held = false;
            next = now;
        }
        if (now < next) {
            LockSupport.parkNanos(next - now);
        }
        next += (long) (1e9 / fps);
        slot.frame(width, height, width, PixelFormat.GRAY8);
        TestFrames.draw(slot.pixels(), t++, width, height);
        return Read.FRAME;
    }
}
