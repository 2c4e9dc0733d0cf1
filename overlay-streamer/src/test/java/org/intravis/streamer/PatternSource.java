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
 */
final class PatternSource implements FrameSource {
    private final int width;
    private final int height;
    private final double fps;
    private long next;
    private long t;
    private volatile SourceStatus status = SourceStatus.IDLE;

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

    @Override
    public Read readInto(FrameSlot slot) {
        long now = System.nanoTime();
        if (now < next) {
            LockSupport.parkNanos(next - now);
        }
        next += (long) (1e9 / fps);
        slot.frame(width, height, width, PixelFormat.GRAY8);
        TestFrames.draw(slot.pixels(), t++, width, height);
        return Read.FRAME;
    }
}
