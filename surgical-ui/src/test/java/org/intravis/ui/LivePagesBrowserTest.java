package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import org.intravis.inference.StreamRegistration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.intravis.ui.HeadlessChromium.screenshot;
import static org.intravis.ui.HeadlessChromium.waitFor;
import static org.intravis.ui.StreamPage.num;

/**
 * The surgeon's page and the OR display against the real application ({@link Application}: the engine, its
 * routes, the inference service) on a live stream: the synthetic ultrasound phantom annotated by its ground truth
 * through the real inference path. The pages decode, draw the overlay at its tip, label the ground-truth stand-in,
 * go stale when inference is paused through the API, and report no error while they run (the extension fails the
 * test on any: a live surgeon page once polled the replay route and logged a 404 every 400 ms).
 */
class LivePagesBrowserTest {
    static final String STREAM = "us1";
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();

    @TempDir
    static Path data;
    static Application app;

    @BeforeAll
    static void start() {
        app = Application.start(ModuleSettings.validate(TestApps.config(data, STREAM,
                "synthetic:ultrasound?width=640&height=360&fps=30&seed=5", StreamRegistration.GROUND_TRUTH)));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theSurgeonPageShowsTheLiveStreamAndItsOverlayWithoutAnError() {
        Page page = chromium.page(1280, 800);
        AtomicInteger statusPolls = new AtomicInteger();
        page.onRequest(r -> {
            if (r.url().endsWith("/api/streams/" + STREAM + "/recording")) {
                statusPolls.incrementAndGet();
            }
        });
        page.navigate(TestApps.url(app, "/?stream=" + STREAM + "&encoding=h264"));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("H.264 frames decoded", 30_000, () -> view.decoded() > 15);
        assertThat(view.snapshot().get("encoding")).isEqualTo("h264");
        long c1 = view.videoChecksum();
        waitFor("the picture to change", 10_000, () -> view.videoChecksum() != c1);

        // the ground truth's tip, tracked by the real inference path, drawn where the overlay says
        // (a track just started is drawn as low confidence, dimmed: wait for a confident one)
        java.util.concurrent.atomic.AtomicReference<Map<String, Object>> seen = new java.util.concurrent.atomic.AtomicReference<>();
        waitFor("an overlay with a confident needle tip drawn", 30_000, () -> {
            seen.set(view.tipProbe());
            return seen.get() != null && Boolean.FALSE.equals(seen.get().get("low"));
        });
        Map<String, Object> probe = seen.get();
        assertThat(probe.get("origin")).isEqualTo("GROUND_TRUTH");
        @SuppressWarnings("unchecked")
        List<Number> rgba = (List<Number>) probe.get("rgba");
        assertThat(rgba.get(1).intValue()).as("tip marker (green) at the tip: %s", rgba).isGreaterThan(200);
        assertThat(rgba.get(3).intValue()).isGreaterThan(200);
        assertThat(view.visible(".badge.origin")).as("the ground-truth stand-in is labelled").isTrue();
        assertThat(view.badgesClearOfPicture()).as("the label is above the picture, not over it").isTrue();
        screenshot(page, "live-surgeon-overlay");

        // the session panel of a live stream: the recorder's state, no replay view; it keeps polling (each poll
        // of a route the stream does not have would be an error the extension fails on)
        waitFor("the recording status", 10_000, () -> page.locator("#rec-status").textContent().startsWith("idle"));
        assertThat(view.visible("#replay")).as("no replay view for a live stream").isFalse();
        waitFor("ten status polls", 20_000, () -> {
            page.evaluate("() => 0"); // Playwright delivers the request events during its calls
            return statusPolls.get() >= 10;
        });
        assertThat(view.stateText()).isEmpty();

        // where glass-to-glass goes: each stage measured and shown in the latency panel
        waitFor("every stage measured", 10_000, () -> {
            Object stages = page.evaluate("() => { const s = window.intravis.snapshot('" + STREAM + "').stages;"
                    + " return ['encode', 'network', 'decode', 'draw'].every(k => Number.isFinite(s[k].p50)); }");
            return Boolean.TRUE.equals(stages);
        });
        waitFor("the panel's stage rows filled", 5_000, () -> page.locator("table.latency").textContent()
                .matches("(?s).*decode p50 / p99\\s*[0-9.]+ / [0-9.]+ ms.*"));
        assertThat(page.locator("table.latency").textContent()).contains("encode p50 / p99")
                .contains("send + network p50 / p99").contains("draw p50 / p99");
    }

    /**
     * The surgeon page's tile caption names the frame on screen, but is not rewritten with every frame: each write
     * lays the page out again and the next frame waits behind it (the badges follow the same rule). Counted with a
     * MutationObserver over three seconds of live video.
     */
    @Test
    void theSurgeonPagesCaptionIsNotRewrittenWithEveryFrame() {
        Page page = chromium.page(1280, 800);
        page.navigate(TestApps.url(app, "/?stream=" + STREAM + "&encoding=jpeg"));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("frames shown", 30_000, () -> view.decoded() > 15);
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) page.evaluate("async () => {"
                + " const caption = document.querySelector('.tile .caption');"
                + " let writes = 0; new MutationObserver((ms) => { writes += ms.length; })"
                + "   .observe(caption, { childList: true, characterData: true, subtree: true });"
                + " const before = window.intravis.snapshot('" + STREAM + "').decoded;"
                + " await new Promise((done) => setTimeout(done, 3000));"
                + " return { writes, shown: window.intravis.snapshot('" + STREAM + "').decoded - before,"
                + "   text: caption.textContent }; }");
        long shown = num(r.get("shown"));
        long writes = num(r.get("writes"));
        assertThat(shown).as("frames shown in the 3 s").isGreaterThanOrEqualTo(30);
        assertThat(writes).as("caption writes while %d frames were shown", shown).isBetween(6L, 14L);
        assertThat((String) r.get("text")).matches(STREAM + " · jpeg · 640x360 · frame \\d+");
    }

    @Test
    void theDisplayGoesStaleWhenInferenceIsPausedThroughTheApiAndFreshWhenResumed() throws Exception {
        Page page = chromium.page(1280, 720);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("a fresh overlay", 30_000, () -> view.decoded() > 5 && view.drawnOverlay() != null && view.ai().isEmpty());
        assertThat(view.visible(".badge.ai")).isFalse();

        HttpResponse<String> paused = TestApps.call(app, "POST", "/api/streams/" + STREAM + "/inference/pause", null);
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        waitFor("AI STALE", 10_000, () -> view.ai().startsWith("AI STALE"));
        assertThat(view.drawnOverlay()).as("a stale overlay is hidden").isNull();
        assertThat(page.locator(".badge.ai").textContent()).startsWith("AI STALE");
        assertThat(view.badgesClearOfPicture()).as("the badge is above the picture, not over it").isTrue();
        waitFor("nothing left on the overlay canvas", 5_000, () -> view.overlayPixels() == 0);
        long decodedWhileStale = view.decoded();
        waitFor("the picture goes on while the AI is stale", 10_000, () -> view.decoded() > decodedWhileStale + 10);
        screenshot(page, "live-display-ai-stale");

        JsonNode streams = JSON.readTree(TestApps.call(app, "GET", "/api/inference", null).body()).get("streams");
        assertThat(streams.get(0).get("streamId").asText()).isEqualTo(STREAM);
        assertThat(streams.get(0).get("paused").asBoolean()).as("the API says so: %s", streams).isTrue();

        assertThat(TestApps.call(app, "POST", "/api/streams/" + STREAM + "/inference/resume", null).statusCode())
                .isEqualTo(200);
        waitFor("fresh again", 10_000, () -> view.ai().isEmpty() && view.drawnOverlay() != null);
        assertThat(view.visible(".badge.ai")).isFalse();
        assertThat(num(view.snapshot().get("decoded"))).isGreaterThan(decodedWhileStale);
    }

    @Test
    void labelsOfNeighbouringZonesAndATipAreLaidOutApart() {
        Page page = chromium.page(1280, 720);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM));
        // three zones whose first corners (where a label goes) nearly coincide, and a tip right beside them: drawn
        // as they come, their labels would print over each other
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> boxes = (List<Map<String, Object>>) page.evaluate("async () => {"
                + " const m = await import('/js/overlay-draw.js');"
                + " const c = document.createElement('canvas'); c.width = 640; c.height = 360;"
                + " const ov = { zones: ["
                + "   { class: 'vessel', confidence: 0.91, points: [[100, 100], [220, 100], [220, 200]] },"
                + "   { class: 'nerve', confidence: 0.62, low: true, points: [[104, 102], [180, 150], [120, 190]] },"
                + "   { class: 'nogo', drawn: true, points: [[98, 97], [150, 100], [150, 150]] } ],"
                + "   tips: [ { x: 80, y: 110, kind: 'needle', confidence: 0.88 } ], lines: [] };"
                + " return m.drawOverlay(c.getContext('2d'), ov, {}); }");
        assertThat(boxes).hasSize(4);
        for (int i = 0; i < boxes.size(); i++) {
            Map<String, Object> a = boxes.get(i);
            assertThat(d(a, "x")).isGreaterThanOrEqualTo(0);
            assertThat(d(a, "y")).isGreaterThanOrEqualTo(0);
            assertThat(d(a, "x") + d(a, "w")).isLessThanOrEqualTo(640);
            assertThat(d(a, "y") + d(a, "h")).isLessThanOrEqualTo(360);
            for (int j = i + 1; j < boxes.size(); j++) {
                Map<String, Object> b = boxes.get(j);
                boolean overlap = d(a, "x") < d(b, "x") + d(b, "w") && d(b, "x") < d(a, "x") + d(a, "w")
                        && d(a, "y") < d(b, "y") + d(b, "h") && d(b, "y") < d(a, "y") + d(a, "h");
                assertThat(overlap).as("label %s over label %s", a, b).isFalse();
            }
        }
        // each stays near its zone: within a few lines of where it was asked to go
        assertThat(d(boxes.get(0), "y")).isBetween(60.0, 160.0);
    }

    /**
     * The default demo's picture: a nerve and two vessels side by side, the middle vessel's label as wide as the gap
     * to its neighbour, and a needle tip on the nerve's corner. Each label stays clear of the other zones and the tip
     * (before, the middle vessel's "VESSEL 97%" ran over the next vessel's outline, and the nerve's over a tip at its
     * corner) and near its own zone.
     */
    @Test
    void labelsStayOffNeighbouringZonesAndTips() {
        Page page = chromium.page(1280, 720);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM));
        List<List<Double>> zones = List.of(List.of(230.0, 180.0, 55.0, 35.0), List.of(312.0, 182.0, 38.0, 40.0),
                List.of(362.0, 172.0, 48.0, 42.0));
        double[] tip = {281, 174}; // on the nerve's top-right corner, where its label would go
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> boxes = (List<Map<String, Object>>) page.evaluate("async (zs) => {"
                + " const m = await import('/js/overlay-draw.js');"
                + " const c = document.createElement('canvas'); c.width = 640; c.height = 360;"
                + " const box = ([x, y, w, h]) => [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];"
                + " const ov = { zones: ["
                + "   { class: 'nerve', confidence: 0.94, points: box(zs[0]) },"
                + "   { class: 'vessel', confidence: 0.97, points: box(zs[1]) },"
                + "   { class: 'vessel', confidence: 0.97, points: box(zs[2]) } ],"
                + "   tips: [ { x: " + tip[0] + ", y: " + tip[1] + ", kind: 'needle', confidence: 0.9 } ], lines: [] };"
                + " return m.drawOverlay(c.getContext('2d'), ov, {}); }", zones);
        assertThat(boxes).hasSize(4);
        double r = 9 * 1.0; // the tip marker's radius at this canvas (unit 1)
        List<double[]> things = new java.util.ArrayList<>();
        for (List<Double> z : zones) {
            things.add(new double[] {z.get(0), z.get(1), z.get(2), z.get(3)});
        }
        things.add(new double[] {tip[0] - r, tip[1] - r, 2 * r, 2 * r});
        for (int i = 0; i < boxes.size(); i++) {
            Map<String, Object> a = boxes.get(i);
            for (int j = 0; j < things.size(); j++) {
                if (j == i) {
                    continue; // label i names thing i
                }
                double[] t = things.get(j);
                boolean over = d(a, "x") < t[0] + t[2] && t[0] < d(a, "x") + d(a, "w")
                        && d(a, "y") < t[1] + t[3] && t[1] < d(a, "y") + d(a, "h");
                assertThat(over).as("label %s over %s", a.get("text"), java.util.Arrays.toString(t)).isFalse();
            }
            double[] own = things.get(i);
            double dx = Math.max(0, Math.max(own[0] - (d(a, "x") + d(a, "w")), d(a, "x") - (own[0] + own[2])));
            double dy = Math.max(0, Math.max(own[1] - (d(a, "y") + d(a, "h")), d(a, "y") - (own[1] + own[3])));
            assertThat(Math.hypot(dx, dy)).as("label %s near what it names", a.get("text")).isLessThan(40);
        }
    }

    /**
     * The needle's line passing just above a vessel, where the vessel's label would go (the OR display's case, where
     * "VESSEL 96%" lay across the needle and hid it in the picture): no label crosses the line, each stays near what
     * it names; the same with the line layer turned off (the needle in the picture is still there).
     */
    @Test
    void labelsStayOffTheNeedlesLine() {
        Page page = chromium.page(1280, 720);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM));
        double[] line = {500, 40, 330, 205};
        for (String opts : List.of("{}", "{ layers: { tips: true, line: false, vessel: true, nerve: true,"
                + " nogo: true, labels: true } }")) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> boxes = (List<Map<String, Object>>) page.evaluate("async () => {"
                    + " const m = await import('/js/overlay-draw.js');"
                    + " const c = document.createElement('canvas'); c.width = 640; c.height = 360;"
                    + " const ov = { zones: [ { class: 'vessel', confidence: 0.96,"
                    + "   points: [[360, 190], [410, 190], [410, 232], [360, 232]] } ],"
                    + "   tips: [ { x: 330, y: 205, kind: 'needle', confidence: 0.94 } ],"
                    + "   lines: [ { x1: 500, y1: 40, x2: 330, y2: 205, confidence: 0.94 } ] };"
                    + " return m.drawOverlay(c.getContext('2d'), ov, " + opts + "); }");
            assertThat(boxes).as(opts).hasSize(2);
            for (Map<String, Object> b : boxes) {
                assertThat(crosses(line, d(b, "x"), d(b, "y"), d(b, "w"), d(b, "h")))
                        .as("label %s at (%s, %s) across the needle's line, %s", b.get("text"), b.get("x"), b.get("y"),
                                opts).isFalse();
            }
            assertThat(Math.abs(d(boxes.get(0), "y") - 190)).as("the vessel's label near it").isLessThan(60);
        }
    }

    /** Whether segment l (x1, y1, x2, y2) has a point inside the box (sampled every half pixel). */
    private static boolean crosses(double[] l, double x, double y, double w, double h) {
        int n = (int) (2 * Math.hypot(l[2] - l[0], l[3] - l[1])) + 1;
        for (int i = 0; i <= n; i++) {
            double px = l[0] + (l[2] - l[0]) * i / n;
            double py = l[1] + (l[3] - l[1]) * i / n;
            if (px > x && px < x + w && py > y && py < y + h) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aZoneDrawnBeforeTheStoredZonesArriveNeitherStartsNorDeletesThem() throws Exception {
        String zonesPath = "/api/streams/" + STREAM + "/zones";
        String stored = "[{\"id\": 7, \"label\": \"stored\", \"points\": [[10, 10], [60, 10], [60, 50]]}]";
        assertThat(TestApps.call(app, "PUT", zonesPath, stored).statusCode()).isEqualTo(204);
        try {
            Page page = chromium.page(1280, 800);
            List<com.microsoft.playwright.Route> held = new java.util.ArrayList<>();
            page.route("**" + zonesPath, route -> {
                if ("GET".equals(route.request().method()) && held.isEmpty()) {
                    held.add(route); // the first load is answered late, below
                } else {
                    route.resume();
                }
            });
            page.navigate(TestApps.url(app, "/?stream=" + STREAM + "&encoding=jpeg"));
            StreamPage view = new StreamPage(page, STREAM);
            waitFor("video", 30_000, () -> view.decoded() > 5 && !held.isEmpty());
            page.click("#edit-zones");
            double[] a = view.toPage(300, 200, 640, 360);
            page.mouse().click(a[0], a[1]);
            assertThat(page.evaluate("() => window.intravis.editor('" + STREAM + "').drawing")).as("no drawing yet")
                    .isNull();
            assertThat(page.locator("#zone-status").textContent()).contains("still loading");

            held.get(0).resume();
            waitFor("the stored zone loaded", 10_000, () -> page.locator("#zone-status").textContent()
                    .contains("1 no-go zone(s) loaded"));
            view.drawPolygon(List.of(new double[]{300, 200}, new double[]{360, 200}, new double[]{330, 250}), 640, 360);
            waitFor("the new zone saved beside the stored one", 10_000, () -> page.locator("#zone-status").textContent()
                    .contains("saved (2 zone(s))"), () -> page.locator("#zone-status").textContent());
            JsonNode zones = JSON.readTree(TestApps.call(app, "GET", zonesPath, null).body());
            assertThat(zones).hasSize(2);
            assertThat(zones.get(0).get("label").asText()).isEqualTo("stored");
        } finally {
            TestApps.call(app, "PUT", zonesPath, "[]");
        }
    }

    /**
     * Two surgeon's pages edit one stream's zones: the page that loaded before the other's new zone adds its own
     * without deleting that one (its save is refused and made again on the zones as they are), and the first page
     * shows the second's zone within a few seconds. (Each page used to store its whole list: the later save deleted
     * the other's zone, and with it its alerts.)
     */
    @Test
    void twoScreensEditingTheZonesKeepEachOthersEdits() throws Exception {
        String zonesPath = "/api/streams/" + STREAM + "/zones";
        assertThat(TestApps.call(app, "PUT", zonesPath, "[]").statusCode()).isEqualTo(204);
        chromium.allow("HTTP 412: PUT .*/zones|status of 412", "B's first save names the zones it read before A's");
        try {
            Page pageA = chromium.page(1280, 800);
            Page pageB = chromium.page(1280, 800);
            StreamPage a = new StreamPage(pageA, STREAM);
            StreamPage b = new StreamPage(pageB, STREAM);
            for (Page p : List.of(pageA, pageB)) {
                p.navigate(TestApps.url(app, "/?stream=" + STREAM + "&encoding=jpeg"));
            }
            for (Page p : List.of(pageA, pageB)) {
                StreamPage v = p == pageA ? a : b;
                waitFor("video and zones loaded", 30_000, () -> v.decoded() > 3 && Boolean.TRUE.equals(
                        p.evaluate("() => window.intravis.editor('" + STREAM + "')?.loaded === true")));
                p.click("#edit-zones");
            }
            a.drawPolygon(List.of(new double[]{60, 60}, new double[]{160, 60}, new double[]{110, 140}), 640, 360);
            waitFor("A's zone saved", 10_000,
                    () -> pageA.locator("#zone-status").textContent().contains("saved (1 zone(s))"),
                    () -> pageA.locator("#zone-status").textContent());
            b.drawPolygon(List.of(new double[]{400, 60}, new double[]{500, 60}, new double[]{450, 140}), 640, 360);
            waitFor("B's zone saved beside A's", 10_000, () -> pageB.locator("#zone-status").textContent()
                    .contains("saved (2 zone(s))"), () -> pageB.locator("#zone-status").textContent());

            JsonNode zones = JSON.readTree(TestApps.call(app, "GET", zonesPath, null).body());
            assertThat(zones).hasSize(2);
            assertThat(zones.get(0).get("points").get(0).get(0).asDouble()).isCloseTo(60, within(3.0));
            assertThat(zones.get(1).get("points").get(0).get(0).asDouble()).isCloseTo(400, within(3.0));
            assertThat(zones.get(0).get("id").asInt()).isNotEqualTo(zones.get(1).get("id").asInt());
            waitFor("A shows B's zone", 10_000, () -> ((Number) pageA.evaluate(
                    "() => window.intravis.editor('" + STREAM + "').zones.length")).intValue() == 2,
                    () -> pageA.locator("#zone-status").textContent());
            assertThat(pageA.locator("#zone-status").textContent()).contains("another screen");
        } finally {
            TestApps.call(app, "PUT", zonesPath, "[]");
        }
    }

    private static double d(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }
}
