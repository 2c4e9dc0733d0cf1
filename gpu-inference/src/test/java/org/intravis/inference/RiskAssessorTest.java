package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RiskAssessorTest {
    private static final long MS = 1_000_000L;
    // thresholds: caution 10 mm, warning 5, critical 2, hysteresis 1.5 mm, held 300 ms; px: 60 / 30 / 12 / 8
    private static final AlertSettings SETTINGS =
            new AlertSettings(10, 5, 2, 1.5, 60, 30, 12, 8, 300, 500, Annotations.ALERT_WARNING);

    /** A frame: one vessel square (100..200, 100..200) and a confirmed tip at (x, y) moving at (vx, vy) px/s. */
    private static Annotations frame(float x, float y, float vx, float vy) {
        Annotations a = new Annotations();
        a.beginZone(1, Annotations.ZONE_VESSEL, false, 0.9f, 10000);
        a.addZonePoint(100, 100);
        a.addZonePoint(200, 100);
        a.addZonePoint(200, 200);
        a.addZonePoint(100, 200);
        a.addTip(7, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, x, y, vx, vy, 0.9f);
        return a;
    }

    @Test
    void distancesInPixelsAndMillimetresAndNaNWithoutSpacing() {
        RiskAssessor r = new RiskAssessor(SETTINGS);
        Annotations a = frame(40, 150, 0, 0);
        r.assess(a, 0.1, 0);
        assertThat(a.distanceCount()).isEqualTo(1);
        assertThat(a.distTipId[0]).isEqualTo(7);
        assertThat(a.distZoneIndex[0]).isEqualTo(0);
        assertThat(a.distPx[0]).isCloseTo(60f, within(1e-4f));
        assertThat(a.distMm[0]).isCloseTo(6f, within(1e-4f)); // 60 px at 0.1 mm/px
        assertThat(a.distEnterMs[0]).isEqualTo(-1f);

        Annotations b = frame(150, 110, 0, 0); // inside, 10 px from the top edge
        new RiskAssessor(SETTINGS).assess(b, 0, 0);
        assertThat(b.distPx[0]).isCloseTo(-10f, within(1e-4f));
        assertThat(b.distMm[0]).isNaN();
        assertThat(b.alertCount()).isEqualTo(1);
        assertThat(b.alertLevels[0]).isEqualTo(Annotations.ALERT_CRITICAL);
        assertThat(b.alertKind[0]).isEqualTo(Annotations.ALERT_KIND_INSIDE);
    }

    /** An alert is held after its tip is gone, unless the scene changed: then it ends at once. */
    @Test
    void anAlertIsHeldWhenItsTipIsGoneButEndsAtASceneCut() {
        RiskAssessor held = new RiskAssessor(SETTINGS);
        RiskAssessor cut = new RiskAssessor(SETTINGS);
        for (RiskAssessor r : new RiskAssessor[] {held, cut}) {
            Annotations a = frame(150, 110, 0, 0); // inside the vessel
            r.assess(a, 0, 0);
            assertThat(a.alertLevels[0]).isEqualTo(Annotations.ALERT_CRITICAL);
        }
        Annotations noTip = new Annotations();
        held.assess(noTip, 0, 100 * MS);
        assertThat(noTip.alertCount()).as("within the 300 ms hold").isEqualTo(1);
        cut.clear();
        Annotations afterCut = new Annotations();
        cut.assess(afterCut, 0, 100 * MS);
        assertThat(afterCut.alertCount()).isZero();
    }

    @Test
    void aLowConfidenceTipGetsItsDistancesButRaisesNoAlert() {
        Annotations a = frame(150, 110, 0, 0); // inside the vessel: critical when the tip is trusted
        a.tipConfidence[0] = 0.3f;             // below the overlay's low-confidence mark (0.5)
        RiskAssessor r = new RiskAssessor(SETTINGS);
        r.assess(a, 0, 0);
        assertThat(a.distanceCount()).isEqualTo(1);
        assertThat(a.distPx[0]).isCloseTo(-10f, within(1e-4f));
        assertThat(a.alertCount()).isZero();
        Annotations b = frame(150, 110, 0, 0);
        b.tipConfidence[0] = (float) AlertSettings.DEFAULT_MIN_TIP_CONFIDENCE;
        r.assess(b, 0, 20 * MS);
        assertThat(b.alertCount()).isEqualTo(1);
        assertThat(b.alertLevels[0]).isEqualTo(Annotations.ALERT_CRITICAL);
    }

    @Test
    void aTrajectoryThatEntersAZoneWithinTheLookAheadRaisesAWarning() {
        RiskAssessor r = new RiskAssessor(SETTINGS);
        // 100 px (10 mm at 0.1) left of the zone, moving right at 400 px/s: enters after 250 ms of the 500 ms look-ahead
        Annotations a = frame(0, 150, 400, 0);
        r.assess(a, 0.1, 0);
        assertThat(a.distEnterMs[0]).isCloseTo(250f, within(0.01f));
        assertThat(a.alertCount()).isEqualTo(1);
        assertThat(a.alertLevels[0]).isEqualTo(Annotations.ALERT_WARNING);
        assertThat(a.alertKind[0]).isEqualTo(Annotations.ALERT_KIND_TRAJECTORY);
        assertThat(a.alertZoneClass[0]).isEqualTo(Annotations.ZONE_VESSEL);
        // too slow to get there within the look-ahead: only the distance (10 mm: caution)
        Annotations b = frame(0, 150, 100, 0);
        new RiskAssessor(SETTINGS).assess(b, 0.1, 0);
        assertThat(b.distEnterMs[0]).isEqualTo(-1f);
        assertThat(b.alertLevels[0]).isEqualTo(Annotations.ALERT_CAUTION);
        assertThat(b.alertKind[0]).isEqualTo(Annotations.ALERT_KIND_PROXIMITY);
    }

    @Test
    void alertsDoNotFlickerAroundAThreshold() {
        RiskAssessor r = new RiskAssessor(SETTINGS);
        long id = -1;
        // the tip wobbles between 4.8 and 5.4 mm from the vessel (warning threshold 5 mm, exit at 6.5 mm)
        for (int f = 0; f < 60; f++) {
            float mm = f % 2 == 0 ? 4.8f : 5.4f;
            Annotations a = frame(100 - mm * 10, 150, 0, 0);
            r.assess(a, 0.1, f * 33 * MS);
            assertThat(a.alertCount()).isEqualTo(1);
            assertThat(a.alertLevels[0]).as("frame %d", f).isEqualTo(Annotations.ALERT_WARNING);
            if (f == 0) {
                id = a.alertId[0];
            }
            assertThat(a.alertId[0]).isEqualTo(id);
        }
        // it moves away to 7 mm (beyond warning's exit): still WARNING until 300 ms after warning was last justified
        // (the last wobble frame, 33 ms before t), then CAUTION, with the same id
        long t = 60 * 33 * MS;
        Annotations a = frame(30, 150, 0, 0);
        r.assess(a, 0.1, t);
        assertThat(a.alertLevels[0]).isEqualTo(Annotations.ALERT_WARNING);
        a = frame(30, 150, 0, 0);
        r.assess(a, 0.1, t + 250 * MS);
        assertThat(a.alertLevels[0]).isEqualTo(Annotations.ALERT_WARNING);
        a = frame(30, 150, 0, 0);
        r.assess(a, 0.1, t + 340 * MS);
        assertThat(a.alertLevels[0]).isEqualTo(Annotations.ALERT_CAUTION);
        assertThat(a.alertId[0]).isEqualTo(id);
        // far away (20 mm): caution holds 300 ms more, then the alert ends
        a = frame(-100, 150, 0, 0);
        r.assess(a, 0.1, t + 400 * MS);
        assertThat(a.alertCount()).isEqualTo(1);
        a = frame(-100, 150, 0, 0);
        r.assess(a, 0.1, t + 700 * MS);
        assertThat(a.alertCount()).isZero();
        // coming back is a new alert with a new id
        a = frame(60, 150, 0, 0);
        r.assess(a, 0.1, t + 800 * MS);
        assertThat(a.alertLevels[0]).isEqualTo(Annotations.ALERT_WARNING);
        assertThat(a.alertId[0]).isNotEqualTo(id);
    }

    @Test
    void pixelThresholdsApplyWhenSpacingIsUnknownAndRaisingIsImmediate() {
        RiskAssessor r = new RiskAssessor(SETTINGS);
        Annotations a = frame(50, 150, 0, 0); // 50 px: caution (60 px)
        r.assess(a, 0, 0);
        assertThat(a.alertLevels[0]).isEqualTo(Annotations.ALERT_CAUTION);
        assertThat(a.alertDistanceMm[0]).isNaN();
        assertThat(a.alertDistancePx[0]).isCloseTo(50f, within(1e-4f));
        a = frame(90, 150, 0, 0); // 10 px: critical at once
        r.assess(a, 0, 10 * MS);
        assertThat(a.alertLevels[0]).isEqualTo(Annotations.ALERT_CRITICAL);
        assertThat(a.alertLevel()).isEqualTo(Annotations.ALERT_CRITICAL);
    }

    @Test
    void drawnZonesAreAlertedOnSeparatelyAndTentativeTipsOnlyGetDistances() {
        RiskAssessor r = new RiskAssessor(SETTINGS);
        Annotations a = frame(40, 150, 0, 0);
        a.beginZone(42, Annotations.ZONE_NOGO, true, 1f, 400);
        a.addZonePoint(30, 150);
        a.addZonePoint(35, 140);
        a.addZonePoint(35, 160);
        a.addTip(8, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_TENTATIVE, 300, 300, 0, 0, 0.4f);
        r.assess(a, 0.1, 0);
        assertThat(a.distanceCount()).isEqualTo(4); // 2 tips x 2 zones
        assertThat(a.alertCount()).isEqualTo(2);    // only the confirmed tip: vessel (caution) and the no-go zone
        boolean sawNoGo = false;
        for (int i = 0; i < a.alertCount(); i++) {
            assertThat(a.alertTipId[i]).isEqualTo(7);
            if (a.alertZoneClass[i] == Annotations.ZONE_NOGO) {
                sawNoGo = true;
                assertThat(a.alertZoneIndex[i]).isEqualTo(1);
                assertThat(a.alertLevels[i]).isEqualTo(Annotations.ALERT_CRITICAL); // 0.5 mm
            }
        }
        assertThat(sawNoGo).isTrue();
    }
}
