package org.intravis.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model's declared fallback graph: loaded beside the model when it is there (two variants), and when it is missing
 * the model still loads and runs, without a step-down; with step-down off it is not loaded at all. On the CPU the
 * sidecar's {@code fallback.cpu} graph, where it names one, is loaded instead.
 */
class ModelFallbackLoadingTest {
    private static final Path STAND_IN = Path.of("src", "test", "resources", "models", "standin-ultrasound");

    @TempDir
    Path dir;

    /** The stand-in model copied to {@code dir}, its sidecar declaring {@code fallbackFile} (copied too when asked). */
    private Path model(String fallbackFile, boolean copyFallback) throws Exception {
        Path onnx = dir.resolve("standin-ultrasound.onnx");
        Files.copy(STAND_IN.resolve("standin-ultrasound.onnx"), onnx);
        ObjectMapper json = new ObjectMapper();
        ObjectNode side = (ObjectNode) json.readTree(STAND_IN.resolve("standin-ultrasound.json").toFile());
        side.putObject("fallback").put("file", fallbackFile).put("variant", "cheap").put("gflopsPerFrame", 0.001);
        json.writeValue(dir.resolve("standin-ultrasound.json").toFile(), side);
        if (copyFallback) {
            Files.copy(STAND_IN.resolve("standin-ultrasound.onnx"), dir.resolve(fallbackFile));
        }
        return onnx;
    }

    private static InferenceStatus.ModelStatus load(Path onnx, boolean stepDown) throws Exception {
        InferenceSettings s = new InferenceSettings().maxBatch(2).stepDown(stepDown).conclude();
        try (InferenceService service = new InferenceService(s)) {
            Recorder out = new Recorder();
            assertThat(service.register(out.registration("s1", 0, 0, onnx.toString()))).isNotNull();
            return service.status().models().get(0);
        }
    }

    @Test
    void aDeclaredFallbackIsLoadedBesideTheModel() throws Exception {
        InferenceStatus.ModelStatus m = load(model("cheap.onnx", true), true);
        assertThat(m.state()).isEqualTo("loaded");
        assertThat(m.load().variants()).containsExactly("full", "cheap");
        assertThat(m.load().variant()).isEqualTo("full");
    }

    @Test
    void aMissingFallbackCostsOnlyTheStepDown() throws Exception {
        InferenceStatus.ModelStatus m = load(model("missing.onnx", false), true);
        assertThat(m.state()).as("the model itself loads: %s", m.error()).isEqualTo("loaded");
        assertThat(m.load().variants()).containsExactly("full");
    }

    @Test
    void onTheCpuTheSidecarsCpuGraphIsTheStepDown() throws Exception {
        Path onnx = model("cheap.onnx", true);
        ObjectMapper json = new ObjectMapper();
        ObjectNode side = (ObjectNode) json.readTree(dir.resolve("standin-ultrasound.json").toFile());
        ((ObjectNode) side.get("fallback")).putObject("cpu").put("file", "cheap-int8.onnx")
                .put("variant", "cheap int8");
        json.writeValue(dir.resolve("standin-ultrasound.json").toFile(), side);
        Files.copy(STAND_IN.resolve("standin-ultrasound.onnx"), dir.resolve("cheap-int8.onnx"));
        InferenceStatus.ModelStatus m = load(onnx, true);
        assertThat(m.load().variants()).containsExactly("full", "cheap int8");
        ModelSpec.Fallback f = ModelSource.locate(onnx.toString(), null).spec().fallback();
        assertThat(f.on(true).file()).isEqualTo("cheap-int8.onnx");
        assertThat(f.on(false).file()).as("a GPU keeps the float graph").isEqualTo("cheap.onnx");
        assertThat(f.on(true).costRatio(1)).as("its cost is measured at warm-up, not taken from FLOPs").isZero();

        Files.delete(dir.resolve("cheap-int8.onnx")); // declared but missing: the model loads without a step-down
        assertThat(load(onnx, true).load().variants()).containsExactly("full");
        side.with("fallback").with("cpu").put("file", "../elsewhere.onnx");
        json.writeValue(dir.resolve("standin-ultrasound.json").toFile(), side);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelSource.locate(onnx.toString(), null))
                .hasMessageContaining("fallback.cpu.file must name an .onnx file beside the model's");
    }

    @Test
    void withStepDownOffTheFallbackIsNotLoaded() throws Exception {
        InferenceStatus.ModelStatus m = load(model("cheap.onnx", true), false);
        assertThat(m.load().variants()).containsExactly("full");
    }
}
