package org.intravis.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.TextFormat;
import inference.ModelConfigOuterClass.DataType;
import inference.ModelConfigOuterClass.ModelConfig;
import inference.ModelConfigOuterClass.ModelInput;
import inference.ModelConfigOuterClass.ModelInstanceGroup;
import inference.ModelConfigOuterClass.ModelOutput;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.onnxruntime.ConstTensorTypeAndShapeInfo;
import org.bytedeco.onnxruntime.Env;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.SessionOptions;
import org.bytedeco.onnxruntime.StringVector;
import org.bytedeco.onnxruntime.TypeInfo;
import org.intravis.inference.ModelSource;
import org.intravis.inference.ModelSpec;
import org.intravis.ui.Intravis;
import org.intravis.ui.testing.CommandRun.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intravis.ui.testing.CommandRun.run;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_ERROR;

/**
 * {@code intravis export-model --triton DIR}, the Triton variant's model repository: read the way Triton reads it. The
 * {@code config.pbtxt} is parsed by protobuf's own text-format parser into {@code inference.ModelConfig}, generated
 * from Triton's {@code model_config.proto} (a misspelt field, a wrong enum value or a wrong type fails the parse), and
 * {@code 1/model.onnx} is opened by ONNX Runtime, which must find the config's tensors in it.
 * <p>
 * It lives beside the other checks of what a site deploys (the manifests, the systemd unit, the tarball).
 */
class TritonExportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesEveryBundledModelAsATritonModelThatTritonsProtoAndOnnxRuntimeAccept(@TempDir Path repo) throws Exception {
        Result r = run("export-model", "--triton", repo.toString(),
                "--max-batch", "6", "--max-queue-delay-us", "750", "--instances", "2");
        assertThat(r.code()).as(r.err()).isZero();

        for (String name : List.of("ultrasound", "fluoroscopy")) {
            assertThat(r.out()).contains(name + " ");
            ModelSpec spec = ModelSource.locate(name, null).spec();
            JsonNode sidecar = JSON.readTree(resource("/models/" + name + "/" + name + ".json"));
            Path dir = repo.resolve(name);
            ModelConfig config = parse(dir.resolve("config.pbtxt"));

            assertThat(config.getName()).isEqualTo(name);
            assertThat(config.getPlatform()).isEqualTo("onnxruntime_onnx");
            assertThat(config.getMaxBatchSize()).isEqualTo(6);
            assertThat(config.getDynamicBatching().getMaxQueueDelayMicroseconds()).isEqualTo(750);
            assertThat(config.getInstanceGroupList()).singleElement().satisfies(g -> {
                assertThat(g.getCount()).isEqualTo(2);
                assertThat(g.getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_GPU);
            });
            // the tensors as the sidecar (read here as plain JSON) declares them, less the batch axis Triton adds
            ModelInput in = config.getInputList().get(0);
            assertThat(config.getInputCount()).isOne();
            assertThat(in.getName()).isEqualTo(sidecar.get("input").get("name").asText());
            assertThat(in.getDataType()).isEqualTo(DataType.TYPE_FP32);
            assertThat(in.getDimsList()).containsExactlyElementsOf(perRow(sidecar.get("input").get("shape")));
            ModelOutput out = config.getOutputList().get(0);
            assertThat(config.getOutputCount()).isOne();
            assertThat(out.getName()).isEqualTo(sidecar.get("outputs").get(0).get("name").asText());
            assertThat(out.getDataType()).isEqualTo(DataType.TYPE_FP32);
            assertThat(out.getDimsList()).containsExactlyElementsOf(perRow(sidecar.get("outputs").get(0).get("shape")));
            assertThat(out.getDimsList().get(0)).isEqualTo((long) spec.outputChannelCount());

            // the network as it was, and as ONNX Runtime sees it: the config's names, float32, a dynamic batch axis
            Path onnx = dir.resolve("1").resolve("model.onnx");
            assertThat(Files.readAllBytes(onnx)).isEqualTo(resource("/models/" + name + "/" + name + ".onnx"));
            assertThat(onnxTensors(onnx)).containsExactly(
                    "in " + in.getName() + " float " + withBatch(in.getDimsList()),
                    "out " + out.getName() + " float " + withBatch(out.getDimsList()));
            assertThat(Files.readString(dir.resolve("MODEL_CARD.md")))
                    .isEqualTo(new String(resource("/models/" + name + "/MODEL_CARD.md"), StandardCharsets.UTF_8));
            assertThat(Files.readString(dir.resolve("config.pbtxt"))).contains(spec.version(),
                    ModelSource.locate(name, null).sha256());
        }
    }

    @Test
    void cpuInstancesAndARepeatedExportReplaceTheEarlierConfig(@TempDir Path repo) throws Exception {
        assertThat(run("export-model", "--triton", repo.toString(), "--model", "fluoroscopy")
                .code()).isZero();
        Result r = run("export-model", "--triton", repo.toString(),
                "--model", "fluoroscopy", "--instance-kind", "cpu", "--max-batch", "1");
        assertThat(r.code()).as(r.err()).isZero();
        ModelConfig config = parse(repo.resolve("fluoroscopy").resolve("config.pbtxt"));
        assertThat(config.getInstanceGroup(0).getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_CPU);
        assertThat(config.getMaxBatchSize()).isOne();
        assertThat(repo.resolve("ultrasound")).doesNotExist();
        try (var files = Files.walk(repo)) {
            assertThat(files.filter(p -> p.toString().endsWith(".partial") || p.toString().endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void aSidecarThatDoesNotMatchItsNetworkIsRefusedAndNothingIsWritten(@TempDir Path tmp) throws Exception {
        Path models = tmp.resolve("models");
        Files.createDirectories(models);
        Files.write(models.resolve("renamed.onnx"), resource("/models/fluoroscopy/fluoroscopy.onnx"));
        ObjectNode sidecar = (ObjectNode) JSON.readTree(resource("/models/fluoroscopy/fluoroscopy.json"));
        ((ObjectNode) sidecar.get("input")).put("name", "pixels");
        Files.write(models.resolve("renamed.json"), JSON.writeValueAsBytes(sidecar));
        Path repo = tmp.resolve("repo");

        Result r = run("export-model", "--triton", repo.toString(),
                "--model", models.resolve("renamed.onnx").toString());
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("input 'pixels' declared in the sidecar is not in the network")
                .doesNotContain("\tat ");
        assertThat(repo.resolve("renamed")).doesNotExist();
    }

    @Test
    void badSettingsAndUnknownModelsAreUserErrors(@TempDir Path repo) {
        Result r = run("export-model", "--triton", repo.toString(),
                "--model", "no-such-model");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("model 'no-such-model' not found");
        r = run("export-model", "--triton", repo.toString(), "--max-batch", "0");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("max batch must be at least 1");
        r = run("export-model", "--triton", repo.toString(), "--instance-kind", "tpu");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("instance kind 'tpu' is not gpu or cpu");
    }

    /** The proto the test classes come from (gpu-inference's copy) is Triton's, as published in ../shared. */
    @Test
    void theProtoTheTestParsesWithIsTritons() throws Exception {
        Path shared = Path.of(System.getProperty("intravis.shared", "../../shared"), "protocols", "triton",
                "model_config.proto");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(shared),
                "skipped: " + shared + " is not there (the shared data sits beside the checkout)");
        assertThat(Files.readAllBytes(Path.of("../gpu-inference/src/main/proto/model_config.proto")))
                .isEqualTo(Files.readAllBytes(shared));
    }

    /** The parser rejects what Triton would: the check above is not a check that cannot fail. */
    @Test
    void theParserRejectsAMisspeltField() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TextFormat.parse(
                        "name: \"x\"\nplatform: \"onnxruntime_onnx\"\nmax_batch: 8\n", ModelConfig.class))
                .isInstanceOf(TextFormat.ParseException.class).hasMessageContaining("max_batch");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TextFormat.parse(
                        "instance_group [ { kind: KIND_TPU } ]\n", ModelConfig.class))
                .isInstanceOf(TextFormat.ParseException.class).hasMessageContaining("KIND_TPU");
    }

    private static ModelConfig parse(Path pbtxt) throws Exception {
        return TextFormat.parse(Files.readString(pbtxt), ModelConfig.class);
    }

    /** A sidecar shape ["N", c, h, w] without its batch axis. */
    private static List<Long> perRow(JsonNode shape) {
        List<Long> dims = new ArrayList<>();
        for (int i = 1; i < shape.size(); i++) {
            dims.add(shape.get(i).asLong());
        }
        return dims;
    }

    private static String withBatch(List<Long> dims) {
        List<Long> all = new ArrayList<>();
        all.add(-1L);
        all.addAll(dims);
        return all.toString();
    }

    /** "in NAME float [dims]" / "out ..." for every input and output ONNX Runtime finds in the file. */
    private static List<String> onnxTensors(Path onnx) throws Exception {
        byte[] bytes = Files.readAllBytes(onnx);
        List<String> found = new ArrayList<>();
        try (Env env = new Env(ORT_LOGGING_LEVEL_ERROR, "export-model-test");
             SessionOptions opts = new SessionOptions();
             BytePointer model = new BytePointer(bytes);
             Session session = new Session(env, model, bytes.length, opts)) {
            StringVector ins = session.GetInputNames();
            for (long i = 0; i < ins.size(); i++) {
                found.add("in " + ins.get(i).getString() + " " + tensor(session.GetInputTypeInfo(i)));
            }
            StringVector outs = session.GetOutputNames();
            for (long i = 0; i < outs.size(); i++) {
                found.add("out " + outs.get(i).getString() + " " + tensor(session.GetOutputTypeInfo(i)));
            }
        }
        return found;
    }

    private static String tensor(TypeInfo info) {
        ConstTensorTypeAndShapeInfo t = info.GetTensorTypeAndShapeInfo();
        long[] d = new long[(int) t.GetDimensionsCount()];
        t.GetDimensions(d, d.length);
        List<Long> dims = new ArrayList<>();
        for (long v : d) {
            dims.add(v);
        }
        return (t.GetElementType() == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT ? "float" : "type" + t.GetElementType())
                + " " + dims;
    }

    private static byte[] resource(String path) throws Exception {
        try (InputStream in = TritonExportTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return in.readAllBytes();
        }
    }
}
