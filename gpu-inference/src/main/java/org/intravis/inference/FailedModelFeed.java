package org.intravis.inference;

import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.Stage;

/**
 * The feed of a stream whose model could not be loaded: the video keeps flowing (the branch does not gate it),
 * and every frame offered is answered with FAILED annotations that say why, so the overlay shows "model failed"
 * rather than stale or empty results.
 */
final class FailedModelFeed implements InferenceFeed {
    private final StreamAnnotator annotator;
    private final String reason;

    FailedModelFeed(StreamAnnotator annotator, String reason) {
        this.annotator = annotator;
        this.reason = reason;
    }

    @Override
    public Offer offer(FrameSlot slot, long writeVersion) {
        long frameId = slot.frameId();
        long captured = slot.stamp(Stage.CAPTURED);
        long epoch = slot.captureEpochMicros();
        int w = slot.width();
        int h = slot.height();
        if (!slot.unchangedSince(writeVersion)) {
            return Offer.TORN;
        }
        annotator.begin(frameId, captured, epoch, 0, 0, w, h, 0);
        annotator.publishFailure(reason, false);
        return Offer.ACCEPTED;
    }
}
