package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The application under more load than two cores carry: two 60 frames/s phantoms on the bundled ultrasound model.
 * The model cannot keep up, so its worker steps down to the single-pass graph; the overlays still come too late for
 * the picture (here "too late" is 20 ms, so that it holds on any machine), so the encoders step down too. Nothing is
 * forced: the governors act on the application's own counters, and each step shows in {@code /api/streams} and
 * {@code /metrics}.
 */
class LoadGovernorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void underLoadTheModelAndThenTheEncodersStepDownVisibly() throws Exception {
        IntravisConfig c = twoPhantomsAt(60);
        c.pipeline.staleAfterMs = 20;
        try (Application app = Application.start(ModuleSettings.validate(c))) {
            JsonNode a = streamA(app, "the model and the encoders step down",
                    n -> "single-pass".equals(n.path("inference").path("variant").asText())
                            && n.path("encoder").path("step").asInt() >= 1);
            JsonNode inference = a.get("inference");
            assertThat(inference.get("variants")).extracting(JsonNode::asText).containsExactly("full", "single-pass");
            assertThat(inference.get("stepDowns").asLong()).isPositive();
            assertThat(inference.get("coverage").asDouble()).as("frames published / offered").isLessThan(1.0);
            assertThat(inference.get("postThreads").asInt()).as("post-processing threads shown").isPositive();
            JsonNode encoder = a.get("encoder");
            assertThat(encoder.get("stepDowns").asLong()).isPositive();
            assertThat(encoder.get("rate").asText()).isIn("3 of 4 frames", "2 of 3 frames");
            assertThat(encoder.get("maxStep").asInt()).isEqualTo(2);
            assertThat(encoder.get("staleShare").asDouble()).isGreaterThan(EncoderGovernor.DOWN_STALE);

            String metrics = TestApps.call(app, "GET", "/metrics", null).body();
            assertThat(metrics).contains("intravis_model_fallback{stream=\"a\"} 1")
                    .containsPattern("intravis_model_step_downs_total\\{stream=\"b\"\\} [1-9]")
                    .containsPattern("intravis_encoder_step\\{stream=\"b\"\\} [12]")
                    .contains("intravis_video_thinned_total{stream=\"a\"}");
        }
    }

    /**
     * Overlays that are fresh but few: with the staleness window at its default (500 ms) nothing shown is stale, yet
     * two 120 frames/s streams get fewer overlays each than a floor of half their frame rate (the configured 1000 a
     * second, clamped to 60), so once the model is on its cheapest graph the encoders give frames up to the AI. (At
     * 60 frames/s the floor, 30, was within reach of a quicker 2-core machine: 35 a second per stream were seen.)
     */
    @Test
    void fewFreshOverlaysBelowTheFloorAlsoStepTheEncodersDown() throws Exception {
        IntravisConfig c = twoPhantomsAt(120);
        c.streaming.overlayFloorHz = 1000;
        try (Application app = Application.start(ModuleSettings.validate(c))) {
            JsonNode a = streamA(app, "the encoders step down for the floor", n -> n.path("encoder").path("step").asInt() >= 1);
            JsonNode encoder = a.get("encoder");
            assertThat(encoder.get("overlayFloorHz").asDouble()).isEqualTo(1000);
            assertThat(encoder.get("overlaysPerSecond").asDouble()).as("per stream, last second").isLessThan(60);
            assertThat(encoder.get("stepDowns").asLong()).isPositive();
            assertThat(encoder.get("staleShare").asDouble()).as("not for stale overlays").isLessThan(EncoderGovernor.DOWN_STALE);
            assertThat(encoder.get("videoSkippedShare").asDouble()).as("nor for the video")
                    .isLessThan(EncoderGovernor.DOWN_VIDEO_SKIPPED);
            assertThat(a.path("inference").path("variant").asText()).isEqualTo("single-pass");
        }
        c.streaming.overlayFloorHz = -1;
        assertThatThrownBy(() -> ModuleSettings.validate(c)).hasMessageContaining("streaming.overlayFloorHz");
    }

    /** Streams a and b: two 640x360 ultrasound phantoms at {@code fps} frames/s on the bundled model. */
    private IntravisConfig twoPhantomsAt(int fps) {
        IntravisConfig c = TestApps.config(dataDir, "a", "synthetic:ultrasound?width=640&height=360&fps=" + fps, "ultrasound");
        IntravisConfig.Stream b = new IntravisConfig.Stream();
        b.id = "b";
        b.source = "synthetic:ultrasound?width=640&height=360&fps=" + fps + "&seed=2";
        b.model = "ultrasound";
        c.streams = new ArrayList<>(List.of(c.streams.get(0), b));
        return c;
    }

    /** Stream a's {@code /api/streams} entry once {@code until} holds (within two minutes). */
    private static JsonNode streamA(Application app, String what, java.util.function.Predicate<JsonNode> until) {
        return org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> JSON.readTree(TestApps.call(app, "GET", "/api/streams/a", null).body()), until::test);
    }
}
