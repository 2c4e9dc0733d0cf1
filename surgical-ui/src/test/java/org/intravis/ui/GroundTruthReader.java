package org.intravis.ui;

import com.lmax.disruptor.EventHandler;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.GroundTruth;
import org.intravis.pipeline.Stage;

/**
 * Test fixture: a non-gating pipeline reader that keeps the newest frame's ground truth (synthetic sources write
 * it into each slot), read optimistically like every non-gating reader, for {@link FixtureAnnotator}.
 */
final class GroundTruthReader implements EventHandler<FrameSlot> {
    private volatile TruthSample latest;

    @Override
    public void onEvent(FrameSlot slot, long sequence, boolean endOfBatch) {
        if (!endOfBatch) {
            return;
        }
        long v = slot.writeVersion();
        GroundTruth gt = slot.groundTruth();
        TruthSample s = new TruthSample(slot.frameId(), slot.stamp(Stage.CAPTURED), gt.present() && gt.instrumentVisible(),
                gt.tipX(), gt.tipY(), gt.entryX(), gt.entryY());
        if (slot.unchangedSince(v)) {
            latest = s;
        }
    }

    TruthSample latest() {
        return latest;
    }
}
