package org.intravis.inference.remote;

import com.google.protobuf.MessageLite;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelReadyRequest;
import inference.GrpcService.ModelReadyResponse;
import inference.GrpcService.ServerLiveRequest;
import inference.GrpcService.ServerLiveResponse;
import inference.GrpcService.ServerReadyRequest;
import inference.GrpcService.ServerReadyResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;

/**
 * The part of the Open Inference Protocol (KServe v2 over gRPC, {@code inference.GRPCInferenceService} as Triton's
 * {@code grpc_service.proto} defines it) that intravis speaks, as Vert.x gRPC methods over the classes protoc
 * generates from that file: one {@link Rpc} per call, with its client and server halves.
 */
public final class InferenceProtocol {
    public static final ServiceName SERVICE = ServiceName.create("inference", "GRPCInferenceService");
    /** gRPC's standard health service ({@code health.proto}), which Kubernetes' gRPC probes ask. */
    public static final ServiceName HEALTH = ServiceName.create("grpc.health.v1", "Health");
    /** Triton's name for float32 tensors. */
    public static final String FP32 = "FP32";
    /** The call metadata that carries the token: {@code authorization: Bearer ivt_...}. */
    public static final String AUTHORIZATION = "authorization";

    public static final Rpc<ServerLiveRequest, ServerLiveResponse> SERVER_LIVE =
            new Rpc<>("ServerLive", ServerLiveRequest.getDefaultInstance(), ServerLiveResponse.getDefaultInstance());
    public static final Rpc<ServerReadyRequest, ServerReadyResponse> SERVER_READY =
            new Rpc<>("ServerReady", ServerReadyRequest.getDefaultInstance(), ServerReadyResponse.getDefaultInstance());
    public static final Rpc<ModelReadyRequest, ModelReadyResponse> MODEL_READY =
            new Rpc<>("ModelReady", ModelReadyRequest.getDefaultInstance(), ModelReadyResponse.getDefaultInstance());
    public static final Rpc<ModelMetadataRequest, ModelMetadataResponse> MODEL_METADATA =
            new Rpc<>("ModelMetadata", ModelMetadataRequest.getDefaultInstance(),
                    ModelMetadataResponse.getDefaultInstance());
    public static final Rpc<ModelInferRequest, ModelInferResponse> MODEL_INFER =
            new Rpc<>("ModelInfer", ModelInferRequest.getDefaultInstance(), ModelInferResponse.getDefaultInstance());
    /** Serving or not, for the node ({@code service} empty) or one of its models (by name). */
    public static final Rpc<HealthCheckRequest, HealthCheckResponse> HEALTH_CHECK = new Rpc<>(HEALTH, "Check",
            HealthCheckRequest.getDefaultInstance(), HealthCheckResponse.getDefaultInstance());

    private InferenceProtocol() {
    }

    /** One unary call: its name and how each side encodes and decodes it (protobuf binary, the wire's format). */
    public static final class Rpc<Q extends MessageLite, A extends MessageLite> {
        private final String name;
        private final ServiceMethod<A, Q> client;
        private final ServiceMethod<Q, A> server;

        Rpc(String name, Q request, A answer) {
            this(SERVICE, name, request, answer);
        }

        Rpc(ServiceName service, String name, Q request, A answer) {
            this.name = name;
            this.client = ServiceMethod.client(service, name, GrpcMessageEncoder.encoder(),
                    GrpcMessageDecoder.decoder((com.google.protobuf.MessageOrBuilder) answer));
            this.server = ServiceMethod.server(service, name, GrpcMessageEncoder.encoder(),
                    GrpcMessageDecoder.decoder((com.google.protobuf.MessageOrBuilder) request));
        }

        public String name() { return name; }
        /** The method as a client calls it: sends Q, receives A. */
        public ServiceMethod<A, Q> client() { return client; }
        /** The method as a server answers it: receives Q, sends A. */
        public ServiceMethod<Q, A> server() { return server; }
    }
}
