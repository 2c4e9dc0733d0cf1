package org.intravis.ui;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intravis.ui.HeadlessChromium.screenshot;
import static org.intravis.ui.HeadlessChromium.waitFor;

/**
 * The surgeon's page replaying a recorded session in a real browser (Debian's Chromium, headless) against the real
 * application: the timeline shows the recorded alerts, pause and step change the frame on screen, the annotation
 * source switches between the recorded ground-truth overlay and a fresh inference by an ONNX model, and the record
 * button records the stream. The OR display shows the replayed stream with its recorded overlay.
 */
class ReplayPageBrowserTest {
    static final String STREAM = "r1";
    @RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();
    static Application app;
    static Path session;

    @TempDir
    static Path dir;

    static org.intravis.capture.RecordedFrames frames;

    @BeforeAll
    static void start() throws Exception {
        session = RecordReplayTest.record(dir, 4.0);
        frames = org.intravis.capture.RecordedFrames.load(session);
        IntravisConfig c = new IntravisConfig();
        c.server.port = 0;
        c.server.host = "127.0.0.1";
        c.dataDir = dir.resolve("app").toString();
        c.streams.get(0).id = STREAM;
        c.streams.get(0).source = "recording:" + session + "?loop=true";
        c.streams.get(0).model = ExportAnalyzeTest.MODEL; // the fresh inference to compare with
        c.inference.maxBatch = 2;
        app = Application.start(ModuleSettings.validate(c));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    Page page;

    @SuppressWarnings("unchecked")
    Map<String, Object> snap() {
        return (Map<String, Object>) page.evaluate("() => window.intravis && window.intravis.snapshot('" + STREAM + "')");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> replay() {
        return (Map<String, Object>) page.evaluate("() => window.intravis.session.replay");
    }

    long position() {
        Map<String, Object> r = replay();
        return r == null ? -1 : ((Number) r.get("position")).longValue();
    }

    long decoded() {
        Map<String, Object> s = snap();
        return s == null ? 0 : ((Number) s.get("decoded")).longValue();
    }

    long videoChecksum() {
        return ((Number) page.evaluate("() => { const c = window.intravis.views['" + STREAM + "'].video;"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + " let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i] * (i % 977); return s; }")).longValue();
    }

    /** The origin and model name of the overlay drawn with the frame on screen ("" when none is drawn). */
    String drawnOverlay() {
        return String.valueOf(page.evaluate("() => { const o = window.intravis.views['" + STREAM + "'].drawnOverlay;"
                + " return o ? o.origin + '|' + o.model.name : ''; }"));
    }

    @Test
    void replayViewPausesStepsSwitchesAnnotationsAndRecords() {
        page = chromium.page(1280, 800);
        page.navigate("http://127.0.0.1:" + app.port() + "/?stream=" + STREAM + "&encoding=jpeg");
        waitFor("frames decoded", 30_000, () -> decoded() > 5);
        waitFor("the replay view", 10_000, () -> page.locator("#replay").isVisible());

        // the timeline marks the recorded alerts (the needle entered the recorded no-go zone)
        waitFor("alert marks on the timeline", 5_000, () -> page.locator("#timeline .mark").count() > 0);
        assertThat(page.locator("#timeline .mark.level-critical").count()
                + page.locator("#timeline .mark.level-warning").count()).isPositive();

        // a click on the timeline seeks there
        page.click("#rp-pause");
        waitFor("paused", 5_000, () -> "paused".equals(replay().get("state")));
        com.microsoft.playwright.options.BoundingBox box = page.locator("#timeline").boundingBox();
        page.mouse().click(box.x + box.width * 0.25, box.y + box.height / 2);
        long quarter = frames.positionAt(frames.durationUs() / 4);
        waitFor("seeked to a quarter", 5_000, () -> Math.abs(position() - quarter) <= 2);

        // pause on a frame the surgeon saw with a fresh overlay (and the next one too), then step
        int target = -1;
        for (int p = frames.count() - 3; p > 0 && target < 0; p--) {
            if (frames.shown(p) && frames.overlayFresh(p) && frames.shown(p + 1) && frames.overlayFresh(p + 1)
                    && frames.alertLevel(p) > 0) {
                target = p;
            }
        }
        assertThat(target).as("a recorded frame shown with a fresh overlay and an alert").isPositive();
        app.engine().stream(STREAM).orElseThrow().replay().source().seekPosition(target);
        long paused = target;
        waitFor("at the chosen frame", 5_000, () -> position() == paused);
        // while paused the frame on screen is sent again (5 a second): after two such frames the paused one is
        // on screen, and three more later it is still the same picture at the same position (counts, not time)
        long atTarget = decoded();
        waitFor("the paused frame sent again twice", 10_000, () -> decoded() >= atTarget + 2);
        long before = videoChecksum();
        long decodedBefore = decoded();
        waitFor("the paused frame sent again three more times", 10_000, () -> decoded() >= decodedBefore + 3);
        assertThat(position()).as("paused: the position stays").isEqualTo(paused);
        assertThat(videoChecksum()).as("paused: the picture stays").isEqualTo(before);
        page.click("#rp-step");
        waitFor("one frame on", 5_000, () -> position() == paused + 1);
        waitFor("the stepped frame drawn", 5_000, () -> videoChecksum() != before);
        screenshot(page, "replay-paused-step");

        // recorded annotations: the ground-truth overlay as recorded; then a fresh inference by the model
        assertThat(replay().get("annotations")).isEqualTo("recorded");
        waitFor("the recorded overlay drawn", 10_000, () -> drawnOverlay().startsWith("GROUND_TRUTH|"));
        // the alert banner says what the recorded overlay says
        waitFor("the recorded alert on the banner", 5_000, () -> page.locator(".banner").textContent()
                .startsWith(new String[]{"", "CAUTION", "WARNING", "CRITICAL"}[frames.alertLevel((int) paused + 1)]));
        page.selectOption("#rp-source", "model");
        waitFor("annotations from the model", 5_000, () -> "model".equals(replay().get("annotations")));
        waitFor("the model's overlay drawn", 30_000, () -> drawnOverlay().startsWith("MODEL|")
                && drawnOverlay().contains("standin"));
        screenshot(page, "replay-fresh-inference");
        page.selectOption("#rp-source", "recorded");
        waitFor("the recorded overlay again", 10_000, () -> drawnOverlay().startsWith("GROUND_TRUTH|"));

        // play on at double speed
        page.selectOption("#rp-speed", "2");
        page.click("#rp-play");
        waitFor("playing", 5_000, () -> "playing".equals(replay().get("state"))
                && ((Number) replay().get("speed")).doubleValue() == 2.0);
        long p0 = position();
        waitFor("moving on", 5_000, () -> position() != p0);

        // the record button records the focused stream
        page.click("#rec-toggle");
        waitFor("recording", 10_000, () -> page.locator("#rec-status").textContent().startsWith("recording"));
        waitFor("some frames written", 20_000, () -> framesWritten(page.locator("#rec-status").textContent()) >= 10);
        page.click("#rec-toggle");
        waitFor("stopped with a segment", 10_000, () -> page.locator("#rec-status").textContent().startsWith("idle")
                && page.locator("#rec-status").textContent().contains("1 segment"));
        screenshot(page, "replay-recorded");

        // the trainer keeps the replayed case from recording retention, and lets it go again
        page.check("#rp-keep");
        waitFor("kept", 10_000, () -> Boolean.TRUE.equals(replay().get("kept"))
                && java.nio.file.Files.exists(session.resolve(KeptCase.FILE)));
        page.uncheck("#rp-keep");
        waitFor("released", 10_000, () -> Boolean.FALSE.equals(replay().get("kept"))
                && !java.nio.file.Files.exists(session.resolve(KeptCase.FILE)));

        // every control the page sent is in the audit trail (an open server: the user is "local")
        org.awaitility.Awaitility.await("the controls in the audit trail").atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> {
                    com.fasterxml.jackson.databind.JsonNode audit = new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(TestApps.call(app, "GET", "/api/audit?limit=1000", null).body());
                    java.util.List<String> actions = new java.util.ArrayList<>();
                    audit.get("entries").forEach(e -> {
                        assertThat(e.get("user").asText()).isEqualTo("local");
                        actions.add(e.get("action").asText());
                    });
                    assertThat(actions).contains("replay.pause", "replay.step", "replay.annotations", "replay.speed",
                            "replay.play", "recording.start", "recording.stop", "replay.keep");
                });
    }

    @Test
    void aTrainerMarksTheNeedleOnPausedFrames() throws Exception {
        page = chromium.page(1280, 800);
        page.navigate("http://127.0.0.1:" + app.port() + "/?stream=" + STREAM + "&encoding=jpeg");
        waitFor("frames decoded", 30_000, () -> decoded() > 5);
        waitFor("the replay view", 10_000, () -> page.locator("#replay").isVisible());
        Replay r = app.engine().stream(STREAM).orElseThrow().replay();
        int q = frames.count() / 3;
        r.source().pause();
        r.source().seekPosition(q);
        waitFor("at the chosen frame", 5_000, () -> position() == q);
        long atQ = decoded();
        waitFor("the paused frame on screen", 10_000, () -> decoded() >= atQ + 2);

        page.click("#nm-mark");
        waitFor("marking", 5_000, () -> page.locator("#nm-mark").textContent().equals("done marking"));
        clickFrame(200, 150); // the tip
        waitFor("asked for the far end", 5_000, () -> page.locator("#nm-status").textContent().contains("far end"));
        clickFrame(40, 30);   // the far end of the shaft
        waitFor("one frame marked", 10_000, () -> marks().path("frames").asInt() == 1);
        com.fasterxml.jackson.databind.JsonNode m = marks().path("marks").get(0);
        assertThat(m.path("position").asInt()).isEqualTo(q);
        // where the clicks landed on the frame, through the canvas's scaling on this page, in the labels' pixel-centre
        // convention (within a quarter pixel: a half-pixel slip in the convention fails; the page rounds to a tenth)
        assertThat(m.path("tip").get(0).asDouble()).isCloseTo(200, org.assertj.core.data.Offset.offset(0.25));
        assertThat(m.path("tip").get(1).asDouble()).isCloseTo(150, org.assertj.core.data.Offset.offset(0.25));
        assertThat(m.path("end").get(0).asDouble()).isCloseTo(40, org.assertj.core.data.Offset.offset(0.25));
        assertThat(m.path("end").get(1).asDouble()).isCloseTo(30, org.assertj.core.data.Offset.offset(0.25));
        waitFor("the page counts it", 5_000, () -> page.locator("#nm-status").textContent()
                .contains("1 frame(s) marked, 1 with a needle"));
        screenshot(page, "replay-needle-marked");

        // one frame on with the arrow key and at once needle-free with N, as a trainer's hand goes: the mark waits for
        // the new picture (the server refuses while the picture on screen is the frame before: a 409 the page answers
        // by trying again) and lands on the frame shown after the step, not the one before; then it is taken back
        chromium.allow("HTTP 409: POST .*/replay/needle-marks|status of 409",
                "N pressed before the stepped frame is drawn: refused, and sent again once it is");
        page.keyboard().press("ArrowRight");
        page.keyboard().press("n");
        waitFor("a needle-free frame marked", 10_000, () -> marks().path("frames").asInt() == 2
                && marks().path("withNeedle").asInt() == 1);
        com.fasterxml.jackson.databind.JsonNode none = marks().path("marks").get(1);
        assertThat(none.path("needle").asBoolean()).isFalse();
        assertThat(none.path("position").asInt()).as("the frame after the step").isEqualTo(q + 1);
        waitFor("one frame on", 5_000, () -> position() == q + 1);
        page.click("#nm-remove");
        waitFor("its mark removed", 10_000, () -> marks().path("frames").asInt() == 1);
        page.keyboard().press("ArrowLeft");
        waitFor("one frame back", 5_000, () -> position() == q);
        waitFor("the first frame's mark shown as marked", 5_000, () -> page.locator("#nm-status").textContent()
                .contains("this frame: needle marked"));

        // done: the zone editor has its canvas back
        page.click("#nm-mark");
        waitFor("marking ended", 5_000, () -> page.locator("#nm-mark").textContent().equals("mark needle"));
        assertThat(page.evaluate("() => window.intravis.views['" + STREAM + "'].editor === window.intravis.editor('"
                + STREAM + "')")).isEqualTo(true);
    }

    /** Clicks the centre of frame pixel (x, y), as the page scales it (object-fit: contain). */
    void clickFrame(double x, double y) {
        @SuppressWarnings("unchecked")
        java.util.List<Number> at = (java.util.List<Number>) page.evaluate("([x, y]) => {"
                + " const c = window.intravis.views['" + STREAM + "'].editorCanvas; const r = c.getBoundingClientRect();"
                + " const s = Math.min(r.width / c.width, r.height / c.height);"
                + " return [r.left + (r.width - c.width * s) / 2 + (x + 0.5) * s,"
                + " r.top + (r.height - c.height * s) / 2 + (y + 0.5) * s]; }",
                java.util.List.of(x, y));
        page.mouse().click(at.get(0).doubleValue(), at.get(1).doubleValue());
    }

    com.fasterxml.jackson.databind.JsonNode marks() {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(TestApps.call(app, "GET",
                    "/api/streams/" + STREAM + "/replay/needle-marks", null).body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The frames written, from the page's recording status ("recording · DIR · N frames · ..."), or -1. */
    static long framesWritten(String status) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" (\\d+) frames").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void theDisplayShowsTheReplayedStreamWithItsRecordedOverlay() {
        page = chromium.page(1280, 720);
        page.navigate("http://127.0.0.1:" + app.port() + "/display?stream=" + STREAM + "&encoding=jpeg");
        StreamPage view = new StreamPage(page, STREAM);
        app.engine().stream(STREAM).orElseThrow().replay().source().play();
        waitFor("frames of the replay decoded", 30_000, () -> view.decoded() > 10);
        waitFor("the recorded overlay drawn", 20_000, () -> drawnOverlay().startsWith("GROUND_TRUTH|"));
        assertThat(view.visible(".badge.origin")).as("the recorded ground truth is labelled as such").isTrue();
        assertThat(view.stateText()).isEmpty();
        screenshot(page, "replay-display");
    }
}
