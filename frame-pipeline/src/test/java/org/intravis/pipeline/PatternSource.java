package org.intravis.pipeline;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * A test source that writes a frame-numbered pattern into each slot, as fast as asked or paced every
 * {@code periodNanos}. Not a stand-in for a real source: it drives the pipeline in its own tests.
 */
final class PatternSource implements FrameSource {
    private final int width;
    private final int height;
    private final long maxFrames;
    private final long periodNanos;
    private volatile long read;
    private long next;
    private volatile SourceStatus status = SourceStatus.IDLE;

    PatternSource(int width, int height, long maxFrames, long periodNanos) {
        this.width = width;
        this.height = height;
        this.maxFrames = maxFrames;
        this.periodNanos = periodNanos;
    }

    @Override
    public String uri() {
        return "test:pattern";
    }

    @Override
    public void open() {
        status = SourceStatus.STREAMING;
        next = System.nanoTime();
    }

    @Override
    public FrameGeometry geometry() {
        return new FrameGeometry(width, height, PixelFormat.GRAY8);
    }

    @Override
    public double nominalFps() {
        return periodNanos == 0 ? 0 : 1e9 / periodNanos;
    }

    @Override
    public Read readInto(FrameSlot slot) {
        if (read >= maxFrames) {
            status = SourceStatus.ENDED;
            return Read.END;
        }
        if (periodNanos > 0) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            next += periodNanos;
        }
        slot.frame(width, height, width, PixelFormat.GRAY8);
        ByteBuffer px = slot.pixels();
        byte v = (byte) read;
        for (int i = 0; i < width * height; i += 64) {
            px.put(i, v);
        }
        slot.sourcePtsMicros(read * 1000);
        read++;
        return Read.FRAME;
    }

    long framesRead() {
        return read;
    }

    @Override
    public SourceStatus status() {
        return status;
    }

    @Override
    public boolean live() {
        return false;
    }

    @Override
    public void close() {
        status = SourceStatus.CLOSED;
    }
}
