package org.intravis.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.streamer.StreamHub;
import org.intravis.streamer.StreamPublisher;
import org.intravis.streamer.StreamerSettings;

import java.util.concurrent.TimeUnit;

/**
 * A streaming server for the tests that are about the pages alone (decoding, drawing at an exact pixel, burn-in)
 * and for {@link GlassToGlassMeasurement}: a real pipeline from the test source, the real stream hub and the real
 * pages from the jar's webroot on a real Vert.x HTTP server, with {@link FixtureAnnotator} standing in for
 * inference so that every overlay is exactly where the source drew the needle. It serves what the OR display asks
 * for (no REST API beyond {@code /api/streams}): tests of the application's behaviour start the real
 * {@link Application} instead.
 */
final class StreamingTestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

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
        this.streamId = streamId;
        this.width = width;
        this.height = height;
        this.fps = fps;
    }

    StreamingTestServer start(int wantedPort) throws Exception {
        vertx = Vertx.vertx();
        hub = new StreamHub(new StreamerSettings().staleAfterMillis(500).conclude());
        StreamPublisher pub = hub.register(streamId);
        StreamPipeline.Context ctx = new StreamPipeline.Context().streamId(streamId).videoSink(pub.video())
                .annotationListener(pub.overlays()).staleAfterMillis(500);
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
        SecurityHeaders.mount(router); // as the application does: the pages are held to its Content-Security-Policy
        router.get("/api/streams").handler(rc -> rc.response().putHeader("content-type", "application/json")
                .end("[{\"id\":\"" + streamId + "\",\"status\":\"" + frameSource.status() + "\"}]"));
        hub.mount(vertx, router);
        Pages.mount(router);
        http = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(router);
        http.listen(wantedPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = http.actualPort();
        pipeline.start();
        annotator = new FixtureAnnotator(truth, frameSource.geometry().maxWidth(), frameSource.geometry().maxHeight(),
                pipeline.annotations());
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
