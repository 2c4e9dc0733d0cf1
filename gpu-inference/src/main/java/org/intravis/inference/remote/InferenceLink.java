package org.intravis.inference.remote;

import com.google.protobuf.MessageLite;
import inference.GrpcService.ServerReadyRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.common.GrpcStatus;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The client side of one inference server: a Vert.x gRPC client (HTTP/2, TLS for {@code grpcs://} with the
 * configured trust, the token in every call's metadata) on an event loop of its own, a bound on the calls in flight,
 * and the server's reachability: a call that cannot reach it marks the link down, and a probe ({@code ServerReady})
 * then runs with exponential back-off until it answers. While down no call is attempted, so a frame costs nothing
 * waiting on a dead server.
 */
public final class InferenceLink implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InferenceLink.class.getName());
    /** Frames of several rows at full resolution exceed gRPC's customary 4 MB. */
    static final long MAX_MESSAGE_BYTES = 256L * 1024 * 1024;

    private final RemoteSettings settings;
    private final Vertx vertx;
    private final GrpcClient client;
    private final SocketAddress address;
    private final String bearer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean up = true;
    private volatile String downReason = "";
    private volatile long downSinceMillis;
    private long backoffMs;
    private boolean probing;
    private boolean closed;

    public InferenceLink(RemoteSettings settings) {
        this.settings = settings;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        HttpClientOptions http = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.connectTimeoutMs()));
        if (settings.tls()) {
            http.setSsl(true).setUseAlpn(true).setVerifyHost(true);
            if (settings.trustCert() != null) {
                http.setTrustOptions(new PemTrustOptions().addCertPath(settings.trustCert().toString()));
            }
        }
        this.client = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(MAX_MESSAGE_BYTES), http);
        this.address = SocketAddress.inetSocketAddress(settings.port(), settings.host());
        this.bearer = settings.token().isEmpty() ? null : "Bearer " + settings.token();
        this.backoffMs = settings.reconnectInitialMs();
    }

    public RemoteSettings settings() {
        return settings;
    }

    /** Whether calls are attempted (false from a failure to reach the server until a probe answers). */
    public boolean up() {
        return up;
    }

    /** Why the server is down ("" while up). */
    public String downReason() {
        return downReason;
    }

    public long downSinceMillis() {
        return downSinceMillis;
    }

    /** Takes one of the {@code maxInFlight} call permits; false when all are taken (the call must not be made). */
    public boolean tryAcquire() {
        while (true) {
            int n = inFlight.get();
            if (n >= settings.maxInFlight()) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void release() {
        inFlight.decrementAndGet();
    }

    /** One unary call with the token and a deadline (the server sees it as {@code grpc-timeout}). */
    public <Q extends MessageLite, A extends MessageLite> Future<A> call(InferenceProtocol.Rpc<Q, A> rpc, Q request,
                                                                         long timeoutMs) {
        return client.request(address, rpc.client()).compose(req -> {
            if (bearer != null) {
                req.headers().set(InferenceProtocol.AUTHORIZATION, bearer);
            }
            req.timeout(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
            return req.send(request).compose(resp -> resp.last().recover(err -> {
                GrpcStatus s = resp.status();
                return Future.failedFuture(new RemoteCallException(rpc.name(), s == null ? GrpcStatus.UNKNOWN : s,
                        resp.statusMessage() == null || resp.statusMessage().isEmpty()
                                ? String.valueOf(err.getMessage()) : resp.statusMessage()));
            }));
        }).recover(err -> Future.failedFuture(err instanceof RemoteCallException ? err
                : new RemoteCallException(rpc.name(), null, describe(err))));
    }

    /**
     * The server could not be reached (or answered UNAVAILABLE): calls stop until a probe answers. The probe waits
     * {@code reconnectInitialMs}, doubling up to {@code reconnectMaxMs}.
     */
    public synchronized void markDown(String reason) {
        if (closed) {
            return;
        }
        if (up) {
            up = false;
            downSinceMillis = System.currentTimeMillis();
            LOG.warning("inference server " + settings.url() + " unreachable (" + reason + "); probing with back-off"
                    + (settings.fallback() ? ", the local model runs meanwhile" : ""));
        }
        downReason = reason;
        if (!probing) {
            probing = true;
            scheduleProbe();
        }
    }

    private void scheduleProbe() {
        long wait = backoffMs;
        backoffMs = Math.min(settings.reconnectMaxMs(), backoffMs * 2);
        vertx.setTimer(wait, t -> call(InferenceProtocol.SERVER_READY, ServerReadyRequest.getDefaultInstance(),
                settings.connectTimeoutMs()).onComplete(ar -> probed(ar.succeeded() && ar.result().getReady(),
                ar.succeeded() ? "not ready" : ar.cause().getMessage())));
    }

    private synchronized void probed(boolean ready, String reason) {
        if (closed) {
            return;
        }
        if (ready) {
            probing = false;
            backoffMs = settings.reconnectInitialMs();
            downReason = "";
            up = true;
            LOG.info("inference server " + settings.url() + " reachable again");
        } else {
            downReason = reason;
            scheduleProbe();
        }
    }

    /** Whether a failed call means the server is not there (as opposed to a refusal or a bad request). */
    public static boolean unreachable(Throwable t) {
        if (t instanceof RemoteCallException r) {
            return r.status() == null || r.status() == GrpcStatus.UNAVAILABLE;
        }
        return true;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        Throwable c = t.getCause();
        return c != null && c.getMessage() != null && !m.contains(c.getMessage()) ? m + ": " + c.getMessage() : m;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
        vertx.close();
    }
}
