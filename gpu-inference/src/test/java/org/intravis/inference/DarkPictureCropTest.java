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
 * The bundled model on a near-anechoic picture (a drawn clear gel phantom, its speckle under the content box's level,
 * {@code src/test/resources/dark-gel/README.md}): the crop is the picture, not the box of the needle that alone is
 * over the level, and every needle is found near its tip. Before the box's fill rule two of the three needles were
 * not found at all (their frames cropped to the needle).
 */
class DarkPictureCropTest {
    private static final Path FIXTURE = TestResources.path("/dark-gel");

    @Test
    void aDarkPictureIsCroppedToThePictureAndItsNeedlesAreFound(@TempDir Path dir) throws Exception {
        JsonNode n = Evaluator.run(new Evaluator.Options("ultrasound", FIXTURE.resolve("images"), null, Map.of(),
                FIXTURE.resolve("needle-masks"), dir.resolve("report.json"), dir.resolve("dump"), "cpu", null, false,
                30)).get("needle");
        assertThat(n.get("frames_with_needle").asInt()).isEqualTo(3);
        assertThat(n.get("detection_rate").asDouble()).isEqualTo(1.0);
        assertThat(n.get("tip_error_px").get("median").asDouble()).isLessThan(10.0);
        JsonNode frames = new ObjectMapper().readTree(dir.resolve("dump").resolve("predictions.json").toFile())
                .get("frames");
        assertThat(frames).hasSize(3);
        for (JsonNode f : frames) {
            JsonNode box = f.get("picture_box"); // x0, y0, x1, y1 in frame pixels; the picture is 400 px tall
            assertThat(box.get(3).asInt() - box.get(1).asInt()).as(f.get("image").asText()).isGreaterThan(380);
            assertThat(box.get(2).asInt() - box.get(0).asInt()).as(f.get("image").asText()).isGreaterThan(440);
        }
    }
}
