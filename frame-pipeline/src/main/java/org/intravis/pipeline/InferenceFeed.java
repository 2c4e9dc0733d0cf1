package org.intravis.pipeline;

/**
 * The inference branch's entry point into a model (implemented by gpu-inference): offered the newest frame of a
 * stream on that stream's inference thread.
 * <p>
 * The branch does not gate the ring, so the video never waits for the AI: the feed reads the slot optimistically,
 * copies or preprocesses what it needs (straight into a batch tensor row), then checks
 * {@code slot.unchangedSince(writeVersion)} before committing the row. It returns at once; the model runs on
 * the feed's own worker thread, which publishes the results through the stream's {@link AnnotationExchange}.
 */
@FunctionalInterface
public interface InferenceFeed {

    /** What became of an offered frame. */
    enum Offer {
        /** Preprocessed into a batch row; results will be published. */
        ACCEPTED,
        /** No batch row free (the model is behind): skipped and counted, the next newest frame will be offered. */
        BUSY,
        /** The slot was overwritten while being read: discarded. */
        TORN,
        /**
         * Not preprocessed: the stream's frame already waiting in the batch is recent, and the model, busy with the
         * previous batch, will not take the batch before a newer frame comes. Preprocessing this one would be work
         * thrown away when that newer frame replaces it (under load, most of them), CPU the model needs.
         */
        DEFERRED,
        /**
         * Not offered to the model: the CPU is saturated and the AI yields frames to the picture (paced down to a
         * share of the stream's frames, never under the overlay floor; {@code AiPacer}).
         */
        PACED
    }

    Offer offer(FrameSlot slot, long writeVersion);
}
