package org.intravis.inference.remote;

import com.google.protobuf.MessageLite;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelReadyResponse;
import inference.GrpcService.ServerLiveResponse;
import inference.GrpcService.ServerReadyResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vertx.grpc.server.StatusException;
import org.intravis.inference.InferenceBackend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * intravis as an inference node: the Open Inference Protocol's ServerLive, ServerReady, ModelReady, ModelMetadata and
 * ModelInfer over gRPC (HTTP/2; TLS when the options carry a certificate), each model run by a {@link NodeBatcher}
 * that batches the requests of all clients. Every call but the health questions (up or down only, like the HTTP
 * server's {@code /health}: ServerLive, ServerReady, ModelReady and gRPC's standard {@code grpc.health.v1.Health/Check})
 * passes the {@link CallGuard} first, with its {@code authorization} metadata. Kubernetes' gRPC probe speaks neither
 * TLS nor tokens, so the node can also answer Health/Check, and nothing else, on a plain port of its own.
 */
public final class InferenceNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InferenceNode.class.getName());
    /** The platform the node reports in ModelMetadata (Triton's name for an ONNX Runtime model). */
    static final String PLATFORM = "onnxruntime_onnx";

    /** Decides whether a call may go on; a refusal fails with a {@link StatusException} (UNAUTHENTICATED, ...). */
    @FunctionalInterface
    public interface CallGuard {
        Future<Void> admit(String rpc, String authorization, String remoteAddress);
    }

    private final Map<String, NodeBatcher> models;
    private final List<HttpServer> servers;
    private final int port;
    private final int healthPort;

    private InferenceNode(Map<String, NodeBatcher> models, List<HttpServer> servers) {
        this.models = models;
        this.servers = servers;
        this.port = servers.get(0).actualPort();
        this.healthPort = servers.size() > 1 ? servers.get(1).actualPort() : -1;
    }

    /** As {@link #start(Vertx, HttpServerOptions, Map, CallGuard, HttpServerOptions)} without a health port. */
    public static InferenceNode start(Vertx vertx, HttpServerOptions options, Map<String, InferenceBackend> backends,
                                      CallGuard guard) throws Exception {
        return start(vertx, options, backends, guard, null);
    }

    /**
     * Serves {@code backends} (by the name clients use; each with one tensor set) on {@code options}' host and port
     * (0: a free one), and gRPC's health service alone on {@code healthOptions} (plain; null: no such port); blocks
     * until bound. Closing the node closes the backends.
     */
    public static InferenceNode start(Vertx vertx, HttpServerOptions options, Map<String, InferenceBackend> backends,
                                      CallGuard guard, HttpServerOptions healthOptions) throws Exception {
        Map<String, NodeBatcher> models = new LinkedHashMap<>();
        backends.forEach((name, b) -> models.put(name, new NodeBatcher(name, b)));
        GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions()
                .setMaxMessageSize(InferenceLink.MAX_MESSAGE_BYTES));
        Handlers h = new Handlers(models, guard);
        h.unary(grpc, InferenceProtocol.SERVER_LIVE, false,
                q -> Future.succeededFuture(ServerLiveResponse.newBuilder().setLive(true).build()));
        h.unary(grpc, InferenceProtocol.SERVER_READY, false,
                q -> Future.succeededFuture(ServerReadyResponse.newBuilder().setReady(true).build()));
        h.unary(grpc, InferenceProtocol.MODEL_READY, false,
                q -> Future.succeededFuture(ModelReadyResponse.newBuilder().setReady(models.containsKey(q.getName()))
                        .build()));
        h.unary(grpc, InferenceProtocol.MODEL_METADATA, true, q -> h.model(q.getName()).map(m ->
                ModelContract.metadata(q.getName(), m.backend().spec(), PLATFORM)));
        h.unary(grpc, InferenceProtocol.HEALTH_CHECK, false, q -> health(models, q));
        grpc.callHandler(InferenceProtocol.MODEL_INFER.server(), req -> {
            long timeoutMs = req.timeout();
            h.guarded(req, InferenceProtocol.MODEL_INFER, true, q -> h.model(q.getModelName())
                    .compose(m -> m.submit(q, timeoutMs, vertx.getOrCreateContext())));
        });
        options.setUseAlpn(options.isSsl()); // HTTP/2 over TLS is negotiated by ALPN; plain is h2c (prior knowledge)
        List<HttpServer> servers = new ArrayList<>();
        try {
            servers.add(listen(vertx, options, grpc));
            if (healthOptions != null) {
                GrpcServer health = GrpcServer.server(vertx);
                h.unary(health, InferenceProtocol.HEALTH_CHECK, false, q -> health(models, q));
                servers.add(listen(vertx, healthOptions.setSsl(false).setUseAlpn(false), health));
            }
        } catch (Exception e) {
            servers.forEach(HttpServer::close);
            models.values().forEach(NodeBatcher::stop);
            throw e;
        }
        LOG.info("inference node on " + options.getHost() + ":" + servers.get(0).actualPort()
                + (options.isSsl() ? " (TLS)" : "") + " serving " + models.keySet()
                + (servers.size() > 1 ? "; health only on " + healthOptions.getHost() + ":"
                + servers.get(1).actualPort() : ""));
        return new InferenceNode(models, servers);
    }

    private static HttpServer listen(Vertx vertx, HttpServerOptions options, GrpcServer grpc) throws Exception {
        return vertx.createHttpServer(options).requestHandler(grpc).listen()
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** SERVING for the node (empty service) and each model it serves; NOT_FOUND otherwise, as gRPC's health spec says. */
    private static Future<HealthCheckResponse> health(Map<String, NodeBatcher> models, HealthCheckRequest q) {
        if (q.getService().isEmpty() || models.containsKey(q.getService())) {
            return Future.succeededFuture(HealthCheckResponse.newBuilder()
                    .setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
        }
        return Future.failedFuture(new StatusException(GrpcStatus.NOT_FOUND, "unknown service " + q.getService()));
    }

    /** The call handlers, sharing the models and the guard. */
    private record Handlers(Map<String, NodeBatcher> models, CallGuard guard) {
        Future<NodeBatcher> model(String name) {
            NodeBatcher m = models.get(name);
            return m != null ? Future.succeededFuture(m) : Future.failedFuture(new StatusException(
                    GrpcStatus.NOT_FOUND, "no model '" + name + "' on this node (it serves " + models.keySet() + ")"));
        }

        <Q extends MessageLite, A extends MessageLite> void unary(GrpcServer grpc, InferenceProtocol.Rpc<Q, A> rpc,
                                                                  boolean needsToken, Function<Q, Future<A>> answer) {
            grpc.callHandler(rpc.server(), req -> guarded(req, rpc, needsToken, answer));
        }

        <Q extends MessageLite, A extends MessageLite> void guarded(io.vertx.grpc.server.GrpcServerRequest<Q, A> req,
                                                                    InferenceProtocol.Rpc<Q, A> rpc, boolean needsToken,
                                                                    Function<Q, Future<A>> answer) {
            Future<Q> message = req.last(); // taken now: the message may arrive while the guard decides
            String address = req.connection().remoteAddress() == null ? "?"
                    : req.connection().remoteAddress().hostAddress();
            Future<Void> admitted = needsToken
                    ? guard.admit(rpc.name(), req.headers().get(InferenceProtocol.AUTHORIZATION), address)
                    : Future.succeededFuture();
            admitted.compose(v -> message).compose(answer).onComplete(ar -> {
                GrpcServerResponse<Q, A> resp = req.response();
                if (ar.succeeded()) {
                    resp.send(ar.result());
                } else if (ar.cause() instanceof StatusException s) {
                    resp.status(s.status()).statusMessage(s.message()).end();
                } else {
                    resp.status(GrpcStatus.INTERNAL).statusMessage(String.valueOf(ar.cause().getMessage())).end();
                }
            });
        }
    }

    public int port() {
        return port;
    }

    /** The plain health port, or -1 when the node has none. */
    public int healthPort() {
        return healthPort;
    }

    /** Batches run and rows inferred per model (for the log and tests). */
    public Map<String, long[]> statistics() {
        Map<String, long[]> out = new LinkedHashMap<>();
        models.forEach((n, m) -> out.put(n, new long[] {m.requests(), m.runs(), m.rowsRun()}));
        return out;
    }

    @Override
    public void close() {
        for (HttpServer server : servers) {
            try {
                server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warning("closing the inference node: " + e.getMessage());
            }
        }
        for (NodeBatcher m : models.values()) {
            m.stop();
            m.backend().close();
        }
    }
}
