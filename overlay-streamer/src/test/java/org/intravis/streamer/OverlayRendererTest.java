package org.intravis.streamer;

import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intravis.streamer.OverlayRendererTest.Bound.ANY;
import static org.intravis.streamer.OverlayRendererTest.Bound.above;
import static org.intravis.streamer.OverlayRendererTest.Bound.below;
import static org.intravis.streamer.OverlayRendererTest.Bound.between;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

class OverlayRendererTest {
    static final int W = 640;
    static final int H = 480;

    static Mat dark() {
        return new Mat(H, W, CV_8UC3, new Scalar(30, 30, 30, 0));
    }

    static Annotations scene(float tipConfidence, float nerveConfidence, boolean alert) {
        Annotations a = new Annotations();
        a.status(Annotations.Status.VALID).frameId(5).frameSize(W, H).model("m", "1", "cpu");
        a.addTip(1, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, 320, 300, 0, 0, tipConfidence);
        a.addLine(Annotations.INSTRUMENT_NEEDLE, 1, 40, 420, 320, 300, tipConfidence);
        int nogo = a.beginZone(1, Annotations.ZONE_NOGO, true, 1f, 0);
        a.addZonePoint(400, 100);
        a.addZonePoint(560, 100);
        a.addZonePoint(560, 220);
        a.addZonePoint(400, 220);
        a.beginZone(2, Annotations.ZONE_NERVE, false, nerveConfidence, 0);
        a.addZonePoint(100, 100);
        a.addZonePoint(250, 100);
        a.addZonePoint(250, 200);
        a.addZonePoint(100, 200);
        if (alert) {
            a.addAlert(9, Annotations.ALERT_CRITICAL, Annotations.ALERT_KIND_INSIDE, 1, nogo, Annotations.ZONE_NOGO, 0, 0);
        }
        return a;
    }

    static int[] px(Mat m, int x, int y) {
        try (UByteIndexer ix = m.createIndexer()) {
            return new int[]{ix.get(y, x, 0), ix.get(y, x, 1), ix.get(y, x, 2)};
        }
    }

    /** {@code a} rendered over a dark picture by a renderer of the default low-confidence threshold, saved as {@code name}. */
    static Mat rendered(Annotations a, long ageMs, boolean fresh, String name) throws Exception {
        Mat m = dark();
        new OverlayRenderer(0.5).render(m, a, ageMs, fresh);
        Path dir = Path.of("target", "overlay-renderer");
        Files.createDirectories(dir);
        imwrite(dir.resolve(name).toString(), m);
        return m;
    }

    /** A bound on one colour channel, saying itself in a failure. */
    record Bound(String text, IntPredicate test) {
        static final Bound ANY = new Bound("any", v -> true);

        static Bound above(int v) {
            return new Bound("> " + v, x -> x > v);
        }

        static Bound below(int v) {
            return new Bound("< " + v, x -> x < v);
        }

        static Bound between(int lo, int hi) {
            return new Bound(lo + ".." + hi, x -> x >= lo && x <= hi);
        }
    }

    /** The pixel at (x, y), blue, green and red, each within its bound. */
    static void assertColour(Mat m, int x, int y, String what, Bound blue, Bound green, Bound red) {
        int[] bgr = px(m, x, y);
        Bound[] bounds = {blue, green, red};
        for (int c = 0; c < 3; c++) {
            assertThat(bounds[c].test().test(bgr[c])).as("%s at (%d, %d): BGR %s, channel %d should be %s", what, x, y,
                    java.util.Arrays.toString(bgr), c, bounds[c].text()).isTrue();
        }
    }

    @Test
    void freshOverlayDrawsZonesNeedleTipAndAlertBanner() throws Exception {
        Mat m = rendered(scene(0.9f, 0.9f, true), 40, true, "fresh.png");
        assertColour(m, 480, 100, "the no-go outline's top edge, magenta", above(180), below(90), above(180));
        assertColour(m, 480, 160, "inside the no-go zone, tinted: not the background, not opaque", between(60, 140),
                ANY, ANY);
        assertColour(m, 320 + 9, 300, "the tip marker ring, green, 9 px from the tip at this size", below(150),
                above(150), ANY);
        assertColour(m, 180, 360, "the needle line halfway along, cyan", above(150), above(120), ANY);
        assertColour(m, 1, 240, "the critical alert's frame, left, red", below(40), ANY, above(200));
        assertColour(m, W - 2, 240, "the critical alert's frame, right, red", below(40), ANY, above(200));
        assertColour(m, 320, 1, "the critical alert's frame, top, red", below(40), ANY, above(200));
        assertColour(m, 5, H - 6, "the critical alert's words, bottom left, on red", below(40), ANY, above(200));
        // the top of the picture, where needles enter, stays the picture (a banner across it covered 24 rows here)
        for (int y = 4; y < 40; y++) {
            assertThat(px(m, 320, y)).as("row %d of the picture under the alert", y).containsExactly(30, 30, 30);
        }
    }

    @Test
    void staleOverlayShowsOnlyTheBadgeAndNoneShowsAiOff() throws Exception {
        Mat stale = rendered(scene(0.9f, 0.9f, true), 900, false, "stale.png");
        assertThat(px(stale, 480, 100)).as("no zone outline when stale").containsExactly(30, 30, 30);
        assertThat(px(stale, 329, 300)).as("no tip marker when stale").containsExactly(30, 30, 30);
        assertThat(px(stale, 5, 5)).as("no alert banner from a stale overlay").containsExactly(30, 30, 30);
        assertColour(stale, W - 14, H - 8, "the amber AI STALE badge bottom right", ANY, between(120, 220), above(200));

        Mat off = rendered(new Annotations(), -1, false, "off.png");
        assertThat(px(off, W - 14, H - 8)).as("grey AI OFF badge").containsExactly(110, 110, 110);
    }

    @Test
    void lowConfidenceIsDashedAndDimmed() throws Exception {
        Mat m = rendered(scene(0.9f, 0.2f, false), 10, true, "low-confidence.png");
        // the nerve's top edge (y=100, x 100..250) is dashed: some pixels drawn, some gaps
        int drawn = 0;
        int gaps = 0;
        for (int x = 110; x < 240; x++) {
            int[] p = px(m, x, 100);
            if (p[2] > 80) {
                drawn++;
            } else {
                gaps++;
            }
        }
        assertThat(drawn).isGreaterThan(30);
        assertThat(gaps).isGreaterThan(20);
        // dimmed: well below the full-confidence nerve yellow (0,230,255)
        int max = 0;
        for (int x = 110; x < 240; x++) {
            max = Math.max(max, px(m, x, 100)[2]);
        }
        assertThat(max).isLessThan(200);
        // and not filled
        assertThat(px(m, 175, 150)).containsExactly(30, 30, 30);
    }

    /**
     * The default demo's picture: a nerve and two vessels side by side and a tip above them. No label's black outline
     * falls inside another zone (before, the middle vessel's label, drawn from its first corner, ran into the next).
     */
    @Test
    void labelsStayOffNeighbouringZones() throws Exception {
        Annotations a = new Annotations();
        a.status(Annotations.Status.VALID).frameId(5).frameSize(W, H).model("m", "1", "cpu");
        int[][] zones = {{230, 180, 55, 35}, {312, 182, 38, 40}, {362, 172, 48, 42}};
        byte[] classes = {Annotations.ZONE_NERVE, Annotations.ZONE_VESSEL, Annotations.ZONE_VESSEL};
        for (int z = 0; z < zones.length; z++) {
            int[] b = zones[z];
            a.beginZone(z + 1, classes[z], false, 0.97f, 0);
            a.addZonePoint(b[0], b[1]);
            a.addZonePoint(b[0] + b[2], b[1]);
            a.addZonePoint(b[0] + b[2], b[1] + b[3]);
            a.addZonePoint(b[0], b[1] + b[3]);
        }
        a.addTip(1, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, 300, 150, 0, 0, 0.9f);
        Mat m = rendered(a, 10, true, "labels-apart.png");
        for (int[] b : zones) {
            for (int y = b[1] + 3; y < b[1] + b[3] - 2; y++) {
                for (int x = b[0] + 3; x < b[0] + b[2] - 2; x++) {
                    int[] p = px(m, x, y);
                    assertThat(p[0] + p[1] + p[2]).as("a label's outline at (%d, %d) inside the zone at %s", x, y,
                            java.util.Arrays.toString(b)).isGreaterThan(40);
                }
            }
        }
    }

    /** Pixels in the box x0..x1 by y0..y1 (exclusive ends) whose colour passes {@code test} (B, G, R). */
    static int count(Mat m, int x0, int y0, int x1, int y1, java.util.function.Predicate<int[]> test) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if (test.test(px(m, x, y))) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * With several alerts the frame takes the most severe one's colour, wherever it stands in the list; its words are
     * white on warning and critical red, black on caution amber (read from across the room).
     */
    @Test
    void theMostSevereAlertColoursTheFrameAndItsWordsStayReadable() throws Exception {
        Annotations two = scene(0.9f, 0.9f, false);
        two.addAlert(7, Annotations.ALERT_CAUTION, Annotations.ALERT_KIND_PROXIMITY, 1, 1, Annotations.ZONE_NERVE, 4.2f, 30);
        two.addAlert(9, Annotations.ALERT_CRITICAL, Annotations.ALERT_KIND_INSIDE, 1, 0, Annotations.ZONE_NOGO, 0, 0);
        Mat critical = rendered(two, 10, true, "alerts-two.png");
        assertColour(critical, 1, 240, "the frame, the critical alert's red", below(40), below(40), above(200));
        assertThat(count(critical, 8, 452, 160, 474, p -> p[0] > 200 && p[1] > 200 && p[2] > 200))
                .as("white words on red").isGreaterThan(20);

        Annotations caution = scene(0.9f, 0.9f, false);
        caution.addAlert(7, Annotations.ALERT_CAUTION, Annotations.ALERT_KIND_PROXIMITY, 1, 1, Annotations.ZONE_NERVE, 4.2f, 30);
        Mat amber = rendered(caution, 10, true, "alert-caution.png");
        assertColour(amber, 1, 240, "the frame, caution's amber", below(40), above(180), above(200));
        assertThat(count(amber, 8, 452, 160, 474, p -> p[2] < 60)).as("black words on amber").isGreaterThan(20);
        assertThat(count(amber, 8, 452, 160, 474, p -> p[0] > 200)).as("no white words on amber").isZero();
    }

    /** A ground-truth stand-in says so in the picture (a recording of it is not mistaken for the AI's output). */
    @Test
    void aGroundTruthStandInIsNamedInThePicture() throws Exception {
        java.util.function.Predicate<int[]> amber = p -> p[0] < 80 && p[1] > 110 && p[2] > 180;
        Annotations truth = scene(0.9f, 0.9f, false).origin(Annotations.Origin.GROUND_TRUTH);
        Mat m = rendered(truth, 10, true, "stand-in.png");
        assertThat(count(m, 4, 450, 320, 476, amber)).as("amber words, bottom left").isGreaterThan(30);
        Mat model = rendered(scene(0.9f, 0.9f, false), 10, true, "model.png");
        assertThat(count(model, 4, 450, 320, 476, amber)).as("the model's overlay: no such words").isZero();
    }

    /** An unsure needle looks unsure: its line dashed and dimmed, its tip's ring dimmed. */
    @Test
    void anUnsureNeedleIsDashedAndDimmed() throws Exception {
        Mat sure = rendered(scene(0.9f, 0.9f, false), 10, true, "needle-sure.png");
        Mat unsure = rendered(scene(0.3f, 0.9f, false), 10, true, "needle-unsure.png");
        // along the line from (40, 420) to (320, 300), away from the tip's ring and its label
        int drawnSure = 0;
        int drawn = 0;
        int gaps = 0;
        int brightest = 0;
        for (int x = 60; x <= 240; x++) {
            int y = Math.round(420 - 120f * (x - 40) / 280);
            int b = Math.max(px(unsure, x, y)[0], Math.max(px(unsure, x, y - 1)[0], px(unsure, x, y + 1)[0]));
            brightest = Math.max(brightest, b);
            if (b > 80) {
                drawn++;
            } else {
                gaps++;
            }
            if (Math.max(px(sure, x, y)[0], Math.max(px(sure, x, y - 1)[0], px(sure, x, y + 1)[0])) > 80) {
                drawnSure++;
            }
        }
        assertThat(drawnSure).as("a sure line is whole").isEqualTo(181);
        assertThat(drawn).as("dashes").isGreaterThan(60);
        assertThat(gaps).as("gaps").isGreaterThan(20);
        assertThat(brightest).as("dimmed: under the sure line's blue").isLessThan(200);
        int ringSure = 0;
        int ringUnsure = 0;
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                ringSure = Math.max(ringSure, px(sure, 329 + dx, 300 + dy)[1]);
                ringUnsure = Math.max(ringUnsure, px(unsure, 329 + dx, 300 + dy)[1]);
            }
        }
        assertThat(ringSure).isGreaterThan(230);
        assertThat(ringUnsure).as("the unsure tip's ring drawn, dimmed").isBetween(80, 180);
    }

    /** A failed model: a red AI FAILED badge and nothing else, however fresh; a fresh overlay's badge has no box. */
    @Test
    void aFailedModelLeavesOnlyARedBadge() throws Exception {
        Mat failed = rendered(scene(0.9f, 0.9f, true).status(Annotations.Status.FAILED), 10, true, "failed.png");
        assertColour(failed, W - 14, H - 8, "the red AI FAILED badge", below(40), below(40), above(200));
        assertThat(px(failed, 480, 100)).as("no zone").containsExactly(30, 30, 30);
        assertThat(px(failed, 1, 240)).as("no alert frame").containsExactly(30, 30, 30);

        Mat fresh = rendered(scene(0.9f, 0.9f, false), 40, true, "fresh-badge.png");
        assertThat(px(fresh, W - 8, H - 5)).as("no box behind a fresh overlay's age").containsExactly(30, 30, 30);
        assertThat(count(fresh, W - 120, H - 24, W - 8, H - 6, p -> p[0] > 200 && p[1] > 200 && p[2] > 200))
                .as("its age in white").isGreaterThan(10);
    }

    /** The box (x0, y0, x1, y1) of the red pixels outside the vessel's outline at (360, 190)-(410, 232). */
    static int[] redWords(Mat m) {
        int[] box = {W, H, -1, -1};
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int[] p = px(m, x, y);
                boolean nearOutline = x >= 356 && x <= 414 && y >= 186 && y <= 236;
                if (!nearOutline && p[2] > 180 && p[1] < 140 && p[0] < 140) {
                    box[0] = Math.min(box[0], x);
                    box[1] = Math.min(box[1], y);
                    box[2] = Math.max(box[2], x);
                    box[3] = Math.max(box[3], y);
                }
            }
        }
        return box;
    }

    static Annotations vessel() {
        Annotations a = new Annotations();
        a.status(Annotations.Status.VALID).frameId(5).frameSize(W, H).model("m", "1", "cpu");
        a.beginZone(1, Annotations.ZONE_VESSEL, false, 0.96f, 0);
        a.addZonePoint(360, 190);
        a.addZonePoint(410, 190);
        a.addZonePoint(410, 232);
        a.addZonePoint(360, 232);
        return a;
    }

    /**
     * The needle's line passing just above a vessel, where the vessel's label would go (the OR display's case): the
     * burned-in label is written clear of the line and the tip's ring, near its vessel. (The line is drawn after the
     * labels, so a label there would have the needle across its words: the words' extent is taken from both of their
     * ends, whichever the line hides, with the width they have with nothing in the way, and the label's pad added.)
     */
    @Test
    void theVesselsLabelIsWrittenClearOfTheNeedle() throws Exception {
        int[] alone = redWords(rendered(vessel(), 10, true, "label-alone.png"));
        int width = alone[2] - alone[0] + 1;
        assertThat(width).as("the words with nothing in the way").isBetween(40, 120);
        Annotations a = vessel();
        a.addTip(1, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, 330, 205, 0, 0, 0.94f);
        a.addLine(Annotations.INSTRUMENT_NEEDLE, 1, 500, 40, 330, 205, 0.94f);
        int[] seen = redWords(rendered(a, 10, true, "labels-off-the-line.png"));
        assertThat(seen[2]).as("the vessel's label is written").isGreaterThan(0);
        // the label: its words and the 2 px pad around them
        int x0 = Math.min(seen[0], seen[2] - width + 1) - 2;
        int x1 = Math.max(seen[2], seen[0] + width - 1) + 2;
        int y0 = seen[1] - 2;
        int y1 = seen[3] + 2;
        String label = "the vessel's label at (" + x0 + ", " + y0 + ")-(" + x1 + ", " + y1 + ")";
        assertThat(LabelLayout.crosses(500, 40, 330, 205, x0, y0, x1 - x0 + 1, y1 - y0 + 1))
                .as(label + " across the line").isFalse();
        assertThat(x1 < 330 - 9 || x0 > 330 + 9 || y1 < 205 - 9 || y0 > 205 + 9).as(label + " over the tip").isTrue();
        assertThat(Math.abs(y0 - 211)).as(label + " near the vessel").isLessThan(60);
    }
}
