package org.intravis.inference.remote;

import com.google.protobuf.ByteString;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelReadyRequest;
import inference.GrpcService.ServerLiveRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import org.bytedeco.javacpp.FloatPointer;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceException;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.onnx.OnnxBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * An inference node on loopback serving the bundled ultrasound model, asked with messages built from the classes
 * protoc generates from Triton's {@code grpc_service.proto} (the published definition), and the edge's
 * {@link RemoteBackend} against it: answers equal to the same model run in process, the metadata check, the
 * refusals, the deadline, and an unreachable server with and without the local fallback.
 */
class InferenceNodeTest {
    static final String TOKEN = "Bearer ivt_test.secret";
    static Vertx vertx;
    static InferenceNode node;
    static OnnxBackend local;
    static ModelSource ultrasound;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        ultrasound = ModelSource.locate("ultrasound", null);
        local = OnnxBackend.load(ultrasound, new BackendOptions("cpu", 4, 1, 1));
        node = InferenceNode.start(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(0), Map.of(
                        "ultrasound", OnnxBackend.load(ultrasound, new BackendOptions("cpu", 4, 1, 1)),
                        "fluoroscopy", OnnxBackend.load(ModelSource.locate("fluoroscopy", null),
                                new BackendOptions("cpu", 4, 1, 1))),
                (rpc, authorization, address) -> TOKEN.equals(authorization) ? Future.succeededFuture()
                        : Future.failedFuture(new StatusException(GrpcStatus.UNAUTHENTICATED, "a token is needed")));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        if (local != null) {
            local.close();
        }
        vertx.close();
    }

    static String url() {
        return "grpc://127.0.0.1:" + node.port();
    }

    static RemoteSettings settings(String url, String token, boolean fallback, String remoteModel) {
        return new RemoteSettings(url, List.of(), remoteModel, null, token, 2, 2000, fallback, 100, 400);
    }

    /** Rows of a deterministic input pattern (normalised grey levels with structure the network responds to). */
    static float[] input(ModelSpec spec, int rows, int seed) {
        float[] x = new float[spec.inputRowFloats() * rows];
        for (int i = 0; i < x.length; i++) {
            int px = i % spec.width();
            int py = (i / spec.width()) % spec.height();
            x[i] = (float) (Math.sin((px + seed * 7) * 0.11) * Math.cos(py * 0.07 + seed) * 2.0
                    + ((px - py + seed * 13) % 40 == 0 ? 3 : 0));
        }
        return x;
    }

    static float[] runLocally(float[] in, int rows) throws InferenceException {
        ModelSpec spec = local.spec();
        new FloatPointer(local.inputRow(0, 0)).capacity(in.length).limit(in.length).put(in);
        for (int r = 0; r < rows; r++) {
            local.inputRow(0, r).put(in, r * spec.inputRowFloats(), spec.inputRowFloats());
        }
        local.run(0, rows);
        float[] out = new float[spec.outputRowFloats() * rows];
        for (int r = 0; r < rows; r++) {
            local.outputRow(0, r).get(out, r * spec.outputRowFloats(), spec.outputRowFloats());
        }
        return out;
    }

    static ByteString raw(float[] x) {
        ByteBuffer b = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(x);
        return ByteString.copyFrom(b.array());
    }

    static float[] floats(ByteString raw) {
        float[] x = new float[raw.size() / 4];
        raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(x);
        return x;
    }

    static <T> T result(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void aModelInferBuiltFromTheProtocolsClassesIsAnsweredWithTheModelsOutputs() throws Exception {
        ModelSpec spec = ultrasound.spec();
        try (InferenceLink link = new InferenceLink(settings(url(), "ivt_test.secret", false, ""))) {
            assertThat(result(link.call(InferenceProtocol.SERVER_LIVE, ServerLiveRequest.getDefaultInstance(), 5000))
                    .getLive()).isTrue();
            assertThat(result(link.call(InferenceProtocol.MODEL_READY,
                    ModelReadyRequest.newBuilder().setName("ultrasound").build(), 5000)).getReady()).isTrue();
            assertThat(result(link.call(InferenceProtocol.MODEL_READY,
                    ModelReadyRequest.newBuilder().setName("endoscopy").build(), 5000)).getReady()).isFalse();

            ModelMetadataResponse meta = result(link.call(InferenceProtocol.MODEL_METADATA,
                    ModelMetadataRequest.newBuilder().setName("ultrasound").build(), 5000));
            assertThat(meta.getInputsList()).singleElement().satisfies(t -> {
                assertThat(t.getName()).isEqualTo("image");
                assertThat(t.getDatatype()).isEqualTo("FP32");
                assertThat(t.getShapeList()).containsExactly(-1L, 1L, 256L, 256L);
            });
            assertThat(meta.getOutputsList()).singleElement().satisfies(t -> {
                assertThat(t.getName()).isEqualTo(spec.outputName());
                assertThat(t.getDatatype()).isEqualTo("FP32");
                assertThat(t.getShapeList()).containsExactly(-1L, (long) spec.outputChannelCount(), 256L, 256L);
            });

            float[] in = input(spec, 3, 1);
            ModelInferRequest request = ModelInferRequest.newBuilder()
                    .setModelName("ultrasound").setId("req-1")
                    .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("FP32")
                            .addShape(3).addShape(1).addShape(256).addShape(256))
                    .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName(spec.outputName()))
                    .addRawInputContents(raw(in))
                    .build();
            ModelInferResponse answer = result(link.call(InferenceProtocol.MODEL_INFER, request, 30_000));
            assertThat(answer.getId()).isEqualTo("req-1");
            assertThat(answer.getOutputs(0).getShapeList()).containsExactly(3L, (long) spec.outputChannelCount(), 256L, 256L);
            float[] remote = floats(answer.getRawOutputContents(0));
            float[] here = runLocally(in, 3);
            assertThat(remote).hasSize(here.length);
            assertThat(maxDifference(remote, here)).isLessThan(1e-4f);
            assertThat(maxDifference(here, new float[here.length])).as("the outputs are not all zero").isGreaterThan(0.1f);

            // a request that breaks the contract is refused with the reason
            ModelInferRequest wrongShape = request.toBuilder().setInputs(0, request.getInputs(0).toBuilder()
                    .setShape(2, 128)).build();
            assertThatThrownBy(() -> result(link.call(InferenceProtocol.MODEL_INFER, wrongShape, 5000)))
                    .hasRootCauseInstanceOf(RemoteCallException.class)
                    .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("[N, 1, 256, 256]");
        }
    }

    /**
     * gRPC's standard health check answers without a token (Kubernetes' probe has none), on the node's port and on
     * its plain health port, which serves nothing else: a ModelInfer or ModelReady there is not answered.
     */
    @Test
    void theHealthCheckAnswersWithoutATokenAndTheHealthPortServesNothingElse() throws Exception {
        try (InferenceNode probed = InferenceNode.start(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(0),
                Map.of("fluoroscopy", OnnxBackend.load(ModelSource.locate("fluoroscopy", null),
                        new BackendOptions("cpu", 1, 1, 1))),
                (rpc, authorization, address) -> Future.failedFuture(
                        new StatusException(GrpcStatus.UNAUTHENTICATED, "a token is needed")),
                new HttpServerOptions().setHost("127.0.0.1").setPort(0))) {
            assertThat(probed.healthPort()).isPositive().isNotEqualTo(probed.port());
            for (int port : new int[] {probed.port(), probed.healthPort()}) {
                try (InferenceLink link = new InferenceLink(settings("grpc://127.0.0.1:" + port, "", false, ""))) {
                    assertThat(result(link.call(InferenceProtocol.HEALTH_CHECK, HealthCheckRequest.getDefaultInstance(),
                            5000)).getStatus()).isEqualTo(ServingStatus.SERVING);
                    assertThat(result(link.call(InferenceProtocol.HEALTH_CHECK, HealthCheckRequest.newBuilder()
                            .setService("fluoroscopy").build(), 5000)).getStatus()).isEqualTo(ServingStatus.SERVING);
                    assertThatThrownBy(() -> result(link.call(InferenceProtocol.HEALTH_CHECK,
                            HealthCheckRequest.newBuilder().setService("ultrasound").build(), 5000)))
                            .hasRootCauseInstanceOf(RemoteCallException.class).hasMessageContaining("NOT_FOUND");
                }
            }
            try (InferenceLink link = new InferenceLink(settings("grpc://127.0.0.1:" + probed.healthPort(),
                    "ivt_test.secret", false, ""))) {
                assertThatThrownBy(() -> result(link.call(InferenceProtocol.MODEL_INFER, ModelInferRequest.newBuilder()
                        .setModelName("fluoroscopy").build(), 5000)))
                        .hasRootCauseInstanceOf(RemoteCallException.class).hasMessageContaining("UNIMPLEMENTED");
                assertThatThrownBy(() -> result(link.call(InferenceProtocol.MODEL_READY, ModelReadyRequest.newBuilder()
                        .setName("fluoroscopy").build(), 5000)))
                        .hasRootCauseInstanceOf(RemoteCallException.class).hasMessageContaining("UNIMPLEMENTED");
            }
        }
    }

    @Test
    void aCallWithoutOrWithAWrongTokenIsRefused() throws Exception {
        for (String token : new String[] {"", "ivt_test.wrong"}) {
            try (InferenceLink link = new InferenceLink(settings(url(), token, false, ""))) {
                assertThatThrownBy(() -> result(link.call(InferenceProtocol.MODEL_INFER, ModelInferRequest.newBuilder()
                        .setModelName("ultrasound").build(), 5000)))
                        .hasRootCauseInstanceOf(RemoteCallException.class).hasMessageContaining("UNAUTHENTICATED");
                assertThatThrownBy(() -> RemoteBackend.open(ultrasound, new BackendOptions("cpu", 2, 2, 1),
                        settings(url(), token, false, ""), null))
                        .isInstanceOf(ModelLoadException.class).hasMessageContaining("refused")
                        .hasMessageContaining("UNAUTHENTICATED");
            }
        }
    }

    @Test
    void theRemoteBackendGivesTheSameOutputsAsInProcessAndDeclinesACallThatWouldMissItsBudget() throws Exception {
        ModelSpec spec = ultrasound.spec();
        try (RemoteBackend remote = RemoteBackend.open(ultrasound, new BackendOptions("cpu", 4, 2, 1),
                settings(url(), "ivt_test.secret", false, ""), null)) {
            float[] in = input(spec, 2, 5);
            for (int r = 0; r < 2; r++) {
                remote.inputRow(1, r).put(in, r * spec.inputRowFloats(), spec.inputRowFloats());
            }
            assertThat(remote.runWithin(1, 2, System.nanoTime() + TimeUnit.SECONDS.toNanos(30))).isTrue();
            float[] out = new float[spec.outputRowFloats() * 2];
            for (int r = 0; r < 2; r++) {
                remote.outputRow(1, r).get(out, r * spec.outputRowFloats(), spec.outputRowFloats());
            }
            assertThat(maxDifference(out, runLocally(in, 2))).isLessThan(1e-4f);
            assertThat(remote.callsMade()).isEqualTo(1);

            assertThat(remote.runWithin(1, 1, System.nanoTime())).as("no time left: not made").isFalse();
            assertThat(remote.notMadeForBudget()).isEqualTo(1);
            assertThat(remote.callsMade()).isEqualTo(1);
            assertThat(remote.link()).contains(url() + " up").contains("not made for the budget 1");
        }
    }

    @Test
    void aServerHoldingAnotherModelIsAClearErrorAtLoad() {
        assertThatThrownBy(() -> RemoteBackend.open(ultrasound, new BackendOptions("cpu", 2, 2, 1),
                settings(url(), "ivt_test.secret", false, "fluoroscopy"), null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("does not match the sidecar of 'ultrasound'")
                .hasMessageContaining("output");
    }

    @Test
    void anUnreachableServerFailsTheRunOrHandsItToTheFallbackAndIsFoundAgainWhenItComes() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "grpc://127.0.0.1:" + port;
        ModelSpec spec = ultrasound.spec();
        float[] in = input(spec, 1, 9);
        try (RemoteBackend alone = RemoteBackend.open(ultrasound, new BackendOptions("cpu", 2, 2, 1),
                settings(url, "ivt_test.secret", false, ""), null);
             RemoteBackend helped = RemoteBackend.open(ultrasound, new BackendOptions("cpu", 2, 2, 1),
                     settings(url, "ivt_test.secret", true, ""),
                     OnnxBackend.load(ultrasound, new BackendOptions("cpu", 2, 2, 1)))) {
            assertThat(alone.reachable()).isFalse();
            assertThat(alone.canWarmUp()).isFalse();
            alone.inputRow(0, 0).put(in);
            assertThatThrownBy(() -> alone.runWithin(0, 1, System.nanoTime() + TimeUnit.SECONDS.toNanos(5)))
                    .isInstanceOf(InferenceException.class)
                    .satisfies(e -> assertThat(((InferenceException) e).overlayReason())
                            .isEqualTo("inference server unreachable"));
            assertThat(alone.link()).contains("inference server unreachable since");

            helped.inputRow(0, 0).put(in);
            assertThat(helped.runWithin(0, 1, System.nanoTime() + TimeUnit.SECONDS.toNanos(5))).isTrue();
            assertThat(helped.fallbackRuns()).isEqualTo(1);
            float[] out = new float[spec.outputRowFloats()];
            helped.outputRow(0, 0).get(out);
            assertThat(maxDifference(out, runLocally(in, 1))).isLessThan(1e-4f);
            assertThat(helped.link()).contains("local fallback on cpu (running)");

            // the server comes: the probe finds it (back-off at most 400 ms here) and calls go to it again
            InferenceNode late = InferenceNode.start(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(port),
                    Map.of("ultrasound", (InferenceBackend) OnnxBackend.load(ultrasound,
                            new BackendOptions("cpu", 2, 1, 1))),
                    (rpc, a, addr) -> Future.succeededFuture());
            try {
                await().atMost(10, TimeUnit.SECONDS).until(() -> alone.reachable() && helped.reachable());
                assertThat(alone.runWithin(0, 1, System.nanoTime() + TimeUnit.SECONDS.toNanos(30))).isTrue();
                assertThat(alone.callsMade()).isEqualTo(1);
                assertThat(helped.runWithin(0, 1, System.nanoTime() + TimeUnit.SECONDS.toNanos(30))).isTrue();
                assertThat(helped.callsMade()).isEqualTo(1);
                assertThat(helped.fallbackRuns()).isEqualTo(1);
            } finally {
                late.close();
            }
        }
    }

    @Test
    void aServerThatComesBackWithAnotherModelIsNotUsed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (RemoteBackend remote = RemoteBackend.open(ultrasound, new BackendOptions("cpu", 2, 2, 1),
                settings("grpc://127.0.0.1:" + port, "", false, ""), null)) {
            assertThat(remote.reachable()).isFalse();
            // the fluoroscopy network, served under the ultrasound model's name
            InferenceNode wrong = InferenceNode.start(vertx, new HttpServerOptions().setHost("127.0.0.1").setPort(port),
                    Map.of("ultrasound", (InferenceBackend) OnnxBackend.load(ModelSource.locate("fluoroscopy", null),
                            new BackendOptions("cpu", 2, 1, 1))),
                    (rpc, a, addr) -> Future.succeededFuture());
            try {
                await().atMost(10, TimeUnit.SECONDS).until(remote::reachable);
                for (int i = 0; i < 2; i++) {
                    assertThatThrownBy(() -> remote.runWithin(0, 1, System.nanoTime() + TimeUnit.SECONDS.toNanos(30)))
                            .isInstanceOf(InferenceException.class)
                            .satisfies(e -> assertThat(((InferenceException) e).overlayReason())
                                    .isEqualTo("inference server holds another model"));
                }
                assertThat(remote.callsMade()).isZero();
                assertThat(remote.link()).contains("unusable").contains("does not match the sidecar");
            } finally {
                wrong.close();
            }
        }
    }

    @Test
    void requestsOfSeveralClientsAtOnceAreEachAnsweredWithTheirOwnRows() throws Exception {
        ModelSpec spec = ultrasound.spec();
        List<InferenceLink> links = new ArrayList<>();
        List<Future<ModelInferResponse>> answers = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        try {
            for (int c = 0; c < 6; c++) {
                InferenceLink link = new InferenceLink(settings(url(), "ivt_test.secret", false, ""));
                links.add(link);
                float[] in = input(spec, 1, 20 + c);
                inputs.add(in);
                answers.add(link.call(InferenceProtocol.MODEL_INFER, ModelInferRequest.newBuilder()
                        .setModelName("ultrasound")
                        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image")
                                .setDatatype("FP32").addShape(1).addShape(1).addShape(256).addShape(256))
                        .addRawInputContents(raw(in)).build(), 60_000));
            }
            for (int c = 0; c < answers.size(); c++) {
                float[] remote = floats(result(answers.get(c)).getRawOutputContents(0));
                assertThat(maxDifference(remote, runLocally(inputs.get(c), 1))).as("client " + c).isLessThan(1e-4f);
            }
        } finally {
            links.forEach(InferenceLink::close);
        }
    }

    static float maxDifference(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
