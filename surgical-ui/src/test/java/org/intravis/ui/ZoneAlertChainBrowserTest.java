package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import org.intravis.capture.FrameSources;
import org.intravis.inference.StreamRegistration;
import org.intravis.inference.ZoneStore;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.GroundTruth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.intravis.ui.HeadlessChromium.screenshot;
import static org.intravis.ui.HeadlessChromium.waitFor;

/**
 * The zones-to-alert chain of the real application, end to end in Chromium: a no-go polygon drawn with the mouse
 * on the surgeon's page is stored through the real zones API ({@link ZoneRoutes}, {@link ZoneStore}, on disk), the
 * synthetic phantom's needle crosses it, the inference path's {@code RiskAssessor} raises the alert, and the alert
 * banner comes up on the surgeon's page and on the OR display, then goes when the needle withdraws; the zone comes
 * back after a reload and is deleted from the page. Run with the phantom's ground truth as the tip (deterministic)
 * and with the bundled ultrasound model's own tip.
 * <p>
 * The zone is the box around the phantom's vessels and nerve, widened by 6 mm: every cycle of the phantom aims its
 * needle at one of them (stopping 3 mm short, 1 mm short or 1 mm inside), so its tip enters the box each cycle, from
 * outside (checked on the phantom's ground truth before the test relies on it), whatever the cycle's direction.
 */
class ZoneAlertChainBrowserTest {
    static final String STREAM = "us1";
    static final String SOURCE = "synthetic:ultrasound?width=640&height=360&fps=30&seed=5";
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();

    @TempDir
    Path data;
    Application app;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    /** The zone: corners in frame pixels, and the frame's size. */
    record Box(double x0, double y0, double x1, double y1, int width, int height) {
        boolean contains(double x, double y) {
            return x > x0 && x < x1 && y > y0 && y < y1;
        }

        List<double[]> corners() {
            return List.of(new double[]{x0, y0}, new double[]{x1, y0}, new double[]{x1, y1}, new double[]{x0, y1});
        }
    }

    /**
     * The box around the phantom's vessels and nerve plus 6 mm, from its ground truth; and the check that, in its
     * first cycle, the needle tip appears outside the box and then enters it.
     */
    static Box zoneTheNeedleCrosses() throws Exception {
        FrameSource source = FrameSources.create(SOURCE + "&pace=fast");
        source.open();
        try {
            FrameSlot slot = new FrameSlot(0, source.geometry(), true);
            int w = source.geometry().maxWidth();
            int h = source.geometry().maxHeight();
            double margin = 6 / source.pixelSpacingMm();
            double x0 = w;
            double y0 = h;
            double x1 = 0;
            double y1 = 0;
            Boolean firstTipOutside = null;
            boolean entered = false;
            for (int f = 0; f < 14 * 30; f++) { // one cycle of the phantom at 30 fps
                assertThat(source.readInto(slot)).isEqualTo(FrameSource.Read.FRAME);
                GroundTruth gt = slot.groundTruth();
                if (f == 0) {
                    byte[] labels = gt.labels();
                    for (int y = 0; y < gt.height(); y++) {
                        for (int x = 0; x < gt.width(); x++) {
                            byte l = labels[y * gt.width() + x];
                            if (l == GroundTruth.LABEL_VESSEL || l == GroundTruth.LABEL_NERVE) {
                                x0 = Math.min(x0, x);
                                y0 = Math.min(y0, y);
                                x1 = Math.max(x1, x);
                                y1 = Math.max(y1, y);
                            }
                        }
                    }
                    x0 = Math.max(8, x0 - margin);
                    y0 = Math.max(8, y0 - margin);
                    x1 = Math.min(w - 8, x1 + margin);
                    y1 = Math.min(h - 8, y1 + margin);
                    assertThat(x1 - x0).as("a zone around the targets").isGreaterThan(20);
                }
                if (gt.instrumentVisible()) {
                    boolean in = x0 < gt.tipX() && gt.tipX() < x1 && y0 < gt.tipY() && gt.tipY() < y1;
                    if (firstTipOutside == null) {
                        firstTipOutside = !in;
                    }
                    entered |= in;
                }
            }
            Box box = new Box(x0, y0, x1, y1, w, h);
            assertThat(firstTipOutside).as("the needle appears outside the zone %s", box).isTrue();
            assertThat(entered).as("and its tip enters it in the cycle %s", box).isTrue();
            return box;
        } finally {
            source.close();
        }
    }

    @ParameterizedTest(name = "tip from {0}")
    @ValueSource(strings = {StreamRegistration.GROUND_TRUTH, "ultrasound"})
    void aZoneDrawnOnTheSurgeonPageRaisesTheBannerWhenTheNeedleEntersIt(String model) throws Exception {
        Box zone = zoneTheNeedleCrosses();
        app = Application.start(ModuleSettings.validate(TestApps.config(data, STREAM, SOURCE, model)));
        Page surgeonPage = chromium.page(1280, 800);
        surgeonPage.navigate(TestApps.url(app, "/?stream=" + STREAM + "&encoding=jpeg"));
        StreamPage surgeon = new StreamPage(surgeonPage, STREAM);
        Page displayPage = chromium.page(960, 540);
        displayPage.navigate(TestApps.url(app, "/display?stream=" + STREAM + "&encoding=jpeg&kiosk=1"));
        StreamPage display = new StreamPage(displayPage, STREAM);
        waitFor("video on both pages", 30_000, () -> surgeon.decoded() > 5 && display.decoded() > 5);
        // its stored zones loaded (none): "0 no-go zone(s)" alone is also what focusing the stream says before then
        waitFor("the zone editor loaded", 10_000, () -> Boolean.TRUE.equals(surgeonPage.evaluate(
                "() => window.intravis.editor('" + STREAM + "')?.loaded === true")),
                () -> surgeonPage.locator("#zone-status").textContent());
        assertThat(surgeonPage.locator("#zone-status").textContent()).contains("0 no-go zone(s)");

        // drawn with the mouse, stored by the real API, on disk
        surgeonPage.click("#edit-zones");
        surgeon.drawPolygon(zone.corners(), zone.width(), zone.height());
        waitFor("the page to say it saved", 30_000,
                () -> surgeonPage.locator("#zone-status").textContent().contains("saved"),
                () -> surgeonPage.locator("#zone-status").textContent() + "; the editor's zones "
                        + surgeonPage.evaluate("() => { const e = window.intravis.editor('" + STREAM + "'); return"
                        + " JSON.stringify({zones: e.zones, drawing: e.drawing, enabled: e.enabled}); }"));
        JsonNode stored = JSON.readTree(TestApps.call(app, "GET", "/api/streams/" + STREAM + "/zones", null).body());
        assertThat(stored).hasSize(1);
        JsonNode points = stored.get(0).get("points");
        assertThat(points).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(points.get(i).get(0).asDouble()).as("corner %d of %s: stored %s", i, zone, points)
                    .isCloseTo(zone.corners().get(i)[0], within(2.0));
            assertThat(points.get(i).get(1).asDouble()).as("corner %d of %s: stored %s", i, zone, points)
                    .isCloseTo(zone.corners().get(i)[1], within(2.0));
        }
        assertThat(new ZoneStore(data).list(STREAM)).as("kept in the data folder").hasSize(1);
        surgeonPage.click("#edit-zones"); // done editing
        screenshot(surgeonPage, "chain-" + model + "-zone-drawn");

        // the inference path reports the drawn zone and, once the needle is in, its alert: the banner on both pages
        int id = stored.get(0).get("id").asInt();
        waitFor("the drawn zone in the overlay", 20_000, () -> Boolean.TRUE.equals(surgeonPage.evaluate(
                "(id) => { const o = window.intravis.snapshot('" + STREAM + "').drawnOverlay;"
                        + " return !!o && o.zones.some(z => z.class === 'nogo' && z.drawn && z.id === id); }", id)));
        String[] shown = new String[1];
        waitFor("the alert banner on the surgeon's page", 60_000,
                () -> (shown[0] = surgeon.bannerShown()).contains("CRITICAL: tip INSIDE NO-GO ZONE"));
        assertThat(shown[0]).contains("level-critical");
        assertThat(surgeon.bannerClearOfPicture()).as("the alert is above the picture, not over it").isTrue();
        screenshot(surgeonPage, "chain-" + model + "-surgeon-banner");
        // as long as the surgeon's page was given: under load the surgeon's page may have caught the banner at the end
        // of the needle's time in the zone, and the display then shows it again at the next entry (a clean-clone CI
        // run failed at 10 s)
        waitFor("the alert banner on the OR display", 60_000,
                () -> (shown[0] = display.bannerShown()).contains("INSIDE NO-GO ZONE"));
        assertThat(shown[0]).contains("level-critical");
        assertThat(display.bannerClearOfPicture()).as("the alert is above the picture, not over it").isTrue();
        screenshot(displayPage, "chain-" + model + "-display-banner");
        // the alert is the risk assessor's, about this zone (awaited: by the time the display showed its banner the
        // needle may have left the zone again, or its tip been low for a frame)
        waitFor("the risk assessor's alert about this zone", 30_000, () -> Boolean.TRUE.equals(surgeonPage.evaluate(
                "(id) => window.intravis.snapshot('" + STREAM + "').alerts"
                + ".some(a => a.zoneClass === 'nogo' && a.zone === id && a.kind === 'inside' && a.level === 'critical')",
                id)));

        // the needle withdraws and is absent for a while every cycle: the banner goes on both pages
        waitFor("the banner cleared on the surgeon's page", 30_000, () -> !surgeon.bannerShown().contains("NO-GO"));
        waitFor("the banner cleared on the display", 10_000, () -> !display.bannerShown().contains("NO-GO"));

        // after a reload the page has the stored zone, and deletes it through the API
        surgeonPage.reload();
        waitFor("video after the reload", 30_000, () -> surgeon.decoded() > 5);
        waitFor("the zone loaded after the reload", 10_000, () -> ((Number) surgeonPage.evaluate(
                "() => window.intravis.editor('" + STREAM + "') ? window.intravis.editor('" + STREAM + "').zones.length : 0"))
                .intValue() == 1);
        surgeonPage.click("#edit-zones");
        double[] inside = surgeon.toPage((zone.x0() + zone.x1()) / 2, (zone.y0() + zone.y1()) / 2, zone.width(), zone.height());
        surgeonPage.mouse().click(inside[0], inside[1]);
        surgeonPage.click("#delete-zone");
        waitFor("the zone deleted on the server", 10_000, () -> {
            try {
                return JSON.readTree(TestApps.call(app, "GET", "/api/streams/" + STREAM + "/zones", null).body()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
