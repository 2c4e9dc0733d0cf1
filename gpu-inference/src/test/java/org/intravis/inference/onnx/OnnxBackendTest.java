package org.intravis.inference.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.CudaBuild;
import org.intravis.inference.BatchShape;
import org.intravis.inference.ConvAlgoSearch;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.inference.Preprocessor;
import org.intravis.inference.TensorRow;
import org.intravis.inference.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The ONNX Runtime backend on the CPU, against the stand-in models and PyTorch's golden outputs. */
class OnnxBackendTest {

    @ParameterizedTest
    @ValueSource(strings = {"standin-ultrasound", "standin-fluoroscopy"})
    void reproducesPyTorchGoldenValues(String model) throws Exception {
        ModelSource source = ModelSource.locate(model, null);
        GoldenOutputs golden = GoldenOutputs.of(model);
        try (InferenceBackend backend = OnnxBackend.load(source, new BackendOptions("cpu", 2, 1, 1))) {
            GoldenOutputs.runGoldenInputs(backend, source.spec());
            golden.assertSamples(backend, source.spec(), 2e-4f);
            int plane = source.spec().width() * source.spec().height();
            for (int row = 0; row < 2; row++) {
                for (int c = 0; c < source.spec().outputChannelCount(); c++) {
                    double expected = golden.json.get("sums").get(row).get(c).asDouble();
                    double sum = 0;
                    FloatPointer out = backend.outputRow(0, row);
                    for (int i = 0; i < plane; i++) {
                        sum += out.get((long) c * plane + i);
                    }
                    assertThat(sum).as("sum of row %d channel %d", row, c)
                            .isCloseTo(expected, within(1e-3 * Math.max(1.0, Math.abs(expected))));
                }
            }
        }
    }

    @Test
    void aBatchOfNEqualsNSingleRuns() throws Exception {
        ModelSource source = ModelSource.locate("standin-ultrasound", null);
        int n = 4;
        try (InferenceBackend backend = OnnxBackend.load(source, new BackendOptions("cpu", n, 2, 1))) {
            int w = source.spec().width();
            int h = source.spec().height();
            Preprocessor pre = new Preprocessor(source.spec());
            Mat[] images = {TestImages.waves(w, h), TestImages.ramps(w, h), TestImages.waves(w * 2, h), TestImages.ramps(w / 2, h * 3)};
            for (int r = 0; r < n; r++) {
                pre.toTensor(images[r], new TensorRow(source.spec(), backend.inputRow(0, r)));
            }
            backend.run(0, n);
            int rowFloats = source.spec().outputRowFloats();
            float[] batched = new float[rowFloats];
            float[] single = new float[rowFloats];
            for (int r = 0; r < n; r++) {
                pre.toTensor(images[r], new TensorRow(source.spec(), backend.inputRow(1, 0)));
                backend.run(1, 1);
                backend.outputRow(0, r).get(batched, 0, rowFloats);
                backend.outputRow(1, 0).get(single, 0, rowFloats);
                float maxDiff = 0;
                for (int i = 0; i < rowFloats; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(batched[i] - single[i]));
                }
                assertThat(maxDiff).as("row %d: batched vs single", r).isLessThan(1e-5f);
                assertThat(Arrays.equals(batched, new float[rowFloats])).isFalse();
            }
        }
    }

    @Test
    void aFixedBatchShapeGivesTheRowsOfAnExactRunAndTheCpuDefaultIsExact() throws Exception {
        ModelSource source = ModelSource.locate("standin-ultrasound", null);
        int w = source.spec().width();
        int h = source.spec().height();
        int rowFloats = source.spec().outputRowFloats();
        Preprocessor pre = new Preprocessor(source.spec());
        Mat[] images = {TestImages.waves(w, h), TestImages.ramps(w * 2, h)};
        try (InferenceBackend fixed = OnnxBackend.load(source,
                new BackendOptions("cpu", 4, 1, 1, BatchShape.FIXED, ConvAlgoSearch.EXHAUSTIVE));
             InferenceBackend exact = OnnxBackend.load(source, new BackendOptions("cpu", 4, 1, 1))) {
            assertThat(fixed.fixedBatchShape()).isTrue();
            assertThat(exact.fixedBatchShape()).as("AUTO on the CPU runs batches at their size").isFalse();
            for (int r = 0; r < 4; r++) { // rows 2 and 3 hold other frames, as a padded run's leftovers do
                pre.toTensor(images[r % 2 == 0 ? 1 : 0], new TensorRow(source.spec(), fixed.inputRow(0, r)));
            }
            for (int r = 0; r < 2; r++) {
                pre.toTensor(images[r], new TensorRow(source.spec(), fixed.inputRow(0, r)));
                pre.toTensor(images[r], new TensorRow(source.spec(), exact.inputRow(0, r)));
            }
            fixed.run(0, 2);
            exact.run(0, 2);
            float[] a = new float[rowFloats];
            float[] b = new float[rowFloats];
            for (int r = 0; r < 2; r++) {
                fixed.outputRow(0, r).get(a, 0, rowFloats);
                exact.outputRow(0, r).get(b, 0, rowFloats);
                float maxDiff = 0;
                for (int i = 0; i < rowFloats; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                }
                assertThat(maxDiff).as("row %d: padded run vs exact run", r).isLessThan(1e-5f);
            }
            fixed.outputRow(0, 3).get(a, 0, rowFloats);
            assertThat(Arrays.equals(a, new float[rowFloats])).as("the padded rows were computed too").isFalse();
        }
    }

    /**
     * CUDA asked for: on CUDA where the build has the provider and the machine a device (-Pgpu on a GPU machine),
     * otherwise on the CPU with the reason. The natives loaded are the ones the build asked for.
     */
    @Test
    void cudaRequestedRunsOnCudaWhereTheBuildAndMachineHaveItAndOtherwiseFallsBackWithTheReason() throws Exception {
        assertThat(CudaBuild.present()).as("CUDA provider in the natives loaded (%s) = what the build asked for (%s)",
                OnnxBackend.availableProviders(), System.getProperty("intravis.onnxruntime.classifier")).isEqualTo(CudaBuild.expected());
        ModelSource source = ModelSource.locate("standin-ultrasound", null);
        try (InferenceBackend backend = OnnxBackend.load(source, new BackendOptions("cuda", 1, 1, 1))) {
            if (CudaBuild.usable()) {
                assertThat(backend.device()).isEqualTo("cuda:0");
                assertThat(backend.deviceNote()).isEmpty();
            } else {
                assertThat(backend.device()).isEqualTo("cpu");
                assertThat(backend.deviceNote()).contains("CUDA was requested but cannot start").contains("running on the CPU");
                if (!CudaBuild.present()) {
                    assertThat(backend.deviceNote()).contains("no CUDA provider");
                }
            }
            backend.run(0, 1); // and it runs
        }
    }

    /**
     * The CUDA build on a machine where CUDA cannot start (here: every device hidden from a child JVM) runs the model on
     * the CPU and says why. Only the CUDA build has a provider to try, so the CPU build skips it.
     */
    @Test
    void aCudaBuildWithNoUsableDeviceFallsBackToTheCpuWithItsReason() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(CudaBuild.present(),
                "skipped: this is the CPU build of ONNX Runtime (no CUDA provider to fail); -Pgpu runs it");
        ProcessBuilder pb = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CudaFallbackProbe.class.getName()).redirectErrorStream(true);
        pb.environment().put("CUDA_VISIBLE_DEVICES", "-1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("device=cpu").contains("CUDA was requested but cannot start").contains("running on the CPU");
    }

    @Test
    void aRunAllocatesNothingOnTheJavaHeap() throws Exception {
        ModelSource source = ModelSource.locate("standin-ultrasound", null);
        try (InferenceBackend backend = OnnxBackend.load(source, new BackendOptions("cpu", 4, 2, 1))) {
            assertThat(SteadyRuns.bytesAllocated(backend)).as("bytes allocated by 40 runs").isLessThanOrEqualTo(0);
        }
    }

    @Test
    void aCorruptFileGivesAClearError(@TempDir Path dir) throws Exception {
        byte[] onnx = ModelSource.locate("standin-ultrasound", null).onnx();
        assertNotLoadable(copyModel(dir, "broken", Arrays.copyOf(onnx, onnx.length / 2), null), "broken");
    }

    @Test
    void aFileThatIsNotOnnxGivesAClearError(@TempDir Path dir) throws Exception {
        assertNotLoadable(copyModel(dir, "notonnx", "this is a text file, not a network\n".getBytes(), null), "notonnx");
    }

    private static void assertNotLoadable(Path file, String name) {
        assertThatThrownBy(() -> OnnxBackend.load(ModelSource.locate(file.toString(), null), BackendOptions.single("cpu")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model '" + name + "'")
                .hasMessageContaining(file.toString())
                .hasMessageContaining("is not a loadable ONNX model");
    }

    @Test
    void aModelThatDoesNotMatchItsSidecarGivesAClearError(@TempDir Path dir) throws Exception {
        byte[] onnx = ModelSource.locate("standin-ultrasound", null).onnx();

        Path wrongInput = copyModel(dir, "wronginput", onnx, s -> ((ObjectNode) s.get("input")).put("name", "img"));
        assertThatThrownBy(() -> OnnxBackend.load(ModelSource.locate(wrongInput.toString(), null), BackendOptions.single("cpu")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model 'wronginput'")
                .hasMessageContaining("input 'img' declared in the sidecar is not in the network (its inputs: [image])");

        Path wrongSize = copyModel(dir, "wrongsize", onnx, s -> ((ObjectNode) s.get("input")).put("width", 128));
        assertThatThrownBy(() -> OnnxBackend.load(ModelSource.locate(wrongSize.toString(), null), BackendOptions.single("cpu")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model 'wrongsize'")
                .hasMessageContaining("input 'image' has shape [N, 1, 256, 256] but the sidecar declares [N,1,256,128]");

        Path wrongChannels = copyModel(dir, "wrongchannels", onnx, s -> {
            ObjectNode output = (ObjectNode) s.get("outputs").get(0);
            output.putArray("channels").add("needle").add("vessel").add("nerve");
            ((ObjectNode) output.get("roles")).remove("tip"); // the sidecar consistent in itself, not with the network
        });
        assertThatThrownBy(() -> OnnxBackend.load(ModelSource.locate(wrongChannels.toString(), null), BackendOptions.single("cpu")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model 'wrongchannels'")
                .hasMessageContaining("output 'probs' has shape [N, 4, 256, 256] but the sidecar declares [N,3,256,256]");

        Path noSidecar = dir.resolve("lonely.onnx");
        Files.write(noSidecar, onnx);
        assertThatThrownBy(() -> ModelSource.locate(noSidecar.toString(), null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model 'lonely'")
                .hasMessageContaining("sidecar " + dir.resolve("lonely.json").toAbsolutePath() + " not found");

        assertThatThrownBy(() -> ModelSource.locate("no-such-model", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model 'no-such-model' not found")
                .hasMessageContaining("classpath:/models/no-such-model/no-such-model.onnx");
    }

    interface SidecarEdit {
        void apply(ObjectNode sidecar);
    }

    /** Writes {@code <name>.onnx} with the stand-in's sidecar (optionally edited) beside it. */
    static Path copyModel(Path dir, String name, byte[] onnx, SidecarEdit edit) throws Exception {
        ObjectNode sidecar;
        try (InputStream in = OnnxBackendTest.class.getResourceAsStream("/models/standin-ultrasound/standin-ultrasound.json")) {
            sidecar = (ObjectNode) new ObjectMapper().readTree(in);
        }
        sidecar.put("name", name);
        if (edit != null) {
            edit.apply(sidecar);
        }
        Path file = dir.resolve(name + ".onnx");
        Files.write(file, onnx);
        Files.writeString(dir.resolve(name + ".json"), sidecar.toPrettyString());
        return file;
    }
}
