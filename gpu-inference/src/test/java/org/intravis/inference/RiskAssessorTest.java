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
        square(a);
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

    /** A held alert ends once its hold has passed with the tip still gone: it is not kept for ever. */
    @Test
    void anAlertWhoseTipIsGoneEndsAfterItsHold() {
        RiskAssessor r = new RiskAssessor(SETTINGS);
        Annotations a = frame(150, 110, 0, 0); // inside the vessel
        r.assess(a, 0, 0);
        assertThat(a.alertLevels[0]).isEqualTo(Annotations.ALERT_CRITICAL);
        long id = a.alertId[0];
        Annotations held = new Annotations();
        r.assess(held, 0, 290 * MS);
        assertThat(held.alertCount()).as("within the 300 ms hold").isEqualTo(1);
        assertThat(held.alertId[0]).isEqualTo(id);
        Annotations over = new Annotations();
        r.assess(over, 0, 310 * MS);
        assertThat(over.alertCount()).as("the hold has passed").isZero();
        Annotations later = new Annotations();
        r.assess(later, 0, 2000 * MS);
        assertThat(later.alertCount()).isZero();
        // the tip back inside: a new alert, not the old one revived
        Annotations back = frame(150, 110, 0, 0);
        r.assess(back, 0, 2100 * MS);
        assertThat(back.alertLevels[0]).isEqualTo(Annotations.ALERT_CRITICAL);
        assertThat(back.alertId[0]).isNotEqualTo(id);
    }

    /** Two no-go zones near one tip are two alerts; two vessels near it are one, for the nearer vessel. */
    @Test
    void eachDrawnZoneHasItsOwnAlertButSegmentedZonesOneAClassForTheNearest() {
        Annotations a = frame(40, 150, 0, 0); // 60 px left of the vessel square
        a.beginZone(2, Annotations.ZONE_VESSEL, false, 0.9f, 400); // a second vessel, 20 px right of the tip
        a.addZonePoint(60, 140);
        a.addZonePoint(70, 140);
        a.addZonePoint(70, 160);
        a.addZonePoint(60, 160);
        a.beginZone(42, Annotations.ZONE_NOGO, true, 1f, 400); // 5 px left of the tip
        a.addZonePoint(25, 140);
        a.addZonePoint(35, 140);
        a.addZonePoint(35, 160);
        a.beginZone(43, Annotations.ZONE_NOGO, true, 1f, 400); // 40 px below it
        a.addZonePoint(30, 190);
        a.addZonePoint(50, 190);
        a.addZonePoint(50, 210);
        new RiskAssessor(SETTINGS).assess(a, 0, 0); // pixel thresholds: caution 60, warning 30, critical 12
        assertThat(a.distanceCount()).isEqualTo(4);
        assertThat(a.alertCount()).isEqualTo(3);
        int vessels = 0;
        int noGo = 0;
        for (int i = 0; i < a.alertCount(); i++) {
            if (a.alertZoneClass[i] == Annotations.ZONE_VESSEL) {
                vessels++;
                assertThat(a.alertZoneIndex[i]).as("the nearer vessel").isEqualTo(1);
                assertThat(a.alertDistancePx[i]).isCloseTo(20f, within(1e-4f));
                assertThat(a.alertLevels[i]).isEqualTo(Annotations.ALERT_WARNING);
            } else {
                noGo++;
                assertThat(a.alertZoneIndex[i]).isIn(2, 3);
                assertThat(a.alertLevels[i]).isEqualTo(
                        a.alertZoneIndex[i] == 2 ? Annotations.ALERT_CRITICAL : Annotations.ALERT_CAUTION);
            }
        }
        assertThat(vessels).isEqualTo(1);
        assertThat(noGo).isEqualTo(2);
        // the nearer vessel listed first or last, the same answer
        Annotations b = new Annotations();
        b.beginZone(2, Annotations.ZONE_VESSEL, false, 0.9f, 400);
        b.addZonePoint(60, 140);
        b.addZonePoint(70, 140);
        b.addZonePoint(70, 160);
        b.addZonePoint(60, 160);
        square(b);
        b.addTip(7, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, 40, 150, 0, 0, 0.9f);
        new RiskAssessor(SETTINGS).assess(b, 0, 0);
        assertThat(b.alertCount()).isEqualTo(1);
        assertThat(b.alertZoneIndex[0]).isEqualTo(0);
        assertThat(b.alertDistancePx[0]).isCloseTo(20f, within(1e-4f));
    }

    /** The trajectory is followed in both axes: a tip above the zone moving down enters it; one moving up does not. */
    @Test
    void aTrajectoryDownIntoAZoneIsSeenAndOneAwayFromItIsNot() {
        Annotations down = frame(150, 20, 0, 400); // 80 px above the vessel, entering after 200 ms
        new RiskAssessor(SETTINGS).assess(down, 0.1, 0);
        assertThat(down.distEnterMs[0]).isCloseTo(200f, within(0.01f));
        assertThat(down.alertLevels[0]).isEqualTo(Annotations.ALERT_WARNING);
        assertThat(down.alertKind[0]).isEqualTo(Annotations.ALERT_KIND_TRAJECTORY);
        Annotations up = frame(150, 20, 0, -400);
        new RiskAssessor(SETTINGS).assess(up, 0.1, 0);
        assertThat(up.distEnterMs[0]).isEqualTo(-1f);
        assertThat(up.alertLevels[0]).isEqualTo(Annotations.ALERT_CAUTION); // 8 mm away: caution by distance only
        assertThat(up.alertKind[0]).isEqualTo(Annotations.ALERT_KIND_PROXIMITY);
        // the nearer of two vessels off the path, the farther one on it: the vessels' alert is the trajectory's
        // warning (the class keeps its nearest zone and its earliest entry), whichever vessel is listed first
        for (boolean nearerFirst : new boolean[] {false, true}) {
            Annotations two = new Annotations();
            if (nearerFirst) {
                smallVessel(two);
            }
            square(two);
            if (!nearerFirst) {
                smallVessel(two);
            }
            two.addTip(7, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, 0, 150, 400, 0, 0.9f);
            new RiskAssessor(SETTINGS).assess(two, 0.1, 0);
            int small = nearerFirst ? 0 : 1;
            assertThat(two.distEnterMs[small]).isEqualTo(-1f);
            assertThat(two.distEnterMs[1 - small]).isCloseTo(250f, within(0.01f));
            assertThat(two.alertCount()).isEqualTo(1);
            assertThat(two.alertZoneIndex[0]).as("the nearer vessel").isEqualTo(small);
            assertThat(two.alertLevels[0]).isEqualTo(Annotations.ALERT_WARNING);
            assertThat(two.alertKind[0]).isEqualTo(Annotations.ALERT_KIND_TRAJECTORY);
        }
    }

    /** The vessel square of {@link #frame}. */
    private static void square(Annotations a) {
        a.beginZone(1, Annotations.ZONE_VESSEL, false, 0.9f, 10000);
        a.addZonePoint(100, 100);
        a.addZonePoint(200, 100);
        a.addZonePoint(200, 200);
        a.addZonePoint(100, 200);
    }

    /** A small vessel below the path of a tip moving right from (0, 150): 58 px (5.8 mm) from its start. */
    private static void smallVessel(Annotations a) {
        a.beginZone(2, Annotations.ZONE_VESSEL, false, 0.9f, 100);
        a.addZonePoint(30, 200);
        a.addZonePoint(40, 200);
        a.addZonePoint(40, 210);
        a.addZonePoint(30, 210);
    }

    /** Only a confirmed or coasting track with a sure tip raises alerts; a tentative one, however sure, does not. */
    @Test
    void aTentativeTrackRaisesNoAlertEvenWhenSure() {
        Annotations tentative = frame(150, 110, 0, 0); // inside the vessel
        tentative.tipState[0] = Annotations.TRACK_TENTATIVE;
        new RiskAssessor(SETTINGS).assess(tentative, 0, 0);
        assertThat(tentative.distanceCount()).isEqualTo(1);
        assertThat(tentative.alertCount()).isZero();
        Annotations coasting = frame(150, 110, 0, 0);
        coasting.tipState[0] = Annotations.TRACK_COASTING;
        new RiskAssessor(SETTINGS).assess(coasting, 0, 0);
        assertThat(coasting.alertCount()).isEqualTo(1);
        assertThat(coasting.alertLevels[0]).isEqualTo(Annotations.ALERT_CRITICAL);
    }

    /** A threshold's distance is in its level: 12 px critical, 30 warning, 60 caution; a tip on the edge is inside. */
    @Test
    void aDistanceOnAThresholdTakesThatThresholdsLevel() {
        float[] distances = {12, 30, 60, 0};
        byte[] levels = {Annotations.ALERT_CRITICAL, Annotations.ALERT_WARNING, Annotations.ALERT_CAUTION,
                Annotations.ALERT_CRITICAL};
        for (int i = 0; i < distances.length; i++) {
            Annotations a = frame(100 - distances[i], 150, 0, 0);
            new RiskAssessor(SETTINGS).assess(a, 0, 0);
            assertThat(a.alertCount()).as("%s px", distances[i]).isEqualTo(1);
            assertThat(a.alertLevels[0]).as("%s px", distances[i]).isEqualTo(levels[i]);
        }
        Annotations edge = frame(100, 150, 0, 0);
        new RiskAssessor(SETTINGS).assess(edge, 0, 0);
        assertThat(edge.alertKind[0]).isEqualTo(Annotations.ALERT_KIND_INSIDE);
        Annotations beyond = frame(100 - 60.5f, 150, 0, 0);
        new RiskAssessor(SETTINGS).assess(beyond, 0, 0);
        assertThat(beyond.alertCount()).isZero();
        // a tip 4 mm away heading in: warning by its distance already, so a proximity alert, not a trajectory one
        Annotations near = frame(60, 150, 400, 0);
        new RiskAssessor(SETTINGS).assess(near, 0.1, 0);
        assertThat(near.distEnterMs[0]).isGreaterThan(0f);
        assertThat(near.alertLevels[0]).isEqualTo(Annotations.ALERT_WARNING);
        assertThat(near.alertKind[0]).isEqualTo(Annotations.ALERT_KIND_PROXIMITY);
    }

    /** Alerts of two zones go on side by side over frames, each with its own id and its own level. */
    @Test
    void twoAlertsAtOnceKeepTheirOwnIdsAndLevels() {
        RiskAssessor r = new RiskAssessor(SETTINGS);
        long vesselId = -1;
        long noGoId = -1;
        for (int f = 0; f < 5; f++) {
            Annotations a = frame(40, 150, 0, 0); // the vessel 60 px away: caution
            a.beginZone(42, Annotations.ZONE_NOGO, true, 1f, 400);
            a.addZonePoint(30 - 4 * f, 150); // the no-go zone's edge 5, 9, 13, ... px from the tip
            a.addZonePoint(35 - 4 * f, 140);
            a.addZonePoint(35 - 4 * f, 160);
            r.assess(a, 0, f * 33 * MS);
            assertThat(a.alertCount()).isEqualTo(2);
            for (int i = 0; i < 2; i++) {
                if (a.alertZoneClass[i] == Annotations.ZONE_VESSEL) {
                    assertThat(a.alertLevels[i]).isEqualTo(Annotations.ALERT_CAUTION);
                    vesselId = f == 0 ? a.alertId[i] : vesselId;
                    assertThat(a.alertId[i]).isEqualTo(vesselId);
                } else {
                    // critical from the first frame (5 px), then kept by the hysteresis (20 px) and the 300 ms hold
                    assertThat(a.alertLevels[i]).as("frame %d", f).isEqualTo(Annotations.ALERT_CRITICAL);
                    noGoId = f == 0 ? a.alertId[i] : noGoId;
                    assertThat(a.alertId[i]).isEqualTo(noGoId);
                }
            }
        }
        assertThat(vesselId).isNotEqualTo(noGoId);
    }

    /**
     * Each level is left only beyond its threshold plus the hysteresis (1.5 mm): critical stays at 3 mm, caution at 11.
     */
    @Test
    void criticalAndCautionAreKeptWithinTheirHysteresis() {
        RiskAssessor critical = new RiskAssessor(SETTINGS);
        Annotations a = frame(85, 150, 0, 0); // 1.5 mm: critical
        critical.assess(a, 0.1, 0);
        assertThat(a.alertLevels[0]).isEqualTo(Annotations.ALERT_CRITICAL);
        for (int f = 1; f <= 30; f++) { // 3 mm for a second: under the exit at 3.5 mm
            a = frame(70, 150, 0, 0);
            critical.assess(a, 0.1, f * 33 * MS);
            assertThat(a.alertLevels[0]).as("frame %d", f).isEqualTo(Annotations.ALERT_CRITICAL);
        }
        RiskAssessor caution = new RiskAssessor(SETTINGS);
        Annotations b = frame(10, 150, 0, 0); // 9 mm: caution
        caution.assess(b, 0.1, 0);
        assertThat(b.alertLevels[0]).isEqualTo(Annotations.ALERT_CAUTION);
        for (int f = 1; f <= 30; f++) { // 11 mm for a second: under the exit at 11.5 mm
            b = frame(-10, 150, 0, 0);
            caution.assess(b, 0.1, f * 33 * MS);
            assertThat(b.alertCount()).as("frame %d", f).isEqualTo(1);
            assertThat(b.alertLevels[0]).isEqualTo(Annotations.ALERT_CAUTION);
        }
        b = frame(-20, 150, 0, 0); // 12 mm: beyond it, the hold runs out
        caution.assess(b, 0.1, 1100 * MS);
        b = frame(-20, 150, 0, 0);
        caution.assess(b, 0.1, 1500 * MS);
        assertThat(b.alertCount()).isZero();
    }
}
