package org.intravis.pipeline;

import com.lmax.disruptor.EventHandler;

/**
 * The inference branch of one stream. It does not gate the ring (the video never waits for it): it offers only
 * the newest available frame to the {@link InferenceFeed} and counts what it skips, and it reads slots
 * optimistically, discarding a frame that capture overwrote meanwhile.
 */
final class InferenceBranchHandler implements EventHandler<FrameSlot> {
    private final InferenceFeed feed;
    private final StreamCounters counters;

    InferenceBranchHandler(InferenceFeed feed, StreamCounters counters) {
        this.feed = feed;
        this.counters = counters;
    }

    @Override
    public void onEvent(FrameSlot slot, long sequence, boolean endOfBatch) {
        if (!endOfBatch) {
            counters.increment(Counter.INFERENCE_SKIPPED_STALE);
            return;
        }
        long version = slot.writeVersion();
        if (slot.sequence() != sequence || !slot.unchangedSince(version)) {
            counters.increment(Counter.INFERENCE_TORN); // lapped by capture: a newer frame is on its way
            return;
        }
        counters.increment(Counter.INFERENCE_OFFERED);
        switch (feed.offer(slot, version)) {
            case ACCEPTED -> { }
            case BUSY -> counters.increment(Counter.INFERENCE_SKIPPED_BUSY);
            case DEFERRED -> counters.increment(Counter.INFERENCE_DEFERRED);
            case PACED -> counters.increment(Counter.INFERENCE_PACED);
            case TORN -> counters.increment(Counter.INFERENCE_TORN);
        }
    }
}
