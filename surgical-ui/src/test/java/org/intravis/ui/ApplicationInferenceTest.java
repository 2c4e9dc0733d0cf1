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
        return Application.start(ModuleSettings.validate(c));
    }

    private static JsonNode get(Application app, String path) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The stream's report once {@code until} holds; fails, with the last report, after a generous 60 s. */
    private static JsonNode awaitStream(Application app, Predicate<JsonNode> until) {
        return org.awaitility.Awaitility.await("the stream's report").atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(250)).until(() -> get(app, "/api/streams/us1"), until::test);
    }

    /**
     * {@code intravis run} with nothing but where to listen and keep data: the embedded default (the synthetic
     * ultrasound phantom at 1280x720, the bundled ultrasound model on the CPU) through Application, as a user
     * first runs it.
     */
    @Test
    void theDefaultRunServesThePhantomWithTheBundledModel() throws Exception {
        RunCommand run = new RunCommand();
        new picocli.CommandLine(run).parseArgs("--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir.toString());
        try (Application app = Application.start(ModuleSettings.validate(run.applyOverrides(ConfigLoader.load(run.config))))) {
            // ten frames shown with a fresh overlay of the model
            JsonNode s = awaitStream(app, n -> n.get("counters").get("video_out").asLong()
                    - n.get("counters").get("overlay_stale").asLong() > 10);
            assertThat(s.get("source").asText()).isEqualTo("synthetic:ultrasound");
            assertThat(s.get("resolution").asText()).isEqualTo("1280x720");
            assertThat(s.get("status").asText()).isEqualTo("STREAMING");
            assertThat(s.get("model").asText()).isEqualTo("ultrasound");
            assertThat(s.get("inference").get("mode").asText()).isEqualTo("model");
            assertThat(s.get("counters").get("inference_failed").asLong()).isZero();
            JsonNode model = get(app, "/api/inference").get("models").get(0);
            assertThat(model.get("name").asText()).isEqualTo("ultrasound");
            assertThat(model.get("version").asText()).as("the bundled model's sidecar")
                    .isEqualTo(org.intravis.inference.ModelSource.locate("ultrasound", null).spec().version());
            assertThat(model.get("state").asText()).isEqualTo("loaded");
            assertThat(model.get("device").asText()).isEqualTo("cpu");
            assertThat(s.get("counters").get("inference_done").asLong()).isPositive();
        }
    }

    /** No model named: the stream runs the model of the modality its source declares (a fluoroscopy phantom). */
    @Test
    void aStreamWithoutAModelRunsTheOneOfItsSourcesModality() throws Exception {
        IntravisConfig c = new IntravisConfig();
        c.server.port = 0;
        c.server.host = "127.0.0.1";
        c.dataDir = dataDir.toString();
        c.streams.get(0).source = "synthetic:fluoroscopy?width=640&height=480&fps=30";
        c.streams.get(0).model = "";
        try (Application app = Application.start(ModuleSettings.validate(c))) {
            JsonNode s = awaitStream(app, n -> n.get("counters").get("inference_done").asLong() > 0);
            assertThat(s.get("model").asText()).isEqualTo("fluoroscopy");
            JsonNode model = get(app, "/api/inference").get("models").get(0);
            assertThat(model.get("name").asText()).isEqualTo("fluoroscopy");
            assertThat(model.get("state").asText()).isEqualTo("loaded");
        }
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
