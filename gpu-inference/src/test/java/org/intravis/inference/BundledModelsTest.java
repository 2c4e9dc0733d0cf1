package org.intravis.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.inference.eval.Evaluator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The models shipped in the jar: they load by name with their sidecars as training wrote them, and the Java
 * evaluation of the real {@code ultrasound} model on held-out fixture frames agrees with the reference
 * implementation (Python, {@code make_fixtures.py}) that produced {@code eval-samples/expected.json}. The frames are
 * from the validation split, never trained on.
 */
class BundledModelsTest {
    private static Path samples;
    private static JsonNode expected;

    @BeforeAll
    static void fixtures() throws Exception {
        samples = TestResources.path("/eval-samples");
        expected = new ObjectMapper().readTree(samples.resolve("expected.json").toFile());
    }

    @Test
    void bothModelsLoadByNameWithTheirTrainedThresholdsAndMetrics() throws Exception {
        ModelSpec us = ModelSource.locate("ultrasound", null).spec();
        assertThat(us.outputChannels()).containsExactly("needle", "vessel", "nerve", "tip");
        assertThat(us.width()).isEqualTo(256);
        assertThat(us.threshold("vessel")).isEqualTo(expected.at("/thresholds/mask/vessel").asDouble());
        assertThat(us.threshold("needle")).isEqualTo(expected.at("/thresholds/mask/needle").asDouble());
        assertThat(us.tipPeakThreshold()).isEqualTo(expected.at("/thresholds/tipPeak").asDouble());
        assertThat(us.trainingDataHash()).hasSize(64);
        assertThat(us.backgroundBelow()).isEqualTo(5.0); // outputs cleared outside the picture (ScanRegion)
        assertThat(us.metrics()).containsKeys("segmentation", "needle");

        ModelSpec fl = ModelSource.locate("fluoroscopy", null).spec();
        assertThat(fl.outputChannels()).containsExactly("wire", "tip");
        assertThat(fl.threshold("wire")).isEqualTo(0.7);
        assertThat(fl.metrics()).containsKey("wire_all");
        assertThat(fl.backgroundBelow()).isNegative(); // a dark wire may touch a dark border: never cleared
    }

    @Test
    void segmentationOnHeldOutFramesMatchesTheReferenceImplementation(@TempDir Path dir) throws Exception {
        JsonNode report = Evaluator.run(new Evaluator.Options("ultrasound", samples.resolve("ultrasound/images"),
                samples.resolve("ultrasound/masks"), Map.of("nerve", List.of(1), "vessel", List.of(2)), null,
                dir.resolve("report.json"), null, "cpu", null));

        for (String cls : new String[] {"vessel", "nerve"}) {
            double sum = 0;
            int n = 0;
            for (JsonNode f : expected.get("ultrasound")) {
                JsonNode d = f.get(cls + "Dice");
                if (!d.isNull()) {
                    sum += d.asDouble();
                    n++;
                }
            }
            assertThat(report.at("/" + cls + "/frames").asInt()).as(cls + " frames").isEqualTo(n);
            // same network, same preprocessing contract; OpenCV vs NumPy resampling differ by a few pixels at edges
            assertThat(report.at("/" + cls + "/dice").asDouble()).as(cls + " Dice").isCloseTo(sum / n, within(0.03));
        }
    }

    @Test
    void needleTipsOnHeldOutFramesMatchTheReferenceImplementation(@TempDir Path dir) throws Exception {
        Path dump = dir.resolve("dump");
        JsonNode report = Evaluator.run(new Evaluator.Options("ultrasound", samples.resolve("needle/images"), null,
                Map.of(), samples.resolve("needle/masks"), dir.resolve("report.json"), dump, "cpu", null));
        assertThat(report.at("/needle/frames_with_needle").asInt()).isEqualTo(4);
        assertThat(report.at("/needle/frames_without_needle").asInt()).isEqualTo(2);
        assertThat(report.at("/needle/false_positive_rate").asDouble()).isZero();

        JsonNode predictions = new ObjectMapper().readTree(dump.resolve("predictions.json").toFile());
        Map<String, JsonNode> tips = new HashMap<>();
        predictions.get("frames").forEach(f -> tips.put(f.get("image").asText(), f.get("tip")));
        int compared = 0;
        for (JsonNode f : expected.get("needle")) {
            JsonNode tip = tips.get(f.get("name").asText());
            assertThat(tip).as(f.get("name").asText()).isNotNull();
            if (!f.get("needle").asBoolean()) {
                assertThat(tip.isNull()).as("no needle in " + f.get("name").asText()).isTrue();
                continue;
            }
            if (f.get("detected").asBoolean()) {
                assertThat(tip.isArray()).as("needle found in " + f.get("name").asText()).isTrue();
                double err = Math.hypot(tip.get(0).asDouble() - f.get("tipX").asDouble(),
                        tip.get(1).asDouble() - f.get("tipY").asDouble());
                assertThat(err).as("tip of " + f.get("name").asText() + " vs reference, px").isLessThan(4.0);
                compared++;
            }
        }
        assertThat(compared).isGreaterThanOrEqualTo(3);
    }
}
