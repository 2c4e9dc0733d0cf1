package org.intravis.inference.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceException;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.Preprocessor;
import org.intravis.inference.TensorRow;
import org.intravis.inference.TestImages;

import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * PyTorch's outputs for a stand-in model on the two test images ({@code NAME.golden.json} beside the model: sampled
 * values and per-channel sums), and a backend run on the same images to hold against them.
 */
final class GoldenOutputs {
    final JsonNode json;

    private GoldenOutputs(JsonNode json) {
        this.json = json;
    }

    static GoldenOutputs of(String model) throws IOException {
        try (InputStream in = GoldenOutputs.class.getResourceAsStream("/models/" + model + "/" + model + ".golden.json")) {
            return new GoldenOutputs(new ObjectMapper().readTree(in));
        }
    }

    /** The golden inputs (waves, ramps) into rows 0 and 1 of tensor set 0, run as one batch of 2. */
    static void runGoldenInputs(InferenceBackend backend, ModelSpec spec) throws InferenceException {
        Preprocessor pre = new Preprocessor(spec);
        pre.toTensor(TestImages.waves(spec.width(), spec.height()), new TensorRow(spec, backend.inputRow(0, 0)));
        pre.toTensor(TestImages.ramps(spec.width(), spec.height()), new TensorRow(spec, backend.inputRow(0, 1)));
        backend.run(0, 2);
    }

    /** Every sampled value of tensor set 0 within {@code tolerance} of PyTorch's. */
    void assertSamples(InferenceBackend backend, ModelSpec spec, float tolerance) {
        int w = spec.width();
        int plane = w * spec.height();
        for (JsonNode s : json.get("samples")) {
            int row = s.get(0).asInt();
            int c = s.get(1).asInt();
            int y = s.get(2).asInt();
            int x = s.get(3).asInt();
            float actual = backend.outputRow(0, row).get((long) c * plane + (long) y * w + x);
            assertThat(actual).as("row %d channel %d at (%d,%d)", row, c, x, y)
                    .isCloseTo((float) s.get(4).asDouble(), within(tolerance));
        }
    }
}
