package org.intravis.streamer;

import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
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

    static void save(Mat m, String name) throws Exception {
        Path dir = Path.of("target", "overlay-renderer");
        Files.createDirectories(dir);
        imwrite(dir.resolve(name).toString(), m);
    }

    @Test
    void freshOverlayDrawsZonesNeedleTipAndAlertBanner() throws Exception {
        OverlayRenderer r = new OverlayRenderer(0.5);
        Mat m = dark();
        r.render(m, scene(0.9f, 0.9f, true), 40, true);
        save(m, "fresh.png");
        // no-go outline (magenta: blue and red high, green low) on its top edge
        int[] edge = px(m, 480, 100);
        assertThat(edge[0]).isGreaterThan(180);
        assertThat(edge[1]).isLessThan(90);
        assertThat(edge[2]).isGreaterThan(180);
        // translucent fill inside the no-go zone: tinted, not the background, not opaque
        int[] inside = px(m, 480, 160);
        assertThat(inside[0]).isBetween(60, 140);
        // tip marker ring (green) 9 px from the tip at this size
        int[] ring = px(m, 320 + 9, 300);
        assertThat(ring[1]).isGreaterThan(150);
        assertThat(ring[0]).isLessThan(150);
        // needle line (cyan) halfway along
        int[] line = px(m, 180, 360);
        assertThat(line[0]).isGreaterThan(150);
        assertThat(line[1]).isGreaterThan(120);
        // critical alert banner across the top (red)
        int[] banner = px(m, 5, 5);
        assertThat(banner[2]).isGreaterThan(200);
        assertThat(banner[0]).isLessThan(40);
    }

    @Test
    void staleOverlayShowsOnlyTheBadgeAndNoneShowsAiOff() throws Exception {
        OverlayRenderer r = new OverlayRenderer(0.5);
        Mat stale = dark();
        r.render(stale, scene(0.9f, 0.9f, true), 900, false);
        save(stale, "stale.png");
        assertThat(px(stale, 480, 100)).as("no zone outline when stale").containsExactly(30, 30, 30);
        assertThat(px(stale, 329, 300)).as("no tip marker when stale").containsExactly(30, 30, 30);
        assertThat(px(stale, 5, 5)).as("no alert banner from a stale overlay").containsExactly(30, 30, 30);
        int[] badge = px(stale, W - 14, H - 8);
        assertThat(badge[2]).as("amber AI STALE badge bottom right").isGreaterThan(200);
        assertThat(badge[1]).isBetween(120, 220);

        Mat off = dark();
        r.render(off, new Annotations(), -1, false);
        int[] grey = px(off, W - 14, H - 8);
        assertThat(grey).as("grey AI OFF badge").containsExactly(110, 110, 110);
    }

    @Test
    void lowConfidenceIsDashedAndDimmed() throws Exception {
        OverlayRenderer r = new OverlayRenderer(0.5);
        Mat m = dark();
        r.render(m, scene(0.9f, 0.2f, false), 10, true);
        save(m, "low-confidence.png");
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
}
