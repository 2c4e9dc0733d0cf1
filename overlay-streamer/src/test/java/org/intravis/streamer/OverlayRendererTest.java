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
}
