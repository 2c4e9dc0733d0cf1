package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intravis.ui.HeadlessChromium.screenshot;
import static org.intravis.ui.HeadlessChromium.waitFor;

/**
 * The OR display against the whole application ({@code Application.start}, as {@code intravis run} starts it) on
 * the synthetic ultrasound phantom:
 * the streamer is wired into the engine and the server, the page decodes H.264, shows AI OFF with no model, and
 * comes back by itself when the application is restarted on the same port.
 */
class ApplicationStreamingBrowserTest {
    @RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();
    @TempDir
    Path data;
    Application app;

    IntravisConfig config(int port) {
        IntravisConfig cfg = new IntravisConfig();
        IntravisConfig.Stream s = new IntravisConfig.Stream();
        s.id = "us1";
        s.source = "synthetic:ultrasound?width=640&height=360&fps=30";
        cfg.streams = new java.util.ArrayList<>(List.of(s));
        cfg.server.host = "127.0.0.1";
        cfg.server.port = port;
        cfg.inference.enabled = false;
        cfg.dataDir = data.toString();
        return ModuleSettings.validate(cfg);
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> snap(Page page) {
        return (Map<String, Object>) page.evaluate("() => window.intravis && window.intravis.snapshot()");
    }

    /** Weighted sum of the display's video canvas pixels: changes whenever the picture does. */
    static long videoChecksum(Page page) {
        return ((Number) page.evaluate("() => { const c = Object.values(window.intravis.views)[0].video;"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + " let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i] * (i % 977); return s; }")).longValue();
    }

    static long decoded(Page page) {
        Map<String, Object> s = snap(page);
        return s == null ? 0 : ((Number) s.get("decoded")).longValue();
    }

    @Test
    void displayStreamsFromTheApplicationAndSurvivesItsRestart() throws Exception {
        app = Application.start(config(0));
        int port = app.port();
        chromium.allow("WebSocket connection to 'ws://127\\.0\\.0\\.1:" + port + "/ws/streams/us1.*ERR_CONNECTION_REFUSED",
                "the test stops the application; the display retries until it is back");
        Page page = chromium.page(1280, 720);
        page.navigate("http://127.0.0.1:" + port + "/display?stream=us1");
        waitFor("H.264 video from the application", 20_000, () -> decoded(page) > 10);
        assertThat(snap(page).get("encoding")).isEqualTo("h264");
        // the phantom moves (speckle, pulsating artery, needle): the picture on the canvas changes over time
        long first = videoChecksum(page);
        waitFor("the canvas to show a different picture", 10_000, () -> videoChecksum(page) != first);
        waitFor("AI OFF with no model running", 5_000, () -> "AI OFF".equals(snap(page).get("ai")));
        assertThat(page.locator(".badge.ai").textContent()).isEqualTo("AI OFF");
        screenshot(page, "app-display-ai-off");

        JsonNode clients = new ObjectMapper().readTree(HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/streams/us1/clients")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(clients.get("variants").get(0).get("encoding").asText()).isEqualTo("h264");
        assertThat(clients.get("variants").get(0).get("framesEncoded").asLong()).isPositive();
        JsonNode client = clients.get("clients").get(0);
        assertThat(client.get("transport").asText()).isEqualTo("websocket");
        assertThat(client.get("framesSent").asLong()).isPositive();
        assertThat(client.get("bytesSent").asLong()).isPositive();

        app.close();
        app = null;
        waitFor("the display notices", 10_000, () -> "RECONNECTING…".equals(snap(page).get("stateText")));
        app = Application.start(config(port));
        long before = decoded(page);
        waitFor("video again after the restart", 30_000,
                () -> decoded(page) > before + 10 && "".equals(snap(page).get("stateText")));
        screenshot(page, "app-display-after-restart");
    }
}
