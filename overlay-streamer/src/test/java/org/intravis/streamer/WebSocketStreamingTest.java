package org.intravis.streamer;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.ResourceLeakDetector;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.PipelineClock;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.testing.StandInSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * The streamer over real sockets: a Vert.x HTTP server with the hub mounted, a real pipeline with a paced
 * source, and real WebSocket / HTTP clients.
 */
class WebSocketStreamingTest {
    Vertx vertx;
    HttpServer server;
    StreamHub hub;
    StreamPipeline pipeline;
    StandInSource source;
    TrackingAllocator alloc;
    final List<AutoCloseable> clients = new ArrayList<>();
    int port;

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    void start(int width, int height, double fps, StreamerSettings settings, int serverSendBuffer) throws Exception {
        vertx = Vertx.vertx();
        alloc = new TrackingAllocator();
        hub = new StreamHub(settings.statsIntervalMillis(200).conclude(), alloc);
        StreamPublisher pub = hub.register("s1");
        source = TestFrames.source(width, height, fps);
        source.open(); // whoever assembles a pipeline opens its source first
        StreamPipeline.Context ctx = new StreamPipeline.Context().streamId("s1")
                .source(source).videoSink(pub.video()).annotationListener(pub.overlays())
                .staleAfterMillis(settings.staleAfterMillis()).conclude();
        pipeline = new StreamPipeline(ctx);
        pub.attach(pipeline);
        Router router = Router.router(vertx);
        hub.mount(vertx, router);
        HttpServerOptions options = new HttpServerOptions();
        if (serverSendBuffer > 0) {
            options.setSendBufferSize(serverSendBuffer);
        }
        server = vertx.createHttpServer(options).requestHandler(router);
        server.listen(0, "localhost").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
        pipeline.start();
    }

    TestWsClient client(String query, boolean keep, int receiveBuffer) throws Exception {
        TestWsClient c = new TestWsClient(vertx, port, "/ws/streams/s1" + query, keep, receiveBuffer);
        clients.add(c);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (alloc != null) {
            TestWsClient.await("every pooled buffer released", 5000, () -> alloc.unreleased().isEmpty());
        }
    }

    @Test
    void h264ClientGetsHelloThenDecodableVideoFromAKeyFrame() throws Exception {
        start(320, 240, 30, new StreamerSettings(), 0);
        TestWsClient c = client("?encoding=h264", true, 0);
        JsonNode hello = c.awaitText("hello", n -> true, 5000);
        assertThat(hello.get("protocol").asInt()).isEqualTo(1);
        assertThat(hello.get("stream").asText()).isEqualTo("s1");
        assertThat(hello.get("encoding").asText()).isEqualTo("h264");
        assertThat(hello.get("encodings").toString()).contains("h264").contains("jpeg");
        assertThat(hello.get("staleAfterMs").asLong()).isEqualTo(500);
        TestWsClient.await("20 frames", 10_000, () -> c.videoCount() >= 20);
        List<TestWsClient.Video> v = c.videos();
        assertThat(v.get(0).header().key()).isTrue();
        assertThat(v.get(0).header().encoding()).isEqualTo(Encoding.H264);
        assertThat(v.get(0).header().width()).isEqualTo(320);
        try (H264TestDecoder dec = new H264TestDecoder()) {
            for (int i = 0; i < v.size(); i++) {
                assertThat(dec.decode(v.get(i).payload())).as("frame %d decodes at once", i).isNotNull();
                assertThat(dec.decodeErrorFlags()).isZero();
                if (i > 0) {
                    assertThat(v.get(i).header().frameId()).isGreaterThan(v.get(i - 1).header().frameId());
                }
            }
        }
        // nothing published: the overlay is explicitly "nothing known", and the header says so too
        JsonNode overlay = c.awaitText("overlay", n -> true, 5000);
        assertThat(overlay.get("status").asText()).isEqualTo("NONE");
        assertThat(v.get(v.size() - 1).header().overlayStatus()).isZero();
        assertThat(v.get(v.size() - 1).header().overlayFrameId()).isEqualTo(-1);
        // capture timestamps are the server's wall clock
        long now = PipelineClock.epochMicrosNow();
        assertThat(v.get(v.size() - 1).header().captureEpochMicros()).isBetween(now - 10_000_000, now);
        // stats arrive periodically
        JsonNode stats = c.awaitText("stats", n -> n.path("client").path("framesSent").asLong() > 0, 5000);
        assertThat(stats.get("signal").asBoolean()).isTrue();
        assertThat(stats.get("source").asText()).isEqualTo("STREAMING");
        assertThat(stats.get("ai").asText()).isEqualTo("off");
    }

    @Test
    void clockSyncPingSubscribeAndBadMessages() throws Exception {
        start(160, 120, 30, new StreamerSettings(), 0);
        TestWsClient c = client("?encoding=jpeg", false, 0);
        c.awaitText("hello", n -> true, 5000);
        double t0 = System.currentTimeMillis() + 0.25;
        c.send("{\"type\":\"clock\",\"id\":7,\"t0\":" + t0 + "}");
        JsonNode clock = c.awaitText("clock", n -> n.path("id").asInt() == 7, 5000);
        assertThat(clock.get("t0").asDouble()).isEqualTo(t0);
        long t1 = clock.get("t1").asLong();
        long t2 = clock.get("t2").asLong();
        assertThat(t2).isGreaterThanOrEqualTo(t1);
        assertThat(Math.abs(t1 / 1000.0 - t0)).as("same machine: server clock within 2 s of ours").isLessThan(2000);

        c.send("{\"type\":\"ping\",\"id\":3}");
        assertThat(c.awaitText("pong", n -> n.path("id").asInt() == 3, 5000).get("serverUs").asLong()).isPositive();

        c.send("not json");
        assertThat(c.awaitText("error", n -> n.get("message").asText().contains("malformed JSON"), 5000)).isNotNull();
        String[] notMessages = {"[1,2]", "null", "42", "{\"id\":1}", "{\"type\":5}"}; // JSON, but no message
        for (int i = 0; i < notMessages.length; i++) {
            c.send(notMessages[i]);
            int answers = i + 1;
            TestWsClient.await("an error for " + notMessages[i], 5000, () -> c.texts("error").stream()
                    .filter(n -> n.get("message").asText().contains("must be a JSON object with a \"type\"")).count()
                    == answers);
        }
        c.send("{\"type\":\"fly\"}");
        assertThat(c.awaitText("error", n -> n.get("message").asText().contains("unknown message type 'fly'"), 5000)).isNotNull();
        c.send("{\"type\":\"subscribe\",\"encoding\":\"vp9\"}");
        assertThat(c.awaitText("error", n -> n.get("message").asText().contains("unknown encoding 'vp9'"), 5000)).isNotNull();

        // switch to H.264 burned-in: the next video is a key frame of the new variant
        c.send("{\"type\":\"subscribe\",\"encoding\":\"h264\",\"variant\":\"burned\",\"heatmap\":true}");
        JsonNode sub = c.awaitText("subscribed", n -> true, 5000);
        assertThat(sub.get("encoding").asText()).isEqualTo("h264");
        assertThat(sub.get("variant").asText()).isEqualTo("burned");
        assertThat(sub.get("heatmap").asBoolean()).isTrue();
        TestWsClient.await("burned H.264", 5000, () -> c.videos().stream().anyMatch(v -> v.header().burned()));
        TestWsClient.Video first = c.videos().stream().filter(v -> v.header().burned()).findFirst().orElseThrow();
        assertThat(first.header().key()).isTrue();
        assertThat(first.header().encoding()).isEqualTo(Encoding.H264);
        assertThat(c.ws.isClosed()).as("bad messages get errors, not a disconnect").isFalse();
    }

    @Test
    void unknownStreamAndBadParametersAreRefusedClearly() throws Exception {
        start(160, 120, 30, new StreamerSettings(), 0);
        HttpClient http = vertx.createHttpClient();
        clients.add(() -> http.close());
        assertThat(get(http, "/ws/streams/nope")).startsWith("404 unknown stream 'nope'");
        assertThat(get(http, "/ws/streams/s1?encoding=gif")).startsWith("400 unknown encoding 'gif'");
        assertThat(get(http, "/ws/streams/s1?variant=foo")).startsWith("400 unknown variant 'foo'");
        assertThat(get(http, "/streams/nope/burned.mjpeg")).startsWith("404");
    }

    private String get(HttpClient http, String uri) throws Exception {
        return http.request(HttpMethod.GET, port, "localhost", uri)
                .compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b)))
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void jpegOverWebSocketAndBurnedMjpegOverHttpDecode() throws Exception {
        start(320, 240, 30, new StreamerSettings(), 0);
        TestWsClient c = client("?encoding=jpeg", true, 0);
        TestWsClient.await("5 JPEG frames", 10_000, () -> c.videoCount() >= 5);
        for (TestWsClient.Video v : c.videos()) {
            assertThat(v.header().encoding()).isEqualTo(Encoding.JPEG);
            assertThat(v.header().key()).isTrue();
            Mat m = imdecode(new Mat(new BytePointer(v.payload())), IMREAD_UNCHANGED);
            assertThat(m.cols()).isEqualTo(320);
            assertThat(m.rows()).isEqualTo(240);
        }

        HttpClient http = vertx.createHttpClient();
        clients.add(() -> http.close());
        CompletableFuture<byte[]> firstPart = new CompletableFuture<>();
        ByteArrayOutputStream acc = new ByteArrayOutputStream();
        String[] contentType = new String[1];
        http.request(HttpMethod.GET, port, "localhost", "/streams/s1/burned.mjpeg").compose(r -> r.send())
                .onSuccess((HttpClientResponse resp) -> {
                    contentType[0] = resp.getHeader("content-type");
                    resp.handler((Buffer b) -> {
                        synchronized (acc) {
                            acc.writeBytes(b.getBytes());
                            byte[] all = acc.toByteArray();
                            byte[] jpeg = firstJpeg(all);
                            if (jpeg != null) {
                                firstPart.complete(jpeg);
                            }
                        }
                    });
                }).onFailure(firstPart::completeExceptionally);
        byte[] jpeg = firstPart.get(10, TimeUnit.SECONDS);
        assertThat(contentType[0]).isEqualTo("multipart/x-mixed-replace; boundary=intravisframe");
        Mat m = imdecode(new Mat(new BytePointer(jpeg)), IMREAD_UNCHANGED);
        assertThat(m.cols()).isEqualTo(320);
        assertThat(m.channels()).as("burned-in frames are colour").isEqualTo(3);
        StreamPublisher.Stats st = hub.stats("s1").orElseThrow();
        assertThat(st.clients()).anyMatch(cs -> cs.transport().equals("mjpeg") && cs.variant().equals("burned"));
    }

    /** The JPEG of the first complete multipart part, or null while incomplete. */
    static byte[] firstJpeg(byte[] all) {
        String head = new String(all, 0, Math.min(all.length, 200), java.nio.charset.StandardCharsets.US_ASCII);
        int cl = head.indexOf("Content-Length: ");
        int end = head.indexOf("\r\n\r\n");
        if (cl < 0 || end < 0) {
            return null;
        }
        int len = Integer.parseInt(head.substring(cl + 16, head.indexOf("\r\n", cl)).trim());
        int start = end + 4;
        if (all.length < start + len) {
            return null;
        }
        return java.util.Arrays.copyOfRange(all, start, start + len);
    }

    @Test
    void aStalledClientDoesNotChangeWhatFastClientsGetAndStaysBounded() throws Exception {
        // small socket buffers so that the stalled peer's TCP window closes within a fraction of a second
        start(640, 480, 30, new StreamerSettings().jpegQscale(2), 64 << 10);
        TestWsClient fast1 = client("?encoding=jpeg", false, 0);
        TestWsClient fast2 = client("?encoding=jpeg", false, 0);
        TestWsClient slow = client("?encoding=jpeg", false, 16 << 10);
        TestWsClient.await("all clients streaming", 10_000,
                () -> fast1.videoCount() > 5 && fast2.videoCount() > 5 && slow.videoCount() > 5);
        StreamPublisher pub = hub.publisher("s1").orElseThrow();
        slow.pause();
        TestWsClient.await("the paused client's buffers full: the server drops for it", 20_000,
                () -> slowStats(pub).framesDropped() > 3);

        // counted between two settled moments (source held, every frame through), so no count depends on when
        // it was read: 60 frames let through while the slow client reads nothing
        source.hold();
        awaitSettled(pub, fast1, fast2);
        long encoded0 = jpeg(pub).framesEncoded();
        long f1 = fast1.videoCount();
        long f2 = fast2.videoCount();
        long s0 = slow.videoCount();
        ClientStats[] before = clientStats(pub);
        long[] maxPending = {0};
        source.release(60);
        TestWsClient.await("the 60 frames encoded", 30_000, () -> {
            maxPending[0] = Math.max(maxPending[0], slowStats(pub).pendingBytes());
            return pipeline.counters().get(org.intravis.pipeline.Counter.FRAMES_IN)
                    + pipeline.counters().get(org.intravis.pipeline.Counter.DROPPED_RING_FULL) >= framesIn0 + 60;
        });
        awaitSettled(pub, fast1, fast2);
        ClientStats[] after = clientStats(pub);
        long encoded = jpeg(pub).framesEncoded() - encoded0;
        long got1 = fast1.videoCount() - f1;
        long got2 = fast2.videoCount() - f2;
        assertThat(encoded).as("frames encoded of the 60").isGreaterThan(20);
        // every frame encoded reached each fast client or is counted as dropped for it, and most reached it:
        // were the fan-out held up by the stalled client, they would get none (and never settle)
        assertThat(got1 + after[0].framesDropped() - before[0].framesDropped()).as("fast client 1: received + dropped")
                .isEqualTo(encoded);
        assertThat(got2 + after[1].framesDropped() - before[1].framesDropped()).as("fast client 2: received + dropped")
                .isEqualTo(encoded);
        assertThat(got1).as("fast client 1 got the frames").isGreaterThan(encoded / 2);
        assertThat(got2).as("fast client 2 got the frames").isGreaterThan(encoded / 2);
        assertThat(slow.videoCount() - s0).as("the paused client read nothing").isZero();
        long frameBytes = jpeg(pub).bytes() / jpeg(pub).framesEncoded();
        assertThat(maxPending[0]).as("server holds at most ~one in-flight and one waiting frame for it")
                .isLessThan(3 * (frameBytes + FrameHeader.LENGTH) + 64 * 1024);
        assertThat(after[2].framesDropped() - before[2].framesDropped()).as("its frames were dropped, newest wins")
                .isGreaterThan(encoded / 2);
        source.release(Long.MAX_VALUE);
        slow.resume();
        // what sat in the socket buffers arrives first; then it is current again
        TestWsClient.await("the resumed client to be current again", 10_000, () -> {
            List<TestWsClient.Video> recent = slow.videos();
            return !recent.isEmpty() && recent.get(recent.size() - 1).header().frameId() >= pub.lastFrameId() - 3;
        });
    }

    @Test
    void anH264ClientThatMissedFramesGetsAKeyFrameAtOnceNotAtTheNextScheduledOne() throws Exception {
        // key frames 10 s apart (the longest allowed): the next scheduled one is unlikely to fall in the 1.5 s given
        start(640, 480, 30, new StreamerSettings().keyIntervalMillis(10_000).minForcedKeyIntervalMillis(100), 64 << 10);
        TestWsClient slow = client("?encoding=h264", true, 16 << 10);
        TestWsClient.await("streaming", 10_000, () -> slow.videoCount() > 5);
        StreamPublisher pub = hub.publisher("s1").orElseThrow();
        long keys0 = pub.stats().variants().get(Variant.H264_CLEAN.ordinal()).keyFrames();
        slow.pause(); // it sends nothing either: any key frame that follows is the server's own doing
        TestWsClient.await("the server drops frames for it", 20_000, () -> slowStats(pub).framesDropped() > 3);
        long missedAfter = pub.lastFrameId();
        slow.resume();
        TestWsClient.await("a key frame after the gap", 1_500, () -> slow.videos().stream()
                .anyMatch(v -> v.header().key() && v.header().frameId() > missedAfter));
        assertThat(pub.stats().variants().get(Variant.H264_CLEAN.ordinal()).keyFrames())
                .as("a key frame was forced for it").isGreaterThan(keys0);
        // from that key frame on, what it gets decodes: no delta that depends on a frame it never had
        List<TestWsClient.Video> v = slow.videos();
        int first = 0;
        while (!(v.get(first).header().key() && v.get(first).header().frameId() > missedAfter)) {
            first++;
        }
        try (H264TestDecoder dec = new H264TestDecoder()) {
            for (int i = first; i < v.size(); i++) {
                assertThat(dec.decode(v.get(i).payload())).as("frame %d after the gap decodes", i).isNotNull();
                assertThat(dec.decodeErrorFlags()).isZero();
            }
        }
    }

    /** With the source held: every captured frame through the video branch (or skipped) and the fast clients at the
     * newest. */
    private void awaitSettled(StreamPublisher pub, TestWsClient... fast) throws InterruptedException {
        TestWsClient.await("everything settled", 30_000, () -> {
            if (pipeline.counters().get(org.intravis.pipeline.Counter.VIDEO_OUT)
                    + pipeline.counters().get(org.intravis.pipeline.Counter.VIDEO_SKIPPED)
                    != pipeline.counters().get(org.intravis.pipeline.Counter.FRAMES_IN)) {
                return false;
            }
            for (TestWsClient c : fast) {
                List<TestWsClient.Video> v = c.videos();
                if (v.isEmpty() || v.get(v.size() - 1).header().frameId() != pub.lastFrameId()) {
                    return false;
                }
            }
            return true;
        });
        framesIn0 = pipeline.counters().get(org.intravis.pipeline.Counter.FRAMES_IN)
                + pipeline.counters().get(org.intravis.pipeline.Counter.DROPPED_RING_FULL);
    }

    private long framesIn0;

    private static StreamPublisher.VariantStats jpeg(StreamPublisher pub) {
        return pub.stats().variants().get(Variant.JPEG_CLEAN.ordinal());
    }

    /** The clients' stats in the order they connected. */
    private static ClientStats[] clientStats(StreamPublisher pub) {
        return pub.stats().clients().stream().sorted(java.util.Comparator.comparingLong(ClientStats::id))
                .toArray(ClientStats[]::new);
    }

    private static ClientStats slowStats(StreamPublisher pub) {
        return pub.stats().clients().stream().max(java.util.Comparator.comparingLong(ClientStats::id)).orElseThrow();
    }

    @Test
    void heatMapsReachOnlyClientsThatAskAtTheCappedRate() throws Exception {
        start(160, 120, 30, new StreamerSettings().heatmapMaxHz(4), 0);
        TestWsClient wants = client("?encoding=jpeg&heatmap=true", false, 0);
        TestWsClient not = client("?encoding=jpeg", false, 0);
        TestWsClient.await("streaming", 10_000, () -> wants.videoCount() > 2 && not.videoCount() > 2);
        Annotations a = new Annotations();
        long t0 = System.nanoTime();
        for (int f = 0; f < 60; f++) { // 60 heat maps in about 1.5 s, each from a new frame
            a.clear();
            a.status(Annotations.Status.VALID).frameId(f).captureEpochMicros(PipelineClock.epochMicrosNow())
                    .capturedNanos(System.nanoTime()).frameSize(160, 120).model("fixture", "0", "cpu");
            a.heatmapShape(2, 16, 12, f, "nerve", "vessel");
            for (int i = 0; i < 2 * 16 * 12; i++) {
                a.heatmap[i] = (byte) (i == 16 * 12 + 5 ? 200 : f);
            }
            pipeline.annotations().publish(a);
            Thread.sleep(25);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        TestWsClient.await("a heat map", 5_000, () -> wants.heatmaps() > 0);
        Thread.sleep(300);
        assertThat(wants.heatmaps()).as("at most 4 per second").isBetween(2L, (long) Math.ceil(seconds * 4) + 1);
        assertThat(not.heatmaps()).as("only to clients that asked").isZero();
        HeatmapMessage.Decoded hm = wants.lastHeatmap();
        assertThat(hm.classNames()).containsExactly("nerve", "vessel");
        assertThat(hm.gridWidth()).isEqualTo(16);
        assertThat(hm.value(1, 5, 0)).isEqualTo(200);
        assertThat(hm.value(0, 3, 3)).isEqualTo((int) hm.frameId());
        JsonNode overlay = wants.awaitText("overlay", n -> n.has("heatmap"), 5000);
        assertThat(overlay.get("heatmap").get("classes").asInt()).isEqualTo(2);
    }

    @Test
    void everyAlertEventReachesALaggingClient() throws Exception {
        start(640, 480, 30, new StreamerSettings().jpegQscale(2), 64 << 10);
        TestWsClient lagging = client("?encoding=jpeg", false, 16 << 10);
        TestWsClient.await("streaming", 10_000, () -> lagging.videoCount() > 3);
        lagging.pause();
        StreamPublisher pub = hub.publisher("s1").orElseThrow();
        TestWsClient.await("the paused client's buffers full: the server drops for it", 20_000,
                () -> slowStats(pub).framesDropped() > 0);
        // test fixture standing in for the inference worker: publish annotations into the stream's exchange
        Annotations a = new Annotations();
        int events = 0;
        for (int f = 0; f < 60; f++) {
            a.clear();
            a.status(Annotations.Status.VALID).frameId(f).captureEpochMicros(PipelineClock.epochMicrosNow())
                    .capturedNanos(System.nanoTime()).frameSize(640, 480).model("fixture", "0", "cpu");
            int z = a.beginZone(1, Annotations.ZONE_NOGO, true, 1, 0);
            a.addZonePoint(0, 0);
            a.addZonePoint(10, 0);
            a.addZonePoint(10, 10);
            if (f % 3 != 2) {
                a.addAlert(1000 + f / 3, f % 3 == 0 ? Annotations.ALERT_WARNING : Annotations.ALERT_CRITICAL,
                        Annotations.ALERT_KIND_PROXIMITY, 1, z, Annotations.ZONE_NOGO, 1, 10);
            }
            // per 3 frames: raise (warning), update (critical), clear
            events++;
            pipeline.annotations().publish(a);
            Thread.sleep(15);
        }
        assertThat(slowStats(pub).framesDropped()).as("the client really lagged").isPositive();
        assertThat(lagging.texts("alert")).as("nothing read while paused").hasSizeLessThan(events);
        lagging.resume();
        int expected = events;
        TestWsClient.await("all alert events", 10_000, () -> lagging.texts("alert").size() >= expected);
        List<JsonNode> alerts = lagging.texts("alert");
        assertThat(alerts).hasSize(expected);
        for (int i = 0; i < alerts.size(); i++) {
            assertThat(alerts.get(i).get("seq").asLong()).as("no gap").isEqualTo(i + 1);
            assertThat(alerts.get(i).get("event").asText()).isEqualTo(List.of("raise", "update", "clear").get(i % 3));
        }
        // the newest overlay follows (coalesced, it may come after the last alert: they are queued apart)
        lagging.awaitText("overlay", n -> n.get("frameId").asLong() == 59, 10_000);
        List<JsonNode> overlays = lagging.texts("overlay");
        assertThat(overlays.size()).as("overlays were coalesced meanwhile").isLessThan(expected);
        assertThat(overlays.get(overlays.size() - 1).get("frameId").asLong()).isEqualTo(59);
    }

    @Test
    void aStreamServesAtMostMaxClientsAndSaysWhyToTheNextOne() throws Exception {
        start(160, 120, 15, new StreamerSettings().maxClientsPerStream(2), 0);
        TestWsClient first = client("?encoding=jpeg", false, 0);
        first.awaitText("hello", n -> true, 5000);
        TestWsClient second = client("?encoding=jpeg", false, 0);
        second.awaitText("hello", n -> true, 5000);
        TestWsClient third = client("?encoding=jpeg", false, 0);
        TestWsClient.await("the third client closed", 5000, third.ws::isClosed);
        assertThat((int) third.ws.closeStatusCode()).isEqualTo(1013);
        assertThat(third.ws.closeReason()).contains("maximum of 2 clients").contains("streaming.maxClientsPerStream");
        assertThat(third.texts("hello")).isEmpty();

        HttpClient http = vertx.createHttpClient();
        int mjpeg = http.request(HttpMethod.GET, port, "localhost", "/streams/s1/video.mjpeg")
                .compose(r -> r.send()).map(HttpClientResponse::statusCode)
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(mjpeg).as("MJPEG clients count too").isEqualTo(503);

        first.close();
        TestWsClient fourth = client("?encoding=jpeg", false, 0);
        assertThat(fourth.awaitText("hello", n -> true, 5000)).as("a place is given back when a client leaves").isNotNull();
    }

    @Test
    void anOversizedTextMessageIsRefusedUnreadAndTheConnectionLivesOn() throws Exception {
        start(160, 120, 15, new StreamerSettings(), 0);
        TestWsClient c = client("?encoding=jpeg", false, 0);
        c.awaitText("hello", n -> true, 5000);
        // a valid ping, padded past the cap: were it read, it would be answered with a pong
        c.send("{\"type\":\"ping\",\"id\":1,\"pad\":\"" + "x".repeat(ClientProtocol.MAX_TEXT_CHARS) + "\"}");
        JsonNode error = c.awaitText("error", n -> n.path("message").asText().contains("at most"), 5000);
        assertThat(error.get("message").asText()).contains(String.valueOf(ClientProtocol.MAX_TEXT_CHARS)).contains("not read");
        c.send("{\"type\":\"ping\",\"id\":2}");
        c.awaitText("pong", n -> n.path("id").asInt() == 2, 5000);
        assertThat(c.texts("pong")).as("the oversized ping was not answered").noneMatch(n -> n.path("id").asInt() == 1);
        assertThat(c.ws.isClosed()).isFalse();
    }
}
