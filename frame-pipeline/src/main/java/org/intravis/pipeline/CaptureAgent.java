package org.intravis.pipeline;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The capture thread of one stream: reads its {@link FrameSource} into ring slots and publishes them.
 * <p>
 * It never blocks on the ring: a slot is claimed with {@code tryNext}; when the ring is full the frame is still
 * read (so a live source does not back up) into a scratch slot and dropped, and the drop is counted. A claimed
 * slot is kept across reads that deliver no frame, so no empty entry is ever published.
 */
final class CaptureAgent implements Runnable {
    private static final Logger LOG = Logger.getLogger(CaptureAgent.class.getName());

    private final String streamId;
    private final int streamIndex;
    private final FrameSource source;
    private final RingBuffer<FrameSlot> ring;
    private final FrameSlot scratch;
    private final StreamCounters counters;
    private final Runnable onEnd;
    private volatile boolean running = true;
    private long nextFrameId;
    private long firstCaptureNanos = Long.MIN_VALUE; // for sources that give no presentation time
    private volatile String failure = "";

    CaptureAgent(String streamId, int streamIndex, FrameSource source, RingBuffer<FrameSlot> ring, FrameSlot scratch,
                 StreamCounters counters, Runnable onEnd) {
        this.streamId = streamId;
        this.streamIndex = streamIndex;
        this.source = source;
        this.ring = ring;
        this.scratch = scratch;
        this.counters = counters;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        long claimed = -1;
        try {
            while (running) {
                if (claimed < 0) {
                    try {
                        claimed = ring.tryNext();
                    } catch (InsufficientCapacityException full) {
                        claimed = -1;
                    }
                }
                FrameSlot slot = claimed >= 0 ? ring.get(claimed) : scratch;
                slot.beginWrite();
                FrameSource.Read read;
                try {
                    slot.sourcePtsMicros(FrameSlot.NO_PTS);
                    read = source.readInto(slot);
                    if (read == FrameSource.Read.FRAME) {
                        long now = System.nanoTime();
                        slot.captured(streamIndex, claimed, nextFrameId++, now);
                        if (slot.sourcePtsMicros() == FrameSlot.NO_PTS) { // a source without its own: capture time
                            if (firstCaptureNanos == Long.MIN_VALUE) {
                                firstCaptureNanos = now;
                            }
                            slot.sourcePtsMicros((now - firstCaptureNanos) / 1_000);
                        }
                    }
                } finally {
                    slot.endWrite();
                }
                if (read == FrameSource.Read.FRAME) {
                    if (claimed >= 0) {
                        ring.publish(claimed);
                        claimed = -1;
                        counters.increment(Counter.FRAMES_IN);
                    } else {
                        counters.increment(Counter.DROPPED_RING_FULL);
                    }
                } else if (read == FrameSource.Read.END) {
                    break;
                }
            }
        } catch (CaptureException e) {
            failure = e.getMessage();
            counters.increment(Counter.SOURCE_ERRORS);
            LOG.log(Level.SEVERE, "stream " + streamId + ": " + e.getMessage());
        } catch (RuntimeException e) {
            failure = String.valueOf(e);
            counters.increment(Counter.SOURCE_ERRORS);
            LOG.log(Level.SEVERE, "stream " + streamId + ": capture failed", e);
        } finally {
            running = false;
            onEnd.run();
        }
    }

    void stop() {
        running = false;
    }

    boolean running() {
        return running;
    }

    /** Why capture stopped, if it failed; empty otherwise. */
    String failure() {
        return failure;
    }
}
