package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.PixelFormat;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GroundTruthAnnotatorTest {

    @Test
    void groundTruthBecomesLabelledAnnotationsThroughTheSameCode() throws Exception {
        Phantom p = new Phantom(640, 480);
        // tip 3 mm (30 px at 0.1 mm/px) left of the vessel's edge, on its horizontal centre line
        p.tipX = p.vesselX - p.vesselR - 30;
        p.tipY = p.vesselY;
        p.entryX = 0;
        p.entryY = p.vesselY - 100;
        ZoneStore zones = new ZoneStore(null);
        zones.add("gt", "keep out", new double[][] {{10, 400}, {60, 400}, {60, 450}});
        Recorder r = new Recorder();
        InferenceSettings s = new InferenceSettings().conclude();
        GroundTruthAnnotator gt = new GroundTruthAnnotator(r.registration("gt", 3, 0.1, StreamRegistration.GROUND_TRUTH), s, zones);
        FrameSlot slot = p.newSlot(0);
        for (int f = 1; f <= 3; f++) {
            p.render(slot);
            assertThat(gt.offer(slot, Phantom.capture(slot, f, f * 33_000_000L))).isEqualTo(InferenceFeed.Offer.ACCEPTED);
        }
        Annotations a = r.last();
        assertThat(r.published).hasSize(3);
        assertThat(a.origin()).isEqualTo(Annotations.Origin.GROUND_TRUTH);
        assertThat(a.status()).isEqualTo(Annotations.Status.VALID);
        assertThat(a.modelName()).isEqualTo("ground-truth");
        assertThat(a.streamIndex()).isEqualTo(3);
        assertThat(a.tipCount()).isEqualTo(1);
        assertThat(a.tipState[0]).isEqualTo(Annotations.TRACK_CONFIRMED);
        assertThat(a.tipX[0]).isCloseTo((float) p.tipX, within(0.5f));
        assertThat(a.tipY[0]).isCloseTo((float) p.tipY, within(0.5f));
        assertThat(a.lineCount()).isEqualTo(1);
        assertThat(a.lineX1[0]).isEqualTo((float) p.entryX);
        // the vessel polygon (from the label map at 256 x 256) and the drawn zone
        assertThat(a.zoneCount()).isEqualTo(2);
        assertThat(a.zoneClass[0]).isEqualTo(Annotations.ZONE_VESSEL);
        assertThat(a.zoneConfidence[0]).isEqualTo(1f);
        for (int k = 0; k < a.zonePointCount[0]; k++) {
            double d = Math.hypot(a.zonePointX(0, k) - p.vesselX, a.zonePointY(0, k) - p.vesselY);
            assertThat(d).isCloseTo(p.vesselR, within(4.0));
        }
        assertThat(a.zoneDrawn[1]).isTrue();
        assertThat(a.zoneClass[1]).isEqualTo(Annotations.ZONE_NOGO);
        // 3 mm from the vessel: a WARNING (5 mm), in mm
        int vesselDistance = -1;
        for (int i = 0; i < a.distanceCount(); i++) {
            if (a.distZoneIndex[i] == 0) {
                vesselDistance = i;
            }
        }
        assertThat(a.distMm[vesselDistance]).isCloseTo(3f, within(0.5f));
        assertThat(a.alertLevel()).isEqualTo(Annotations.ALERT_WARNING);
        assertThat(a.alertZoneClass[0]).isEqualTo(Annotations.ZONE_VESSEL);
    }

    @Test
    void aSourceWithoutGroundTruthIsReportedAsSuch() {
        Recorder r = new Recorder();
        GroundTruthAnnotator gt = new GroundTruthAnnotator(r.registration("gt", 0, 0, StreamRegistration.GROUND_TRUTH),
                new InferenceSettings().conclude(), new ZoneStore(null));
        FrameSlot slot = new FrameSlot(0, new FrameGeometry(64, 48, PixelFormat.GRAY8), false);
        slot.frame(64, 48, 64, PixelFormat.GRAY8);
        Phantom.offerNow(gt, slot, 1);
        assertThat(r.last().status()).isEqualTo(Annotations.Status.FAILED);
        assertThat(r.last().failure()).isEqualTo("the source provides no ground truth");
    }
}
