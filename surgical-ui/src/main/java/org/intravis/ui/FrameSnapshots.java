package org.intravis.ui;

import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.Stage;
import org.intravis.pipeline.VideoSink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps a copy of a stream's newest frame, refreshed at most every {@code intervalMillis}, for still images over
 * HTTP (thumbnails in the stream picker, {@code GET /api/streams/ID/snapshot.jpg}). A video sink on the stream's
 * video thread: one bounded memory copy, no allocation; readers copy out under a sequence lock.
 */
public final class FrameSnapshots implements VideoSink {
    private static final VarHandle VERSION;

    static {
        try {
            VERSION = MethodHandles.lookup().findVarHandle(FrameSnapshots.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final long READ_LIMIT_NANOS = 500_000_000L;

    private final byte[] pixels;
    private final long intervalNanos;
    @SuppressWarnings("unused") // accessed through VERSION
    private volatile long version;
    private long lastCopyNanos;
    private int width;
    private int height;
    private PixelFormat format = PixelFormat.GRAY8;
    private long frameId = -1;

    public FrameSnapshots(int maxFrameBytes, long intervalMillis) {
        this.pixels = new byte[maxFrameBytes];
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    @Override
    public void onFrame(FrameSlot slot) {
        long captured = slot.stamp(Stage.CAPTURED);
        if (frameId >= 0 && captured - lastCopyNanos < intervalNanos) {
            return;
        }
        lastCopyNanos = captured;
        long v = (long) VERSION.getOpaque(this);
        VERSION.setRelease(this, v + 1);
        VarHandle.storeStoreFence();
        try {
            int rowBytes = slot.width() * slot.format().bytesPerPixel();
            for (int y = 0; y < slot.height(); y++) {
                slot.pixels().get(y * slot.stride(), pixels, y * rowBytes, rowBytes);
            }
            width = slot.width();
            height = slot.height();
            format = slot.format();
            frameId = slot.frameId();
        } finally {
            VERSION.setRelease(this, v + 2); // a copy that failed half-way must not leave readers waiting for ever
        }
    }

    /**
     * A consistent copy of the newest frame (tightly packed rows), or null before the first frame, and null when no
     * consistent copy could be taken within {@link #READ_LIMIT_NANOS} (a reader answers "no still" rather than wait
     * on the video thread: an HTTP still request that never answered was seen once in CI, 2026-12-05, cause unknown).
     */
    public Snapshot read() {
        long limit = System.nanoTime() + READ_LIMIT_NANOS;
        while (true) {
            if (System.nanoTime() - limit > 0) {
                return null;
            }
            long v1 = (long) VERSION.getAcquire(this);
            if ((v1 & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            if (v1 == 0) {
                return null;
            }
            int w = width;
            int h = height;
            PixelFormat f = format;
            long id = frameId;
            byte[] copy = new byte[Math.min(w * h * f.bytesPerPixel(), pixels.length)];
            System.arraycopy(pixels, 0, copy, 0, copy.length);
            VarHandle.loadLoadFence();
            if ((long) VERSION.getAcquire(this) == v1) {
                return new Snapshot(id, w, h, f, copy);
            }
        }
    }

    /** One frame's pixels, rows packed. */
    public record Snapshot(long frameId, int width, int height, PixelFormat format, byte[] pixels) {
    }
}
