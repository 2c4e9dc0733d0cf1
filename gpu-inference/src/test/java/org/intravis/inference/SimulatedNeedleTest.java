package org.intravis.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    /**
     * A flat needle (8-12 degrees) whose mask covers only its near part and whose tip map confirms nothing is shown
     * unsure; its tip must still be drawn where the needle ends, not where the mask stopped (the pixels' evidence
     * along the line, {@link NeedleTipEvidence}). 1.2.4: 7 of 8 tips within 20 px of the truth; 4 before the unsure
     * needle went on along its line.
     */
    @Test
    void aFlatNeedlesTipIsShownAtItsTip(@TempDir Path dir) throws Exception {
        Path flat = FIXTURE.resolve("flat");
        JsonNode n = Evaluator.run(new Evaluator.Options("ultrasound", flat.resolve("images"), null, Map.of(),
                flat.resolve("needle-masks"), dir.resolve("report.json"), dir.resolve("dump"), "cpu", null))
                .get("needle");
        assertThat(n.get("frames_with_needle").asInt()).isEqualTo(8);
        assertThat(n.get("false_positive_rate").asDouble()).isZero();
        ObjectMapper json = new ObjectMapper();
        JsonNode truth = json.readTree(flat.resolve("tips.json").toFile());
        int near = 0;
        for (JsonNode f : json.readTree(dir.resolve("dump/predictions.json").toFile()).get("frames")) {
            JsonNode t = truth.get(f.get("image").asText());
            JsonNode tip = f.get("tip");
            if (t != null && tip != null && !tip.isNull() && Math.hypot(tip.get(0).asDouble() - t.get(0).asDouble(),
                    tip.get(1).asDouble() - t.get(1).asDouble()) <= 20) {
                near++;
            }
        }
        assertThat(near).as("tips within 20 px of the truth, of 8").isGreaterThanOrEqualTo(6);
    }

    /**
     * A tip on the picture's border is where the picture ends, not where a needle does: never a sure tip
     * ({@link TipInView}). Four simulated reflectors (three membranes crossing the picture, a bone surface; no needle)
     * that 1.2.4 showed as confident needles with their tips on the border, frame by frame and as a video (the live
     * decoder); they stay shown, as unsure.
     */
    @Test
    void aTipOnThePicturesBorderIsNeverSure(@TempDir Path dir) throws Exception {
        Path negatives = TestResources.path("/simulated-hard-negatives");
        for (boolean sequence : new boolean[] {false, true}) {
            JsonNode n = Evaluator.run(new Evaluator.Options("ultrasound", negatives.resolve("images"), null, Map.of(),
                    negatives.resolve("needle-masks"), dir.resolve("report-" + sequence + ".json"), null, "cpu", null,
                    sequence, 15)).get("needle");
            assertThat(n.get("frames_without_needle").asInt()).isEqualTo(4);
            assertThat(n.get("confident_false_positive_rate").asDouble()).as("sequence " + sequence).isZero();
        }
    }
}
