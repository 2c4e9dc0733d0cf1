package org.intravis.ui;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intravis.ui.HeadlessChromium.screenshot;
import static org.intravis.ui.HeadlessChromium.waitFor;
import static org.intravis.ui.StreamPage.num;

/**
 * The OR display's drawing, alone, in a real browser (Debian's Chromium, headless) against a real streaming server
 * with stand-ins ({@link StreamingTestServer}): the test source's needle moves along a known path and the fixture
 * annotator publishes exactly where it is, so the test knows the pixel where the page must draw the tip, in H.264 and
 * JPEG, and where the server must burn the overlay in. What the application does (inference, zones, alerts, badges,
 * replay) is tested against the real {@link Application} in the other browser tests. Screenshots go to
 * target/browser-artefacts.
 */
class StreamPagesBrowserTest {
    static final String STREAM = "us1";
    @RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();
    StreamingTestServer server;
    Page page;
    StreamPage view;

    @BeforeEach
    void startServer() throws Exception {
        server = new StreamingTestServer(STREAM, 640, 360, 30).start(0);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    void open(String path) {
        page = chromium.page(1280, 800);
        page.navigate(server.url(path));
        view = new StreamPage(page, STREAM);
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

    @Test
    void displayDecodesH264AndDrawsTheOverlayWhereTheServerPutIt() {
        open("/display?stream=" + STREAM + "&encoding=h264");
        waitFor("H.264 frames decoded", 20_000, () -> view.decoded() > 15);
        Map<String, Object> s = view.snapshot();
        assertThat(s.get("encoding")).isEqualTo("h264");
        assertThat((String) s.get("codec")).startsWith("avc1.42");
        assertThat(((Number) s.get("rgbaFrames")).longValue())
                .as("decoded frames reach the canvas as RGBA copies, not as VideoFrames converted on the page's thread")
                .isGreaterThan(0);
        long c1 = view.videoChecksum();
        waitFor("the picture to change", 5_000, () -> view.videoChecksum() != c1);

        waitFor("an overlay drawn", 10_000, () -> view.tipProbe() != null);
        Map<String, Object> probe = view.tipProbe();
        long overlayFrame = num(probe.get("overlayFrame"));
        NeedlePath path = server.source.path;
        float x = ((Number) probe.get("x")).floatValue();
        float y = ((Number) probe.get("y")).floatValue();
        assertThat(x).as("tip x sent = where the source drew it in frame %d", overlayFrame)
                .isCloseTo(path.tipX(overlayFrame), org.assertj.core.data.Offset.offset(0.1f));
        assertThat(y).isCloseTo(path.tipY(overlayFrame), org.assertj.core.data.Offset.offset(0.1f));
        @SuppressWarnings("unchecked")
        List<Number> rgba = (List<Number>) probe.get("rgba");
        assertThat(rgba.get(1).intValue()).as("tip marker (green) drawn at the tip: %s", rgba).isGreaterThan(200);
        assertThat(rgba.get(0).intValue()).isLessThan(150);
        assertThat(rgba.get(3).intValue()).isGreaterThan(200);
        assertThat(probe.get("origin")).isEqualTo("GROUND_TRUTH");
        // and the decoded picture has the needle where the source drew it in the frame on screen
        long[] tip = needleTipOnScreen();
        assertThat(tip[1]).as("needle tip bright in frame %d", tip[0]).isGreaterThan(180);
        screenshot(page, "display-h264-overlay");
        assertThat(view.visible(".badge.origin")).as("ground-truth stand-in is labelled").isTrue();
    }

    /**
     * Glass-to-glass and every stage in the latency panel rest on the page's estimate of the server's clock. Here
     * both run on one machine's clock, so the live page's offset is zero within its error bound (half the round trip,
     * and a millisecond for the server's clock anchor). With replies made up for a server 500 ms ahead: that offset,
     * the sample with the shortest round trip winning over a later, slower one (600 ms ahead, 50 ms round trip), and a
     * probe that is never answered forgotten once 16 newer ones wait (a display reconnecting all night).
     */
    @Test
    void thePagesClockAgreesWithTheServersAndForgetsUnansweredProbes() {
        open("/display?stream=" + STREAM + "&encoding=jpeg");
        // the five probes sent on opening answered (the best of them is the estimate)
        waitFor("the clock synced", 20_000, () -> Boolean.TRUE.equals(page.evaluate(
                "() => !!window.intravis && !!window.intravis.views['" + STREAM + "'] && window.intravis.views['"
                        + STREAM + "'].client.clock.samples.length >= 5")));
        Map<String, Object> s = view.snapshot();
        double offset = ((Number) s.get("clockOffsetMs")).doubleValue();
        double rtt = ((Number) s.get("clockRttMs")).doubleValue();
        assertThat(rtt).isBetween(0.0, 250.0);
        assertThat(Math.abs(offset)).as("offset %s ms, round trip %s ms", offset, rtt).isLessThanOrEqualTo(rtt / 2 + 1.5);

        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) page.evaluate("async () => {"
                + " const { ClockSync, nowMs } = await import('/js/clock.js');"
                + " const sent = []; const clock = new ClockSync((m) => sent.push(m));"
                + " const reply = (m, aheadMs, sentAt) => clock.onReply({ type: 'clock', id: m.id, t0: m.t0,"
                + "   t1: (sentAt + aheadMs) * 1000, t2: (sentAt + aheadMs) * 1000 });"
                + " clock.probe(); reply(sent[0], 500, sent[0].t0);"
                + " const fast = clock.offsetMs; const fastRtt = clock.rttMs;"
                + " clock.probe(); await new Promise((ok) => setTimeout(ok, 50));"
                + " reply(sent[1], 600, (sent[1].t0 + nowMs()) / 2);"
                + " const afterSlow = clock.offsetMs; const afterSlowRtt = clock.rttMs;"
                + " for (let i = 0; i < 100; i++) clock.probe();"
                + " const pending = clock.pending.size;"
                + " reply(sent[2], 0, sent[2].t0);"
                + " const afterForgotten = clock.samples.length;"
                + " const newest = sent[sent.length - 1]; reply(newest, 0, newest.t0);"
                + " return { fast, fastRtt, afterSlow, afterSlowRtt, pending, afterForgotten,"
                + "   afterNewest: clock.samples.length }; }");
        // the first reply comes within the page's own task, so its round trip is the time between probe and reply
        // there (0.1 ms, or a few on a loaded machine): the offset is 500 within half of it, the clock's error bound
        double fast = ((Number) r.get("fast")).doubleValue();
        double fastRtt = ((Number) r.get("fastRtt")).doubleValue();
        assertThat(fastRtt).as("%s", r).isBetween(0.0, 25.0);
        assertThat(fast).as("%s", r).isCloseTo(500.0 - fastRtt / 2, org.assertj.core.data.Offset.offset(0.01));
        assertThat(((Number) r.get("afterSlow")).doubleValue()).as("the shorter round trip's offset stays: %s", r)
                .isEqualTo(fast);
        assertThat(((Number) r.get("afterSlowRtt")).doubleValue()).as("and its round trip: %s", r).isEqualTo(fastRtt);
        assertThat(((Number) r.get("pending")).intValue()).as("probes awaiting a reply").isEqualTo(16);
        assertThat(((Number) r.get("afterForgotten")).intValue()).as("a forgotten probe's late reply is not a sample")
                .isEqualTo(2);
        assertThat(((Number) r.get("afterNewest")).intValue()).as("the newest probe's reply is").isEqualTo(3);
    }

    /**
     * The latency panel's "send + network" stage is measured on the synced clock, whose estimate is off by up to half
     * a round trip: on one machine under load it read -1.1 ms at p50. A stage takes no negative time, so a sample
     * below zero counts as zero. A client whose clock estimate is 5 ms behind shows a frame that arrived the moment it
     * was encoded: the stage reads 0, not -5; one that spent 7 ms on its way reads about 2 (7 less the 5 ms error).
     */
    @Test
    void aStageNeverReadsBelowZero() {
        open("/display?stream=" + STREAM + "&encoding=jpeg");
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) page.evaluate("async () => {"
                + " const { StreamClient } = await import('/js/stream-client.js');"
                + " const { nowMs } = await import('/js/clock.js');"
                + " const c = new StreamClient({ stream: 'x', onFrame: () => {} });"
                + " c.clock.synced = true; c.clock.offsetMs = -5;"
                + " const show = (onTheWayMs) => { const t = performance.now(); const serverUs = nowMs() * 1000;"
                + "   c.show({ close() {} }, { captureUs: serverUs - 20000, encodedUs: serverUs - onTheWayMs * 1000,"
                + "     arrivedAt: t, decodedAt: t }); };"
                + " show(0); const atOnce = c.stageFigures().network.p50;"
                + " for (let i = 0; i < 9; i++) show(7);"
                + " return { atOnce, slower: c.stageFigures().network.p50 }; }");
        assertThat(((Number) r.get("atOnce")).doubleValue()).as("%s", r).isEqualTo(0.0);
        assertThat(((Number) r.get("slower")).doubleValue()).as("%s", r).isBetween(1.0, 3.5);
    }

    /**
     * The picture's greys on the display are the source's, in both encodings: a range mix-up between server and page
     * (video range shown as full or the reverse) moves the dark greys of ultrasound by 10-15 levels. Per horizontal
     * band of the frame on screen, the canvas's mean against the source's for that frame.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h264", "jpeg"})
    void theDisplayShowsTheSourcesGreys(String encoding) {
        open("/display?stream=" + STREAM + "&encoding=" + encoding);
        waitFor("frames decoded", 20_000, () -> view.decoded() > 15);
        @SuppressWarnings("unchecked")
        List<Number> r = (List<Number>) page.evaluate("(id) => { const v = window.intravis.views[id];"
                + " const f = v.header.frameId; const c = v.video;"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + " const out = [f, c.width, c.height]; const band = Math.floor(c.height / 4);"
                + " for (let b = 0; b < 4; b++) { let s = 0;"
                + "   for (let y = b * band; y < (b + 1) * band; y++) for (let x = 0; x < c.width; x++) s += d[(y * c.width + x) * 4];"
                + "   out.push(s / (band * c.width)); }"
                + " return out; }", STREAM);
        long frame = r.get(0).longValue();
        assertThat(r.get(1).intValue()).isEqualTo(640);
        assertThat(r.get(2).intValue()).isEqualTo(360);
        byte[] source = server.source.picture(frame);
        int band = 360 / 4;
        for (int b = 0; b < 4; b++) {
            double sum = 0;
            for (int i = b * band * 640; i < (b + 1) * band * 640; i++) {
                sum += source[i] & 0xff;
            }
            assertThat(r.get(3 + b).doubleValue()).as("%s: mean grey of band %d in frame %d", encoding, b, frame)
                    .isCloseTo(sum / (band * 640), org.assertj.core.data.Offset.offset(3.0));
        }
    }

    @Test
    void jpegFallbackDecodesOnTheDisplay() {
        open("/display?stream=" + STREAM + "&encoding=jpeg");
        waitFor("JPEG frames decoded", 20_000, () -> view.decoded() > 15);
        assertThat(view.snapshot().get("encoding")).isEqualTo("jpeg");
        assertThat(((Number) view.snapshot().get("rgbaFrames")).longValue())
                .as("JPEG frames reach the canvas as RGBA copies through ImageDecoder").isGreaterThan(0);
        long c1 = view.videoChecksum();
        waitFor("the picture to change", 5_000, () -> view.videoChecksum() != c1);
        waitFor("an overlay drawn", 10_000, () -> view.tipProbe() != null);
        long[] tip = needleTipOnScreen();
        assertThat(tip[1]).as("needle tip bright in frame %d", tip[0]).isGreaterThan(180);
        screenshot(page, "display-jpeg");
    }

    /**
     * A browser whose VideoFrame cannot copy to RGBA and that has no ImageDecoder (older ones) still shows both
     * encodings, the old way: the page falls back by itself, with a warning, not an error.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h264", "jpeg"})
    void withoutTheRgbaCopyTheFramesAreDrawnAsTheyAre(String encoding) {
        page = chromium.page(1280, 800);
        page.addInitScript("delete window.ImageDecoder; VideoFrame.prototype.copyTo = function () {"
                + " return Promise.reject(new TypeError('copyTo is not supported here')); };");
        page.navigate(server.url("/display?stream=" + STREAM + "&encoding=" + encoding));
        view = new StreamPage(page, STREAM);
        waitFor(encoding + " frames decoded", 20_000, () -> view.decoded() > 15);
        assertThat(view.snapshot().get("encoding")).isEqualTo(encoding);
        assertThat(((Number) view.snapshot().get("rgbaFrames")).longValue()).isZero();
        long c1 = view.videoChecksum();
        waitFor("the picture to change", 5_000, () -> view.videoChecksum() != c1);
        long[] tip = needleTipOnScreen();
        assertThat(tip[1]).as("needle tip bright in frame %d", tip[0]).isGreaterThan(180);
    }

    @Test
    void burnedInVariantShowsTheOverlayInThePicture() {
        open("/display?stream=" + STREAM + "&variant=burned&encoding=jpeg");
        waitFor("burned-in frames", 20_000, () -> view.decoded() > 10);
        @SuppressWarnings("unchecked")
        Map<String, Object> h = (Map<String, Object>) view.snapshot().get("header");
        assertThat(h.get("burned")).isEqualTo(true);
        assertThat(((Number) view.snapshot().get("rgbaFrames")).longValue()).as("through the RGBA copy: its colours checked below")
                .isGreaterThan(0);
        waitFor("a fresh overlay burned in", 10_000, () -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> hh = (Map<String, Object>) view.snapshot().get("header");
            return Boolean.TRUE.equals(hh.get("overlayFresh"));
        });
        // the fixture's vessel outline (red) is in the picture itself
        float vx = server.width * 0.78f + server.width * 0.08f;
        float vy = server.height * 0.30f;
        @SuppressWarnings("unchecked")
        List<Number> px = (List<Number>) page.evaluate("([x, y]) => { const c = window.intravis.views['" + STREAM + "'].video;"
                + " const d = c.getContext('2d').getImageData(Math.round(x) - 2, Math.round(y) - 2, 5, 5).data;"
                + " let best = [0,0,0]; for (let i = 0; i < d.length; i += 4) if (d[i] - d[i+1] > best[0] - best[1]) best = [d[i], d[i+1], d[i+2]];"
                + " return best; }", List.of((double) vx, (double) vy));
        assertThat(px.get(0).intValue() - px.get(1).intValue()).as("red vessel outline burned in: %s", px).isGreaterThan(80);
        assertThat(view.drawnOverlay()).as("the page draws nothing over a burned-in picture").isNull();
        screenshot(page, "display-burned");
    }
}
