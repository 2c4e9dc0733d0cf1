package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.streamer.StreamHub;
import org.intravis.streamer.StreamPublisher;
import org.intravis.streamer.StreamerSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The streaming server the browser tests drive: real pipelines from the test source, the real stream hub and the
 * real pages from the jar's webroot, on a real Vert.x HTTP server. Two pieces are fixtures until their owners'
 * work is on main: {@link FixtureAnnotator} (for inference) and the in-memory {@code GET/PUT
 * /api/streams/ID/zones} store (same JSON shape as docs/protocol.md). The zone store outlives a restart.
 */
final class StreamingTestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Zones by stream, shared across restarts of the server (as a real store on disk would be). */
    final Map<String, List<FixtureAnnotator.Zone>> zones;
    final Map<String, String> zonesJson;
    final int width;
    final int height;
    final double fps;
    final String streamId;
    java.nio.file.Path background;
    /** A source URI to use instead of the test pattern (e.g. synthetic:ultrasound); its ground truth drives the fixture. */
    String sourceUri;
    Vertx vertx;
    HttpServer http;
    StreamHub hub;
    StreamPipeline pipeline;
    TestPatternSource source;
    org.intravis.pipeline.FrameSource frameSource;
    FixtureAnnotator annotator;
    int port;

    StreamingTestServer(String streamId, int width, int height, double fps) {
        this(streamId, width, height, fps, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    }

    private StreamingTestServer(String streamId, int width, int height, double fps,
                                Map<String, List<FixtureAnnotator.Zone>> zones, Map<String, String> zonesJson) {
        this.streamId = streamId;
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.zones = zones;
        this.zonesJson = zonesJson;
    }

    /** A new server with the same zone store (for restart tests). */
    StreamingTestServer sibling() {
        StreamingTestServer s = new StreamingTestServer(streamId, width, height, fps, zones, zonesJson);
        s.sourceUri = sourceUri;
        s.background = background;
        return s;
    }

    StreamingTestServer start(int wantedPort) throws Exception {
        vertx = Vertx.vertx();
        hub = new StreamHub(new StreamerSettings().staleAfterMillis(500).conclude());
        StreamPublisher pub = hub.register(streamId);
        StreamPipeline.Context ctx = new StreamPipeline.Context().streamId(streamId).videoSink(pub)
                .annotationListener(pub).staleAfterMillis(500);
        java.util.function.Supplier<TruthSample> truth;
        if (sourceUri == null) {
            source = new TestPatternSource("testpattern:", width, height, fps, 4, background);
            frameSource = source;
            truth = source::latest;
        } else {
            frameSource = org.intravis.capture.FrameSources.create(sourceUri);
            GroundTruthReader reader = new GroundTruthReader();
            ctx.reader("gt-fixture", reader);
            truth = reader::latest;
        }
        frameSource.open(); // whoever assembles a pipeline opens its source first
        pipeline = new StreamPipeline(ctx.source(frameSource).conclude());
        pub.attach(pipeline);
        Router router = Router.router(vertx);
        router.get("/api/streams").handler(rc -> rc.response().putHeader("content-type", "application/json")
                .end("[{\"id\":\"" + streamId + "\",\"status\":\"" + frameSource.status() + "\"}]"));
        router.get("/api/streams/:id/zones").handler(rc -> rc.response().putHeader("content-type", "application/json")
                .end(zonesJson.getOrDefault(rc.pathParam("id"), "[]")));
        router.put("/api/streams/:id/zones").handler(BodyHandler.create().setBodyLimit(1 << 20));
        router.put("/api/streams/:id/zones").handler(rc -> {
            try {
                JsonNode arr = JSON.readTree(rc.body().asString());
                List<FixtureAnnotator.Zone> parsed = new ArrayList<>();
                for (JsonNode z : arr) {
                    List<float[]> pts = new ArrayList<>();
                    for (JsonNode p : z.get("points")) {
                        pts.add(new float[]{(float) p.get(0).asDouble(), (float) p.get(1).asDouble()});
                    }
                    if (pts.size() < 3 || !z.get("id").canConvertToInt() || !z.get("label").isTextual()) {
                        throw new IllegalArgumentException("zone needs an integer id, a label and >= 3 points");
                    }
                    parsed.add(new FixtureAnnotator.Zone(z.get("id").asInt(), pts));
                }
                zones.put(rc.pathParam("id"), List.copyOf(parsed));
                zonesJson.put(rc.pathParam("id"), arr.toString());
                rc.response().setStatusCode(204).end();
            } catch (Exception e) {
                rc.response().setStatusCode(400).end("bad zones: " + e.getMessage());
            }
        });
        hub.mount(vertx, router);
        router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
        http = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(router);
        http.listen(wantedPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = http.actualPort();
        pipeline.start();
        annotator = new FixtureAnnotator(truth, frameSource.geometry().maxWidth(), frameSource.geometry().maxHeight(),
                pipeline.annotations(), () -> zones.getOrDefault(streamId, List.of()));
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Override
    public void close() throws Exception {
        if (annotator != null) {
            annotator.close();
        }
        if (http != null) {
            http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
