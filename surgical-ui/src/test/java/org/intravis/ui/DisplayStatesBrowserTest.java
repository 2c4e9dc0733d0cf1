package org.intravis.ui;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intravis.ui.HeadlessChromium.screenshot;
import static org.intravis.ui.HeadlessChromium.waitFor;

/**
 * What the OR display says when something is wrong, against the real application: NO SIGNAL while a live source is
 * down (Debian's ffmpeg sends the stream over UDP and is stopped: a frozen last frame must never pass for live
 * video), the picture back when it sends again; AI FAILED while the model fails, the picture going on; and AI
 * REDUCED while the model runs its cheaper graph under more load than the machine carries.
 */
class DisplayStatesBrowserTest {
    static final String STREAM = "cam1";

    @RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();

    @TempDir
    Path data;
    Application app;
    Process sender;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        stopSender();
    }

    private void stopSender() throws InterruptedException {
        if (sender != null) {
            sender.destroy();
            if (!sender.waitFor(5, TimeUnit.SECONDS)) {
                sender.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            sender = null;
        }
    }

    /** Starts Debian's ffmpeg sending a test pattern as MPEG-TS over UDP to {@code port}. */
    private void startSender(int port) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-c:v", "mpeg2video", "-g", "5", "-b:v", "1M",
                "-f", "mpegts", "udp://127.0.0.1:" + port + "?pkt_size=1316"));
        sender = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * A source that plays to its end (a file, an image folder, a sequence; here the phantom limited to 150 frames, 10 s) is
     * said to have ended, not shown as a lost signal in red: the trainer playing a case is not told the scanner is
     * gone. The last picture stays, dimmed.
     */
    @Test
    void aSourceThatPlayedToItsEndIsSaidToHaveEndedNotToHaveLostItsSignal() {
        app = Application.start(ModuleSettings.validate(TestApps.config(data, STREAM,
                "synthetic:ultrasound?width=320&height=240&fps=15&frames=150", "none")));
        Page page = chromium.page(960, 540);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM + "&encoding=jpeg"));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("video", 20_000, () -> view.decoded() > 5);
        waitFor("ENDED on the display", 20_000, () -> "ENDED".equals(view.stateText()));
        assertThat(view.visible(".state")).isTrue();
        assertThat(view.visible(".state.no-signal")).as("not the red NO SIGNAL").isFalse();
        screenshot(page, "display-ended");
    }

    @Test
    void noSignalWhileTheLiveSourceIsDownAndThePictureBackWhenItReturns() throws Exception {
        int port = freeUdpPort();
        startSender(port);
        try (DatagramSocket probe = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
            probe.setSoTimeout(30_000); // the sender is up once its packets arrive
            probe.receive(new DatagramPacket(new byte[2048], 2048));
        }
        app = Application.start(ModuleSettings.validate(TestApps.config(data, STREAM, "udp://127.0.0.1:" + port
                + "?timeoutMs=1500&reconnectInitialMs=100&reconnectMaxMs=400", "none")));
        Page page = chromium.page(960, 540);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM + "&encoding=jpeg"));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("live video", 30_000, () -> view.decoded() > 10 && view.stateText().isEmpty());
        assertThat(view.visible(".state")).isFalse();

        stopSender();
        waitFor("NO SIGNAL on the display", 20_000, () -> "NO SIGNAL".equals(view.stateText()));
        assertThat(view.visible(".state.no-signal")).as("the badge is on screen").isTrue();
        waitFor("the server says the source is down", 20_000, () -> {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> st = (java.util.Map<String, Object>) view.snapshot().get("serverStats");
            return st != null && Boolean.FALSE.equals(st.get("signal"));
        });
        long frozen = view.decoded();
        screenshot(page, "display-no-signal");

        // an alert still on screen while the picture is gone says first that it is the last known one, and its
        // words all show on this 960 px display (the longest kind, with two more behind it): the page's own alert
        // state is given three alert events as the server sends them (this stream has no model to raise them)
        page.evaluate("(id) => { const v = window.intravis.views[id];"
                + " for (const [i, level] of [[1, 'caution'], [2, 'warning'], [3, 'critical']])"
                + "  v.alerts.onEvent({seq: i, id: i, event: 'raise', level, kind: 'trajectory', zoneClass: 'nogo',"
                + "   zone: 1, mm: 12.3, px: 203});"
                + " v.renderBanner(); }", STREAM);
        assertThat(view.bannerShown()).contains("stale")
                .endsWith("|LAST KNOWN (no live picture): CRITICAL: trajectory enters NO-GO ZONE (12.3 mm)  (+2)");
        assertThat(view.bannerWordsFit()).as("no word of the alert cut off").isTrue();
        assertThat(page.evaluate("(id) => { const g = window.intravis.views[id].badge;"
                + " return g.textContent + '|' + (g.offsetWidth > 0 && g.scrollWidth <= g.clientWidth); }", STREAM))
                .as("the AI's badge beside it keeps its words").isEqualTo("AI OFF|true");
        assertThat(view.bannerClearOfPicture()).isTrue();
        screenshot(page, "display-no-signal-last-known-alert");
        page.setViewportSize(640, 360); // a smaller display, or a tile that narrows: fitted again
        waitFor("the alert's words fitted to the narrower strip", 5_000, view::bannerWordsFit);
        // while the alert shows its distance changes with every overlay, in words of the same length: the fit (a
        // forced layout, a size written) is not done again for each
        Object restyled = page.evaluate("(id) => { const v = window.intravis.views[id]; let n = 0;"
                + " const o = new MutationObserver((m) => { n += m.length; });"
                + " o.observe(v.banner, {attributes: true, attributeFilter: ['style']});"
                + " for (let i = 0; i < 10; i++) { v.alerts.onEvent({seq: 4 + i, id: 3, event: 'raise',"
                + "  level: 'critical', kind: 'trajectory', zoneClass: 'nogo', zone: 1, mm: 12.4 + i / 10, px: 203});"
                + "  v.renderBanner(); }"
                + " return new Promise((done) => setTimeout(() => { o.disconnect(); done(v.banner.style.fontSize"
                + "  + '|' + n + '|' + v.banner.textContent); }, 100)); }", STREAM);
        assertThat((String) restyled).as("the banner's size, the writes to it over ten distances, its words")
                .matches("\\d+(\\.\\d+)?px\\|0\\|.*\\(13\\.3 mm\\)  \\(\\+2\\)");
        page.setViewportSize(960, 540);
        page.evaluate("(id) => { const v = window.intravis.views[id]; for (const i of [1, 2, 3])"
                + " v.alerts.onEvent({seq: 13 + i, id: i, event: 'clear'}); v.renderBanner(); }", STREAM);
        assertThat(view.bannerShown()).isEmpty();

        startSender(port);
        waitFor("the picture back and NO SIGNAL gone", 30_000,
                () -> view.decoded() > frozen + 10 && view.stateText().isEmpty());
        assertThat(view.visible(".state")).isFalse();
        screenshot(page, "display-signal-back");
    }

    @Test
    void aiFailedWhileTheModelFailsAndThePictureGoesOn() throws Exception {
        Path broken = data.resolve("broken.onnx");
        Files.writeString(broken, "this is not an ONNX model");
        app = Application.start(ModuleSettings.validate(TestApps.config(data, STREAM,
                "synthetic:ultrasound?width=640&height=360&fps=30", broken.toString())));
        Page page = chromium.page(960, 540);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM + "&encoding=jpeg"));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("AI FAILED on the display", 30_000, () -> "AI FAILED".equals(view.ai()));
        assertThat(page.locator(".badge.ai.failed").textContent()).isEqualTo("AI FAILED");
        assertThat(view.badgesClearOfPicture()).as("the badge is above the picture, not over it").isTrue();
        assertThat(view.drawnOverlay()).as("nothing drawn as if it were current").isNull();
        long decoded = view.decoded();
        waitFor("the picture going on", 10_000, () -> view.decoded() > decoded + 10 && view.stateText().isEmpty());
        assertThat(view.ai()).isEqualTo("AI FAILED");
        screenshot(page, "display-ai-failed");
    }

    /** Two 60 frames/s phantoms are more than the model can take here: it steps down, and the display says so. */
    @Test
    void aiReducedWhileTheModelRunsItsCheaperGraphUnderLoad() throws Exception {
        IntravisConfig c = TestApps.config(data, STREAM, "synthetic:ultrasound?width=640&height=360&fps=60", "ultrasound");
        IntravisConfig.Stream other = new IntravisConfig.Stream();
        other.id = "load";
        other.source = "synthetic:ultrasound?width=640&height=360&fps=60&seed=2";
        other.model = "ultrasound";
        c.streams.add(other);
        c.pipeline.staleAfterMs = 5000; // the overlays count as fresh, so the badge shows the graph, not their age
        c.inference.yieldToVideo = false; // the graph's step-down alone (pacing has its own test below)
        app = Application.start(ModuleSettings.validate(c));
        Page page = chromium.page(960, 540);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM + "&encoding=jpeg"));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("AI REDUCED on the display", 90_000, () -> "AI REDUCED (single-pass)".equals(view.ai()));
        assertThat(page.locator(".badge.ai.reduced").textContent()).isEqualTo("AI REDUCED (single-pass)");
        assertThat(view.badgesClearOfPicture()).as("the badge is above the picture, not over it").isTrue();
        assertThat(view.drawnOverlay()).as("the overlay is drawn as usual").isNotNull();
        screenshot(page, "display-ai-reduced");
    }

    /**
     * A model paced to leave the CPU to the picture (the application's AiPacer does this on a saturated CPU; here it
     * is set directly, so the test does not depend on how busy this machine is) takes a share of the frames: every
     * overlay says so and the display shows it; paced back, the badge goes.
     */
    @Test
    void aiReducedWhileTheModelIsPacedAndGoneWhenItTakesEveryFrameAgain() throws Exception {
        IntravisConfig c = TestApps.config(data, STREAM, "synthetic:ultrasound?width=640&height=360&fps=30", "ultrasound");
        c.pipeline.staleAfterMs = 5000;
        c.inference.yieldToVideo = false; // no pacer of its own to undo the step set below
        app = Application.start(ModuleSettings.validate(c));
        Page page = chromium.page(960, 540);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM + "&encoding=jpeg"));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("an overlay drawn", 60_000, () -> view.drawnOverlay() != null);
        app.engine().inference().orElseThrow().pace(2);
        waitFor("AI REDUCED (1 of 2 frames) on the display", 30_000,
                () -> view.ai().startsWith("AI REDUCED (") && view.ai().endsWith("1 of 2 frames)"));
        assertThat(page.locator(".badge.ai.reduced").isVisible()).isTrue();
        assertThat(view.drawnOverlay()).as("the overlay is drawn as usual").isNotNull();
        assertThat(((java.util.Map<?, ?>) view.drawnOverlay().get("model")).get("pace"))
                .as("the overlay message says the share").isEqualTo("1 of 2 frames");
        screenshot(page, "display-ai-paced");
        // on the surgeon's page (its tile narrower than the window whose width sets the font) with a long alert
        // beside it, the badge keeps its words too: the alert shrinks to make room for them
        Page surgeonPage = chromium.page(1280, 800);
        surgeonPage.navigate(TestApps.url(app, "/?stream=" + STREAM + "&encoding=jpeg"));
        StreamPage surgeon = new StreamPage(surgeonPage, STREAM);
        waitFor("AI REDUCED (1 of 2 frames) on the surgeon's page", 30_000,
                () -> surgeon.ai().endsWith("1 of 2 frames)"));
        surgeonPage.evaluate("(id) => { const v = window.intravis.views[id];"
                + " for (const [i, level] of [[1, 'caution'], [2, 'warning'], [3, 'critical']])"
                + "  v.alerts.onEvent({seq: i, id: 100 + i, event: 'raise', level, kind: 'trajectory',"
                + "   zoneClass: 'nogo', zone: 1, mm: 12.3, px: 203});"
                + " v.renderBanner(); }", STREAM);
        assertThat(surgeon.bannerShown()).contains("CRITICAL: trajectory enters NO-GO ZONE (12.3 mm)");
        assertThat(surgeon.bannerWordsFit()).as("no word of the alert cut off: %s", surgeon.stripLayout()).isTrue();
        assertThat(surgeon.aiBadgeWordsFit()).as("no word of '%s' cut off: %s", surgeon.ai(), surgeon.stripLayout())
                .isTrue();
        screenshot(surgeonPage, "surgeon-ai-paced-alert");
        app.engine().inference().orElseThrow().pace(0);
        waitFor("the pace gone from the badge", 30_000, () -> !view.ai().contains("of 2 frames"));
    }

    /**
     * Under load the server encodes fewer frames (the encoder governor's step, carried by every overlay as
     * {@code encoderStep}); the surgeon page's latency panel says how many. The step is set directly, with the
     * governor off, so the test does not depend on how busy this machine is.
     */
    @Test
    void theSurgeonPageSaysWhenTheServerEncodesFewerFrames() throws Exception {
        IntravisConfig c = TestApps.config(data, STREAM, "synthetic:ultrasound?width=640&height=360&fps=30",
                org.intravis.inference.StreamRegistration.GROUND_TRUTH);
        c.streaming.encoderStepDown = 0; // the governor never steps: only this test does
        app = Application.start(ModuleSettings.validate(c));
        Page page = chromium.page(1280, 800);
        page.navigate(TestApps.url(app, "/?stream=" + STREAM + "&encoding=jpeg"));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("an overlay drawn", 30_000, () -> view.drawnOverlay() != null);
        waitFor("the video row", 5_000, () -> page.locator("#lat-video").textContent().startsWith("jpeg"));
        assertThat(page.locator("#lat-video").textContent()).doesNotContain("frames");
        // the panel is rewritten four times a second; a row whose words stay the same is not touched (each write
        // costs the page a style and layout pass beside the video)
        Object writes = page.evaluate("() => new Promise((done) => { let n = 0;"
                + " const o = new MutationObserver((m) => { n += m.length; });"
                + " o.observe(document.getElementById('lat-video'),"
                + "  {childList: true, characterData: true, subtree: true});"
                + " setTimeout(() => { o.disconnect(); done(n); }, 1500); })");
        assertThat(((Number) writes).intValue()).as("writes to an unchanged row in 1.5 s").isZero();
        app.engine().hub().publisher(STREAM).orElseThrow().encoderStep(2);
        waitFor("'2 of 3 frames' in the latency panel", 10_000,
                () -> page.locator("#lat-video").textContent().endsWith(", 2 of 3 frames"));
        screenshot(page, "surgeon-video-thinned");
        app.engine().hub().publisher(STREAM).orElseThrow().encoderStep(0);
        waitFor("every frame again", 10_000, () -> !page.locator("#lat-video").textContent().contains("frames"));
    }
}
