package org.intravis.ui;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.BoundingBox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intravis.ui.HeadlessChromium.screenshot;
import static org.intravis.ui.HeadlessChromium.waitFor;

/**
 * The pages in a real browser (Debian's Chromium, headless) against a real streaming server: the test source's
 * needle moves along a known path, the fixture annotator publishes what it shows, and the pages must decode,
 * draw the overlay in the right place, badge staleness, raise the alert banner, save drawn zones and survive a
 * server restart. Screenshots go to target/browser-artefacts.
 */
class StreamPagesBrowserTest {
    static final String STREAM = "us1";
    static HeadlessChromium chromium;
    StreamingTestServer server;
    Page page;

    @BeforeAll
    static void browser() {
        chromium = new HeadlessChromium();
    }

    @AfterAll
    static void closeBrowser() {
        chromium.close();
        assertThat(chromium.outsideRequests).as("pages never ask an outside host").isEmpty();
    }

    @BeforeEach
    void startServer() throws Exception {
        server = new StreamingTestServer(STREAM, 640, 360, 30).start(0);
    }

    @AfterEach
    void stop() throws Exception {
        if (page != null) {
            page.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> snap() {
        return (Map<String, Object>) page.evaluate("() => window.intravis && window.intravis.snapshot('" + STREAM + "')");
    }

    long decoded() {
        Map<String, Object> s = snap();
        return s == null ? 0 : ((Number) s.get("decoded")).longValue();
    }

    static long num(Object o) {
        return ((Number) o).longValue();
    }

    /** Sum of the video canvas pixels: changes whenever the picture does. */
    long videoChecksum() {
        return num(page.evaluate("() => { const c = window.intravis.views['" + STREAM + "'].video;"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + " let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i] * (i % 977); return s; }"));
    }

    /**
     * In one turn of the page: the overlay drawn with the frame on screen, the overlay canvas pixel at its tip,
     * and the video pixel where the test source put the needle tip in that frame.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> tipProbe() {
        return (Map<String, Object>) page.evaluate("() => { const v = window.intravis.views['" + STREAM + "'];"
                + " const o = v.drawnOverlay; if (!o || !o.tips.length || !v.header) return null;"
                + " const t = o.tips[0];"
                + " const px = v.overlayCanvas.getContext('2d').getImageData(Math.round(t.x), Math.round(t.y), 1, 1).data;"
                + " return { x: t.x, y: t.y, overlayFrame: o.frameId, frame: v.header.frameId, rgba: Array.from(px),"
                + "   origin: o.origin }; }");
    }

    /**
     * In one turn of the page (the canvas changes between turns): the frame on screen and the brightest green
     * value around where the test source drew the needle tip in that frame. Candidates for the next frames are
     * computed here from the known path and the page picks the one it shows.
     */
    long[] needleTipOnScreen() {
        long now = num(page.evaluate("() => window.intravis.views['" + STREAM + "'].header.frameId"));
        NeedlePath path = server.source.path;
        java.util.List<java.util.List<Double>> candidates = new java.util.ArrayList<>();
        for (long f = now; f < now + 90; f++) {
            candidates.add(List.of((double) f, (double) path.tipX(f), (double) path.tipY(f)));
        }
        @SuppressWarnings("unchecked")
        List<Number> r = (List<Number>) page.evaluate("(cands) => { const v = window.intravis.views['" + STREAM + "'];"
                + " const f = v.header.frameId; const c = cands.find(k => k[0] === f); if (!c) return [f, -1];"
                + " const d = v.video.getContext('2d').getImageData(Math.round(c[1]) - 1, Math.round(c[2]) - 1, 3, 3).data;"
                + " let m = 0; for (let i = 0; i < d.length; i += 4) m = Math.max(m, d[i + 1]); return [f, m]; }", candidates);
        return new long[]{r.get(0).longValue(), r.get(1).longValue()};
    }

    /** The visible alert banner's text and classes, read in one turn ("" when hidden). */
    String bannerShown(String selector) {
        return String.valueOf(page.evaluate("(sel) => { const b = document.querySelector(sel);"
                + " return b && !b.classList.contains('hidden') && b.offsetHeight > 0 ? b.className + '|' + b.textContent : ''; }",
                selector));
    }

    void open(String path) {
        page = chromium.page(1280, 800);
        page.navigate(server.url(path));
    }

    @Test
    void surgeonPageDecodesH264AndDrawsTheOverlayWhereTheServerPutIt() {
        open("/?stream=" + STREAM + "&encoding=h264");
        waitFor("H.264 frames decoded", 20_000, () -> decoded() > 15);
        Map<String, Object> s = snap();
        assertThat(s.get("encoding")).isEqualTo("h264");
        assertThat((String) s.get("codec")).startsWith("avc1.42");
        long c1 = videoChecksum();
        waitFor("the picture to change", 5_000, () -> videoChecksum() != c1);

        waitFor("an overlay drawn", 10_000, () -> tipProbe() != null);
        Map<String, Object> probe = tipProbe();
        long overlayFrame = num(probe.get("overlayFrame"));
        NeedlePath path = server.source.path;
        float x = ((Number) probe.get("x")).floatValue();
        float y = ((Number) probe.get("y")).floatValue();
        assertThat(x).as("tip x sent = where the source drew it in frame %d", overlayFrame)
                .isCloseTo(path.tipX(overlayFrame), org.assertj.core.data.Offset.offset(0.1f));
        assertThat(y).isCloseTo(path.tipY(overlayFrame), org.assertj.core.data.Offset.offset(0.1f));
        List<Number> rgba = (List<Number>) probe.get("rgba");
        assertThat(rgba.get(1).intValue()).as("tip marker (green) drawn at the tip: %s", rgba).isGreaterThan(200);
        assertThat(rgba.get(0).intValue()).isLessThan(150);
        assertThat(rgba.get(3).intValue()).isGreaterThan(200);
        assertThat(probe.get("origin")).isEqualTo("GROUND_TRUTH");
        // and the decoded picture has the needle where the source drew it in the frame on screen
        long[] tip = needleTipOnScreen();
        assertThat(tip[1]).as("needle tip bright in frame %d", tip[0]).isGreaterThan(180);
        screenshot(page, "surgeon-h264-overlay");
        assertThat(page.locator(".badge.origin").isVisible()).as("ground-truth stand-in is labelled").isTrue();
    }

    @Test
    void jpegFallbackDecodesOnTheDisplay() {
        open("/display?stream=" + STREAM + "&encoding=jpeg");
        waitFor("JPEG frames decoded", 20_000, () -> decoded() > 15);
        assertThat(snap().get("encoding")).isEqualTo("jpeg");
        long c1 = videoChecksum();
        waitFor("the picture to change", 5_000, () -> videoChecksum() != c1);
        waitFor("an overlay drawn", 10_000, () -> tipProbe() != null);
        long[] tip = needleTipOnScreen();
        assertThat(tip[1]).as("needle tip bright in frame %d", tip[0]).isGreaterThan(180);
        screenshot(page, "display-jpeg");
    }

    @Test
    void staleBadgeAppearsWhenInferencePausesAndGoesWhenItResumes() {
        open("/display?stream=" + STREAM);
        waitFor("a fresh overlay", 20_000, () -> decoded() > 5 && snap().get("drawnOverlay") != null
                && "".equals(snap().get("ai")));
        assertThat(page.locator(".badge.ai").isVisible()).isFalse();
        server.annotator.pause();
        waitFor("AI STALE", 5_000, () -> String.valueOf(snap().get("ai")).startsWith("AI STALE"));
        assertThat(snap().get("drawnOverlay")).as("a stale overlay is hidden").isNull();
        assertThat(page.locator(".badge.ai").textContent()).startsWith("AI STALE");
        assertThat(num(page.evaluate("() => { const c = window.intravis.views['" + STREAM + "'].overlayCanvas;"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + " let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; }")))
                .as("nothing left on the overlay canvas").isZero();
        screenshot(page, "display-ai-stale");
        server.annotator.resume();
        waitFor("fresh again", 5_000, () -> "".equals(snap().get("ai")) && snap().get("drawnOverlay") != null);
        assertThat(page.locator(".badge.ai").isVisible()).isFalse();
    }

    /** Client coordinates of a frame pixel on the focused tile's editor canvas (object-fit: contain). */
    double[] toPage(float fx, float fy) {
        BoundingBox box = page.locator(".tile[data-stream='" + STREAM + "'] canvas.editor").boundingBox();
        double cw = server.width;
        double ch = server.height;
        double scale = Math.min(box.width / cw, box.height / ch);
        double ox = box.x + (box.width - cw * scale) / 2;
        double oy = box.y + (box.height - ch * scale) / 2;
        return new double[]{ox + fx * scale, oy + fy * scale};
    }

    @Test
    void aNoGoZoneDrawnWithTheMouseIsSavedRaisesTheAlertAndComesBackAfterReload() {
        open("/?stream=" + STREAM);
        waitFor("video", 20_000, () -> decoded() > 5);
        NeedlePath path = server.source.path;
        float mx = path.pathX(0.6);
        float my = path.pathY(0.6);
        float hw = server.width * 0.10f;
        float hh = server.height * 0.12f;
        float[][] corners = {{mx - hw, my - hh}, {mx + hw, my - hh}, {mx + hw, my + hh}, {mx - hw, my + hh}};
        page.click("#edit-zones");
        for (float[] c : corners) {
            double[] p = toPage(c[0], c[1]);
            page.mouse().click(p[0], p[1]);
        }
        double[] first = toPage(corners[0][0], corners[0][1]);
        page.mouse().click(first[0], first[1]); // clicking the first point closes the polygon
        waitFor("the zone saved on the server", 5_000, () -> server.zones.getOrDefault(STREAM, List.of()).size() == 1);
        List<float[]> saved = server.zones.get(STREAM).get(0).points();
        assertThat(saved).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(saved.get(i)[0]).isCloseTo(corners[i][0], org.assertj.core.data.Offset.offset(2f));
            assertThat(saved.get(i)[1]).isCloseTo(corners[i][1], org.assertj.core.data.Offset.offset(2f));
        }
        waitFor("the page to say it saved", 5_000, () -> page.locator("#zone-status").textContent().contains("saved"));
        screenshot(page, "surgeon-zone-drawn");

        // the needle passes through the zone: the banner must come up (the annotator reads the stored zone)
        String[] shown = new String[1];
        waitFor("alert banner", 10_000, () -> (shown[0] = bannerShown(".tile .banner")).contains("CRITICAL: tip INSIDE NO-GO ZONE"));
        assertThat(shown[0]).contains("level-critical");
        screenshot(page, "surgeon-alert-banner");
        // and goes when it leaves
        waitFor("banner cleared after the tip leaves", 10_000, () -> "".equals(snap().get("banner")));

        page.reload();
        waitFor("video after reload", 20_000, () -> decoded() > 5);
        waitFor("zone loaded after reload", 5_000, () -> num(page.evaluate(
                "() => window.intravis.editor('" + STREAM + "') ? window.intravis.editor('" + STREAM + "').zones.length : 0")) == 1);
        @SuppressWarnings("unchecked")
        List<List<Number>> back = (List<List<Number>>) page.evaluate(
                "() => window.intravis.editor('" + STREAM + "').zones[0].points");
        for (int i = 0; i < 4; i++) {
            assertThat(back.get(i).get(0).floatValue()).isCloseTo(corners[i][0], org.assertj.core.data.Offset.offset(2f));
            assertThat(back.get(i).get(1).floatValue()).isCloseTo(corners[i][1], org.assertj.core.data.Offset.offset(2f));
        }
        // the overlay shows it as a drawn no-go zone
        waitFor("no-go zone in the overlay", 5_000, () -> page.evaluate("() => { const o = window.intravis.snapshot('"
                + STREAM + "').drawnOverlay; return !!o && o.zones.some(z => z.class === 'nogo' && z.drawn); }").equals(true));
        screenshot(page, "surgeon-zone-after-reload");

        // and a selected zone can be deleted
        page.click("#edit-zones");
        double[] inside = toPage(mx - hw * 0.5f, my - hh * 0.5f);
        page.mouse().click(inside[0], inside[1]);
        page.click("#delete-zone");
        waitFor("zone deleted on the server", 5_000, () -> server.zones.getOrDefault(STREAM, List.of()).isEmpty());
    }

    @Test
    void displayShowsTheAlertBannerWhenTheNeedleEntersAZone() throws Exception {
        // the same zone, stored directly, seen on the OR display
        // a band 60 px wide along the needle's path from 45 % to 75 % of its length
        NeedlePath path = server.source.path;
        double dx = path.endX() - path.entryX();
        double dy = path.endY() - path.entryY();
        double len = Math.hypot(dx, dy);
        double nx = -dy / len * 30;
        double ny = dx / len * 30;
        float ax = path.pathX(0.45);
        float ay = path.pathY(0.45);
        float bx = path.pathX(0.75);
        float by = path.pathY(0.75);
        String zone = String.format(java.util.Locale.ROOT,
                "[{\"id\":1,\"label\":\"no-go 1\",\"points\":[[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f],[%.0f,%.0f]]}]",
                ax + nx, ay + ny, bx + nx, by + ny, bx - nx, by - ny, ax - nx, ay - ny);
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url("/api/streams/" + STREAM + "/zones")))
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(zone)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(204);
        open("/display?stream=" + STREAM + "&kiosk=1");
        waitFor("video", 20_000, () -> decoded() > 5);
        String[] shown = new String[1];
        waitFor("alert banner on the display", 15_000,
                () -> (shown[0] = bannerShown(".banner")).contains("CRITICAL: tip INSIDE NO-GO ZONE"));
        assertThat(shown[0]).contains("level-critical");
        screenshot(page, "display-alert-banner");
        waitFor("banner cleared when the tip leaves", 10_000, () -> bannerShown(".banner").isEmpty());
    }

    @Test
    void displayReconnectsByItselfAfterTheServerRestarts() throws Exception {
        open("/display?stream=" + STREAM);
        waitFor("video", 20_000, () -> decoded() > 5);
        int port = server.port;
        server.close();
        waitFor("reconnecting state", 10_000, () -> "RECONNECTING…".equals(snap().get("stateText")));
        assertThat(page.locator(".badge.origin").isVisible()).as("nothing of the old overlay stays up").isFalse();
        screenshot(page, "display-server-down");
        Thread.sleep(1500); // a few failed attempts with back-off
        server = server.sibling().start(port);
        long before = decoded();
        waitFor("video again after the restart", 20_000, () -> decoded() > before + 10 && "".equals(snap().get("stateText")));
        assertThat(snap().get("state")).isEqualTo("open");
        screenshot(page, "display-after-restart");
    }

    /** Replaces the test-pattern server by one on the synthetic ultrasound phantom (its ground truth drives the fixture). */
    void useSyntheticUltrasound() throws Exception {
        server.close();
        StreamingTestServer s = new StreamingTestServer(STREAM, 640, 360, 30);
        s.sourceUri = "synthetic:ultrasound?width=640&height=360&fps=30";
        server = s.start(0);
    }

    @Test
    void syntheticUltrasoundOverlayIsDrawnAtTheGroundTruthTipAndGoesStaleWhenPaused() throws Exception {
        useSyntheticUltrasound();
        open("/?stream=" + STREAM + "&encoding=h264");
        waitFor("H.264 frames of the phantom", 20_000, () -> decoded() > 15);
        long c1 = videoChecksum();
        waitFor("the picture to change", 5_000, () -> videoChecksum() != c1);
        waitFor("an overlay with the needle tip drawn", 20_000, () -> tipProbe() != null);
        Map<String, Object> probe = tipProbe();
        long overlayFrame = num(probe.get("overlayFrame"));
        TruthSample truth = server.annotator.publishedTruth.get(overlayFrame);
        assertThat(truth).as("ground truth of frame %d", overlayFrame).isNotNull();
        assertThat(((Number) probe.get("x")).floatValue()).isCloseTo(truth.tipX(), org.assertj.core.data.Offset.offset(0.1f));
        assertThat(((Number) probe.get("y")).floatValue()).isCloseTo(truth.tipY(), org.assertj.core.data.Offset.offset(0.1f));
        @SuppressWarnings("unchecked")
        List<Number> rgba = (List<Number>) probe.get("rgba");
        assertThat(rgba.get(1).intValue()).as("tip marker at the tip: %s", rgba).isGreaterThan(200);
        screenshot(page, "synthetic-ultrasound-overlay");
        server.annotator.pause();
        waitFor("AI STALE", 5_000, () -> String.valueOf(snap().get("ai")).startsWith("AI STALE"));
        assertThat(snap().get("drawnOverlay")).isNull();
        screenshot(page, "synthetic-ultrasound-stale");
        server.annotator.resume();
        waitFor("fresh again", 5_000, () -> "".equals(snap().get("ai")));
    }

    @Test
    void burnedInVariantShowsTheOverlayInThePicture() {
        open("/display?stream=" + STREAM + "&variant=burned&encoding=jpeg");
        waitFor("burned-in frames", 20_000, () -> decoded() > 10);
        @SuppressWarnings("unchecked")
        Map<String, Object> h = (Map<String, Object>) snap().get("header");
        assertThat(h.get("burned")).isEqualTo(true);
        waitFor("a fresh overlay burned in", 10_000, () -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> hh = (Map<String, Object>) snap().get("header");
            return Boolean.TRUE.equals(hh.get("overlayFresh"));
        });
        // the fixture's vessel outline (red) is in the picture itself
        NeedlePath p = server.source.path;
        float vx = server.width * 0.78f + server.width * 0.08f;
        float vy = server.height * 0.30f;
        @SuppressWarnings("unchecked")
        List<Number> px = (List<Number>) page.evaluate("([x, y]) => { const c = window.intravis.views['" + STREAM + "'].video;"
                + " const d = c.getContext('2d').getImageData(Math.round(x) - 2, Math.round(y) - 2, 5, 5).data;"
                + " let best = [0,0,0]; for (let i = 0; i < d.length; i += 4) if (d[i] - d[i+1] > best[0] - best[1]) best = [d[i], d[i+1], d[i+2]];"
                + " return best; }", List.of((double) vx, (double) vy));
        assertThat(px.get(0).intValue() - px.get(1).intValue()).as("red vessel outline burned in: %s", px).isGreaterThan(80);
        assertThat(snap().get("drawnOverlay")).as("the page draws nothing over a burned-in picture").isNull();
        screenshot(page, "display-burned");
        assertThat(p).isNotNull();
    }
}
