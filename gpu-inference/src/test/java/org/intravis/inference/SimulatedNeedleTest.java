package org.intravis.inference;

import com.fasterxml.jackson.databind.JsonNode;
import org.intravis.inference.eval.Evaluator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped ultrasound model on needles its training's painter did not draw: frames of a small B-mode simulation
 * (gel and layered tissue, 20 and 40 degrees, letterboxed with margins and graphics; {@code
 * src/test/resources/simulated-needles/README.md}). A model that learnt the painter's needles rather than needles
 * would lose them. The bounds are a little below what 1.2.4 measures (all 12 found and confident, tip median 2.7 px,
 * nothing on the 4 needle-free frames).
 */
class SimulatedNeedleTest {
    private static final Path FIXTURE = TestResources.path("/simulated-needles");

    @Test
    void needlesFromASimulatedScannerAreFound(@TempDir Path dir) throws Exception {
        JsonNode n = Evaluator.run(new Evaluator.Options("ultrasound", FIXTURE.resolve("images"), null, Map.of(),
                FIXTURE.resolve("needle-masks"), dir.resolve("report.json"), null, "cpu", null, false, 30))
                .get("needle");
        assertThat(n.get("frames_with_needle").asInt()).isEqualTo(12);
        assertThat(n.get("frames_without_needle").asInt()).isEqualTo(4);
        assertThat(n.get("detection_rate").asDouble()).isGreaterThanOrEqualTo(11 / 12.0);
        assertThat(n.get("confident_detection_rate").asDouble()).isGreaterThanOrEqualTo(10 / 12.0);
        assertThat(n.at("/tip_error_px/median").asDouble()).isLessThanOrEqualTo(5.0);
        assertThat(n.get("false_positive_rate").asDouble()).isLessThanOrEqualTo(0.25);
        assertThat(n.get("confident_false_positive_rate").asDouble()).isZero();
    }
}
