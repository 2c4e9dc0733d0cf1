package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The application with its inference branch wired: annotations flow, and a broken model never stops the video. */
class ApplicationInferenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private Application start(String model) {
        IntravisConfig c = new IntravisConfig();
        c.server.port = 0;
        c.server.host = "127.0.0.1";
        c.dataDir = dataDir.toString();
        c.streams.get(0).source = "synthetic:ultrasound?width=640&height=360&fps=30";
        c.streams.get(0).model = model;
        return Application.start(ConfigLoader.validate(c));
    }

    private static JsonNode awaitStream(Application app, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonNode s;
        do {
            Thread.sleep(250);
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                    + "/api/streams/us1")).build(), HttpResponse.BodyHandlers.ofString()).body();
            s = JSON.readTree(body);
        } while (!until.test(s) && System.nanoTime() < deadline);
        return s;
    }

    @Test
    void groundTruthAnnotationsFlowToTheVideoBranch() throws Exception {
        try (Application app = start("ground-truth")) {
            JsonNode s = awaitStream(app, n -> n.get("counters").get("inference_done").asLong() > 20
                    && n.get("latencyMs").has("capture_to_preprocessed"));
            assertThat(s.get("counters").get("inference_done").asLong()).isGreaterThan(20);
            assertThat(s.get("inference").get("mode").asText()).isEqualTo("ground-truth");
            assertThat(s.get("latencyMs").has("capture_to_preprocessed")).isTrue();
            // the video branch attached fresh annotations to some frames
            assertThat(s.get("counters").get("video_out").asLong())
                    .isGreaterThan(s.get("counters").get("overlay_stale").asLong());
        }
    }

    @Test
    void aModelThatCannotLoadLeavesTheVideoFlowing() throws Exception {
        Path bad = dataDir.resolve("broken.onnx");
        java.nio.file.Files.writeString(bad, "this is not an ONNX model");
        try (Application app = start(bad.toString())) {
            JsonNode s = awaitStream(app, n -> n.get("counters").get("video_out").asLong() > 30);
            assertThat(s.get("counters").get("video_out").asLong()).isGreaterThan(30);
            assertThat(s.get("status").asText()).isEqualTo("STREAMING");
            assertThat(s.get("inference").get("mode").asText()).isEqualTo("failed");
            assertThat(s.get("inference").get("error").asText()).contains("model failed to load").contains("broken.onnx");
            assertThat(s.get("counters").get("inference_done").asLong()).isZero();
        }
    }
}
