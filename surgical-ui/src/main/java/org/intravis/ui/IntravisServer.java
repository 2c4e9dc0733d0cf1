package org.intravis.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.intravis.inference.ZoneStore;

import java.net.BindException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP server (Vert.x): the browser pages, the REST API, health and metrics. Handlers only read immutable
 * reports or hand work to worker threads; nothing of the pipeline runs on the event loop.
 * <pre>
 *   (first: the access rules, {@link AccessRules}: Origin, session, login, credential, role; docs/security.md)
 *   POST /api/login, /api/logout        a token for the session cookie ({@link LoginRoutes}); GET /login
 *   GET /health                         liveness (and per-stream state while open)
 *   GET /api/audit                      the audit trail, a page at a time (admin; {@link AuditRoutes})
 *   GET /metrics                        Prometheus text format
 *   GET /api/streams                    every stream: source, status, resolution, fps, drops, latency percentiles
 *   GET /api/streams/ID                 one stream
 *   GET /api/streams/ID/snapshot.jpg    the newest frame as a JPEG still
 *   GET /api/inference                  device asked for and in use, models (version, state, batches), streams
 *   POST /api/streams/ID/inference/pause|resume
 *   GET|PUT|POST|DELETE /api/streams/ID/zones   surgeon-drawn no-go polygons
 *   GET|POST|DELETE /api/streams/ID/zones[/ZONE]   drawn no-go zones ({@link ZoneRoutes})
 *   GET /api/streams/ID/clients         streaming: encoders and per-client stats (sent, dropped, bytes)
 *   POST /api/streams/ID/recording/start|stop, GET /api/streams/ID/recording, GET /api/recordings
 *   GET|POST /api/streams/ID/replay     replay position and controls ({@link RecordingRoutes})
 *   GET|POST|DELETE /api/streams/ID/replay/needle-marks   needle tips marked on a paused replay ({@link NeedleMarkRoutes})
 *   GET /ws/streams/ID                  WebSocket: video, overlays, alerts (docs/protocol.md)
 *   GET /streams/ID/burned.mjpeg        burned-in overlay as MJPEG for plain displays
 *   GET /display?stream=ID, /surgeon    the OR display and the surgeon's page
 *   GET /*                              pages from the jar (webroot/)
 * </pre>
 */
public final class IntravisServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final Engine engine;
    private final StatsSampler stats;
    private final ZoneStore zones;
    private final Vertx vertx;
    private HttpServer server;
    private AccessRules access;
    private StreamRequests requests;
    private Router router;

    public IntravisServer(Engine engine, StatsSampler stats) {
        this(engine, stats, null);
    }

    /** With {@code zones}: the no-go zone routes too. */
    public IntravisServer(Engine engine, StatsSampler stats, ZoneStore zones) {
        this.engine = engine;
        this.stats = stats;
        this.zones = zones;
        this.vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(4));
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Binds and serves plain HTTP; a busy port becomes a {@link UserError} naming it. */
    public int listen(String host, int port) {
        return listen(host, port, ServerTls.NONE);
    }

    /** Binds and serves, over HTTPS/WSS when {@code tls} is enabled. */
    int listen(String host, int port, ServerTls tls) {
        // No cleartext HTTP/2: browsers never use it, and an h2c upgrade is how requests are smuggled past a
        // reverse proxy's own rules; the JDK's client took it in the tests (see SecurityHeadersTest)
        HttpServerOptions options = tls.applyTo(new HttpServerOptions().setHost(host).setPort(port)
                .setTcpNoDelay(true).setHttp2ClearTextEnabled(false));
        Path dataDir = Path.of(engine.config().dataDir);
        // the session cookie is marked Secure when the options serve TLS
        access = new AccessRules(vertx, new TokenStore(dataDir), new AuditTrail(dataDir),
                engine.config().server.allowedOrigins, ListenAddress.isLoopback(host), options.isSsl());
        router = Router.router(vertx);
        SecurityHeaders.mount(router); // first: every response below carries them, refusals included
        access.mount(router, engine.hub()); // then: every route below is behind the access rules (docs/security.md)
        router.get("/health").handler(this::health);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                .end(PrometheusMetrics.render(stats.reports())));
        router.get("/api/streams").handler(ctx -> json(ctx, 200, stats.reports()));
        router.get("/api/streams/:id").handler(this::oneStream);
        router.get("/api/streams/:id/snapshot.jpg").handler(this::snapshot);
        router.get("/api/inference").handler(ctx -> engine.inference().ifPresentOrElse(
                i -> json(ctx, 200, i.status()), () -> json(ctx, 200, Map.of("enabled", false))));
        router.post("/api/streams/:id/inference/:action").handler(this::pauseOrResume);
        requests = new StreamRequests(engine, vertx, access.audit());
        if (zones != null) {
            new ZoneRoutes(zones, requests).mount(router);
        }
        new RecordingRoutes(requests).mount(router);
        new NeedleMarkRoutes(requests, dataDir).mount(router);
        new AuditRoutes(access.audit(), vertx).mount(router);
        router.get("/api/streams/:id/clients").handler(ctx -> engine.hub().stats(ctx.pathParam("id")).ifPresentOrElse(
                st -> json(ctx, 200, st), () -> json(ctx, 404, Map.of("error", "no stream '" + ctx.pathParam("id") + "'"))));
        engine.hub().mount(vertx, router); // /ws/streams/:id, /streams/:id/burned.mjpeg, /streams/:id/video.mjpeg
        Pages.mount(router); // /display, /surgeon, and every page from the jar

        server = vertx.createHttpServer(options);
        server.requestHandler(router);
        try {
            server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("in use")) {
                throw new UserError("port " + port + " on " + host + " is already in use: stop the program using it "
                        + "or choose another port with --port", cause);
            }
            throw new UserError("cannot listen on " + host + ":" + port + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while starting the server");
        } catch (TimeoutException e) {
            throw new UserError("the server did not start listening within 30 s");
        }
        return server.actualPort();
    }

    /** The router with every route mounted (tests walk it to hold each route to the access rules). */
    Router router() {
        return router;
    }

    /** A session removed by {@code recording.keepGb} or {@code keepDays}: in the audit trail, by the system. */
    void auditRemoved(RecordingRetention.Removed r) {
        access.audit().append(new AuditTrail.Actor("recording-retention", "system", "local"),
                r.stream().isEmpty() ? null : r.stream(), "recording.removed", Map.of("session",
                        r.dir().getFileName().toString(), "bytes", r.bytes(), "startedAt", r.startedAt().toString(),
                        "why", r.why()));
    }

    /** Up or degraded; the streams by name only while the server is open (no tokens, loopback). */
    private void health(RoutingContext ctx) {
        List<StreamReport> reports = stats.reports();
        Map<String, String> streams = new LinkedHashMap<>();
        boolean degraded = false;
        for (StreamReport r : reports) {
            streams.put(r.id(), r.status());
            degraded |= !"STREAMING".equals(r.status());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", degraded ? "degraded" : "ok");
        if (access.open()) {
            body.put("streams", streams);
        }
        json(ctx, 200, body);
    }

    private void oneStream(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Optional<StreamReport> r = stats.reports().stream().filter(s -> s.id().equals(id)).findFirst();
        if (r.isEmpty()) {
            json(ctx, 404, Map.of("error", "no stream '" + id + "'"));
        } else {
            json(ctx, 200, r.get());
        }
    }

    /** POST /api/streams/ID/inference/pause|resume: the overlay goes stale while the picture goes on. */
    private void pauseOrResume(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String action = ctx.pathParam("action");
        if (requests.stream(ctx).isEmpty()) {
            return; // answered 404
        }
        if (engine.inference().isEmpty()) {
            json(ctx, 409, Map.of("error", "inference is off"));
        } else if (action.equals("pause")) {
            engine.inference().get().pause(id);
            requests.auditThenAnswer(ctx, id, "inference.pause", null,
                    () -> json(ctx, 200, Map.of("stream", id, "paused", true)));
        } else if (action.equals("resume")) {
            engine.inference().get().resume(id);
            requests.auditThenAnswer(ctx, id, "inference.resume", null,
                    () -> json(ctx, 200, Map.of("stream", id, "paused", false)));
        } else {
            json(ctx, 400, Map.of("error", "action must be pause or resume"));
        }
    }

    private void snapshot(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Optional<Engine.EngineStream> s = requests.stream(ctx);
        if (s.isEmpty()) {
            return;
        }
        vertx.executeBlocking(() -> {
            FrameSnapshots.Snapshot snap = s.get().snapshots().read();
            return snap == null ? null : SnapshotStills.jpeg(snap, engine.config().streaming.jpegQuality);
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                serverError(ctx, ar.cause());
            } else if (ar.result() == null) {
                json(ctx, 503, Map.of("error", "no frame yet on stream '" + id + "'"));
            } else {
                ctx.response().putHeader("content-type", "image/jpeg").putHeader("cache-control", "no-store")
                        .end(io.vertx.core.buffer.Buffer.buffer(ar.result()));
            }
        });
    }

    /** 500 with the failure's message (a worker's call that threw). */
    static void serverError(RoutingContext ctx, Throwable cause) {
        json(ctx, 500, Map.of("error", String.valueOf(cause.getMessage())));
    }

    static void json(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                    .end(JSON.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.response().setStatusCode(500).end("{\"error\":\"serialisation failed\"}");
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing at shutdown: nothing useful to do with a failure here
        }
    }
}
