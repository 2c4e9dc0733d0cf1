package org.intravis.perf;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.Modality;
import org.intravis.pipeline.SourceStatus;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A live capture device on a fixed clock, for measuring without coordinated omission: frame {@code n} exists from
 * {@code t0 + n * period} (t0 = the first read), whether or not anyone reads it. Like a capture card with
 * {@code buffered} DMA buffers it keeps only the newest few frames for a late reader and overwrites the rest
 * (counted as {@link #overruns()}: drops at the source). It never re-anchors its clock, so a stall cannot hide
 * itself: every frame's latency is measured from when it was due, not from when the stalled reader got to it.
 * <p>
 * The {@code k}-th frame delivered is the one the capture thread numbers {@code k} (frame ids advance for every frame
 * read, dropped ones included), so {@link #scheduledNanos(long)} maps a frame id that a client receives back to its
 * scheduled capture time. Pixels come from a {@link FrameLoop}. Called by one capture thread; allocation-free.
 */
final class ScheduledSource implements FrameSource {
    private static final int SCHEDULE_SIZE = 1 << 16; // frame ids kept for lookup: 18 minutes at 60 fps
    private static final long HELD_PARK_NANOS = 1_000_000L;

    private final String uri;
    private final FrameLoop loop;
    private final long periodNanos;
    private final int buffered;
    private final AtomicLongArray scheduled = new AtomicLongArray(SCHEDULE_SIZE);
    private final Recorder lateness = new Recorder(600_000_000L, 3);
    private final AtomicLong overruns = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private volatile SourceStatus status = SourceStatus.IDLE;
    private volatile long t0;
    private volatile boolean held;
    private long next;

    ScheduledSource(FrameLoop loop, double fps, int bufferedFrames) {
        this.uri = loop.uri();
        this.loop = loop;
        this.periodNanos = Math.round(1e9 / fps);
        this.buffered = bufferedFrames;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public void open() {
        status = SourceStatus.STREAMING;
    }

    @Override
    public FrameGeometry geometry() {
        return loop.geometry();
    }

    @Override
    public boolean providesGroundTruth() {
        return true;
    }

    @Override
    public double nominalFps() {
        return 1e9 / periodNanos;
    }

    @Override
    public double pixelSpacingMm() {
        return loop.pixelSpacingMm();
    }

    @Override
    public Modality modality() {
        return loop.modality();
    }

    /** The device is off until {@link #start()}: its reader gets nothing and its clock has not begun. */
    void hold() {
        held = true;
    }

    /** Switches the device on: its clock begins at the next read. */
    void start() {
        held = false;
    }

    @Override
    public Read readInto(FrameSlot slot) {
        if (held) {
            LockSupport.parkNanos(HELD_PARK_NANOS);
            return Read.NONE;
        }
        long now = System.nanoTime();
        if (t0 == 0) {
            t0 = now; // the device starts when its reader first asks
        }
        long newest = (now - t0) / periodNanos;
        long oldestKept = newest - buffered + 1;
        if (next < oldestKept) {
            overruns.addAndGet(oldestKept - next); // overwritten before anyone read them
            next = oldestKept;
        }
        long due = t0 + next * periodNanos;
        while (now < due) {
            LockSupport.parkNanos(due - now);
            now = System.nanoTime();
        }
        loop.copyInto(next, slot);
        long id = delivered.get();
        scheduled.lazySet((int) (id & (SCHEDULE_SIZE - 1)), due);
        delivered.lazySet(id + 1);
        lateness.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
        next++;
        return Read.FRAME;
    }

    /** The scheduled capture time of the frame delivered as number {@code frameId}; 0 when unknown. */
    long scheduledNanos(long frameId) {
        if (frameId < 0 || frameId >= delivered.get() || delivered.get() - frameId > SCHEDULE_SIZE) {
            return 0;
        }
        return scheduled.get((int) (frameId & (SCHEDULE_SIZE - 1)));
    }

    /** Frames the device overwrote before they were read (drops at the source). */
    long overruns() {
        return overruns.get();
    }

    /** Frames read so far. */
    long delivered() {
        return delivered.get();
    }

    /** Frames due so far by the clock (0 before the first read). */
    long due(long nowNanos) {
        long start = t0;
        return start == 0 ? 0 : (nowNanos - start) / periodNanos + 1;
    }

    /** Scheduled time to the frame being in the reader's slot (waiting in the device, plus the copy), µs. */
    Histogram latenessSince() {
        return lateness.getIntervalHistogram();
    }

    @Override
    public SourceStatus status() {
        return status;
    }

    @Override
    public boolean live() {
        return true;
    }

    @Override
    public void close() {
        status = SourceStatus.CLOSED;
    }
}
