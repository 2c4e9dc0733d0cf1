package org.intravis.streamer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ResourceLeakDetector;
import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publisher's fan-out and per-client back-pressure, on Netty EmbeddedChannels: a stalled client is a channel
 * whose writes are held (as by a peer that stopped reading), a fast one writes through at once.
 */
class FanOutTest {
    static final ObjectMapper JSON = new ObjectMapper();

    final TrackingAllocator alloc = new TrackingAllocator();
    final List<EmbeddedChannel> channels = new ArrayList<>();
    StreamPublisher pub;

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void closeAll() {
        if (pub != null) {
            pub.close();
        }
        for (EmbeddedChannel ch : channels) {
            ch.runPendingTasks();
            ch.finishAndReleaseAll();
        }
        assertThat(alloc.unreleased()).as("every pooled buffer released").isEmpty();
    }

    /** A client on an EmbeddedChannel; {@code stall} puts a StallingHandler in front of it. */
    final class Client {
        final EmbeddedChannel ch;
        final StallingHandler stall;
        final ClientSession session;

        Client(Variant variant, boolean stalled, boolean overlay) {
            stall = stalled ? new StallingHandler() : null;
            ch = stalled ? new EmbeddedChannel(stall, new ChannelInboundHandlerAdapter())
                    : new EmbeddedChannel(new ChannelInboundHandlerAdapter());
            channels.add(ch);
            session = new ClientSession(channels.size(), "websocket", new WebSocketTransport(ch, null, "test"),
                    pub.settings(), variant, overlay, false, pub::requestKeyFrame);
            pub.add(session);
        }

        List<Object> drain() {
            ch.runPendingTasks();
            List<Object> out = new ArrayList<>();
            Object m;
            while ((m = ch.readOutbound()) != null) {
                out.add(m);
            }
            return out;
        }
    }

    StreamPublisher publisher(StreamerSettings s) {
        pub = new StreamPublisher("s1", s.conclude(), alloc);
        return pub;
    }

    static List<FrameHeader.Video> videoHeaders(List<Object> msgs) {
        List<FrameHeader.Video> out = new ArrayList<>();
        for (Object m : msgs) {
            if (m instanceof BinaryWebSocketFrame f) {
                out.add(FrameHeader.decode(f.content()));
            }
        }
        return out;
    }

    static List<JsonNode> texts(List<Object> msgs, String type) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (Object m : msgs) {
            if (m instanceof TextWebSocketFrame f) {
                JsonNode n = JSON.readTree(f.content().toString(StandardCharsets.UTF_8));
                if (type == null || type.equals(n.path("type").asText())) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    static void releaseAll(List<Object> msgs) {
        for (Object m : msgs) {
            io.netty.util.ReferenceCountUtil.release(m);
        }
    }

    @Test
    void eachFrameIsEncodedOnceAndEveryClientGetsTheSameBytes() {
        publisher(new StreamerSettings());
        Client a = new Client(Variant.JPEG_CLEAN, false, false);
        Client b = new Client(Variant.JPEG_CLEAN, false, false);
        Client c = new Client(Variant.JPEG_CLEAN, false, false);
        TestFrames frames = new TestFrames(160, 120, 4);
        for (int i = 0; i < 10; i++) {
            pub.video().onFrame(frames.next());
            ByteBuf original = alloc.last();
            List<Object> ma = a.drain();
            List<Object> mb = b.drain();
            List<Object> mc = c.drain();
            assertThat(ma).hasSize(1);
            ByteBuf fa = ((BinaryWebSocketFrame) ma.get(0)).content();
            ByteBuf fb = ((BinaryWebSocketFrame) mb.get(0)).content();
            ByteBuf fc = ((BinaryWebSocketFrame) mc.get(0)).content();
            assertThat(fa.memoryAddress()).as("duplicates of one pooled buffer, not copies")
                    .isEqualTo(fb.memoryAddress()).isEqualTo(fc.memoryAddress());
            assertThat(original.refCnt()).as("one reference per client still holding it; the publisher let go")
                    .isEqualTo(3);
            assertThat(FrameHeader.decode(fa).frameId()).isEqualTo(i);
            releaseAll(ma);
            releaseAll(mb);
            assertThat(original.refCnt()).isEqualTo(1);
            releaseAll(mc);
            assertThat(original.refCnt()).as("freed once the last client has written it").isZero();
        }
        StreamPublisher.VariantStats jpeg = pub.stats().variants().get(Variant.JPEG_CLEAN.ordinal());
        assertThat(jpeg.framesEncoded()).as("encoded once per frame, not per client").isEqualTo(10);
        assertThat(pub.stats().variants().get(Variant.H264_CLEAN.ordinal()).framesEncoded())
                .as("nobody wants H.264: not encoded").isZero();
        assertThat(a.session.stats().framesSent()).isEqualTo(10);
    }

    /** Stepped down under load, the encoders leave out the same frames for every variant, and count them. */
    @Test
    void aRateStepEncodesTwoOfThreeFramesTheSameForEveryVariantAndCountsTheRest() throws Exception {
        publisher(new StreamerSettings());
        org.intravis.pipeline.StreamCounters counters = new org.intravis.pipeline.StreamCounters();
        ((VideoFanOut) pub.video()).counters(counters);
        Client jpeg = new Client(Variant.JPEG_CLEAN, false, false);
        Client burned = new Client(Variant.JPEG_BURNED, false, false);
        TestFrames frames = new TestFrames(160, 120, 4);
        pub.encoderStep(2);
        assertThat(pub.encoderStep()).isEqualTo(2);
        List<Long> a = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            pub.video().onFrame(frames.next());
            List<Object> ga = jpeg.drain();
            List<Object> gb = burned.drain();
            videoHeaders(ga).forEach(h -> a.add(h.frameId()));
            videoHeaders(gb).forEach(h -> b.add(h.frameId()));
            releaseAll(ga);
            releaseAll(gb);
        }
        assertThat(a).as("two of three frames").containsExactly(0L, 1L, 3L, 4L, 6L, 7L, 9L, 10L);
        Annotations overlay = new Annotations();
        overlay.status(Annotations.Status.VALID).frameId(10).frameSize(160, 120);
        Client watcher = new Client(Variant.JPEG_CLEAN, false, true);
        pub.overlays().onAnnotations(overlay);
        List<Object> got = watcher.drain();
        assertThat(texts(got, "overlay")).as("the overlay message says the step").isNotEmpty()
                .allMatch(n -> n.path("encoderStep").asInt(-1) == 2);
        releaseAll(got);
        assertThat(b).as("the same frames for every variant").isEqualTo(a);
        assertThat(counters.get(org.intravis.pipeline.Counter.VIDEO_THINNED)).isEqualTo(4);
        pub.encoderStep(0);
        for (int i = 12; i < 15; i++) {
            pub.video().onFrame(frames.next());
            List<Object> ga = jpeg.drain();
            assertThat(videoHeaders(ga)).as("back to every frame").hasSize(1);
            releaseAll(ga);
            releaseAll(burned.drain());
        }
        assertThat(counters.get(org.intravis.pipeline.Counter.VIDEO_THINNED)).isEqualTo(4);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pub.encoderStep(StreamPublisher.maxEncoderStep() + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStalledClientHoldsAtMostTwoFramesAndGetsTheNewestWhileAFastOneGetsAll() {
        publisher(new StreamerSettings());
        Client fast = new Client(Variant.JPEG_CLEAN, false, false);
        Client slow = new Client(Variant.JPEG_CLEAN, true, false);
        TestFrames frames = new TestFrames(160, 120, 4);
        int fastFrames = 0;
        long maxMessage = 0;
        for (int i = 0; i < 30; i++) {
            pub.video().onFrame(frames.next());
            List<Object> got = fast.drain();
            for (FrameHeader.Video h : videoHeaders(got)) {
                assertThat(h.frameId()).isEqualTo(i);
                fastFrames++;
            }
            for (Object m : got) {
                maxMessage = Math.max(maxMessage, ((BinaryWebSocketFrame) m).content().readableBytes());
            }
            releaseAll(got);
            slow.drain();
            assertThat(slow.stall.heldMessages()).as("one frame in flight, never more").isLessThanOrEqualTo(1);
            assertThat(slow.session.pendingBytes()).as("in flight + one waiting").isLessThanOrEqualTo(2 * (maxMessage + 100));
        }
        assertThat(fastFrames).isEqualTo(30);
        ClientStats st = slow.session.stats();
        assertThat(st.framesDropped()).as("all but the in-flight and the newest were replaced").isEqualTo(28);
        slow.stall.resume();
        List<Object> msgs = slow.drain();
        List<FrameHeader.Video> got = videoHeaders(msgs);
        releaseAll(msgs);
        assertThat(got).extracting(FrameHeader.Video::frameId).containsExactly(0L, 29L);
    }

    private void releaseAllOutbound(Client c) {
        c.ch.runPendingTasks();
        Object m;
        while ((m = c.ch.readOutbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(m);
        }
    }

    @Test
    void anH264ClientThatMissedFramesSkipsToAKeyFrameAndStaysDecodable() throws Exception {
        publisher(new StreamerSettings().minForcedKeyIntervalMillis(0).keyIntervalMillis(5000));
        Client slow = new Client(Variant.H264_CLEAN, true, false);
        TestFrames frames = new TestFrames(160, 120, 4);
        List<byte[]> received = new ArrayList<>();
        List<FrameHeader.Video> headers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            if (i == 5) {
                slow.stall.stall();
            }
            if (i == 12) {
                slow.stall.resume();
            }
            if (i == 20) {
                slow.session.keyFrameRequested(); // the page asks for one after its own gap
            }
            pub.video().onFrame(frames.next());
            for (Object m : slow.drain()) {
                ByteBuf b = ((BinaryWebSocketFrame) m).content();
                FrameHeader.Video h = FrameHeader.decode(b);
                headers.add(h);
                byte[] au = new byte[b.readableBytes() - h.headerLength()];
                b.getBytes(b.readerIndex() + h.headerLength(), au);
                received.add(au);
                io.netty.util.ReferenceCountUtil.release(m);
            }
        }
        assertThat(headers.get(0).key()).as("a client starts at a key frame").isTrue();
        // after the stall, nothing but a key frame may follow a gap in the encoder sequence
        for (int i = 1; i < headers.size(); i++) {
            FrameHeader.Video h = headers.get(i);
            if (h.sequence() != headers.get(i - 1).sequence() + 1) {
                assertThat(h.key()).as("message after a gap (frame %d) must be a key frame", h.frameId()).isTrue();
            }
        }
        assertThat(headers).anyMatch(h -> h.frameId() >= 12 && h.key());
        assertThat(slow.session.stats().framesDropped()).isPositive();
        try (H264TestDecoder dec = new H264TestDecoder()) {
            for (int i = 0; i < received.size(); i++) {
                assertThat(dec.decode(received.get(i))).as("message %d decodes at once", i).isNotNull();
                assertThat(dec.decodeErrorFlags()).isZero();
            }
        }
    }

    static void alert(Annotations a, long frame, boolean on) {
        a.clear();
        a.status(Annotations.Status.VALID).frameId(frame).captureEpochMicros(frame).capturedNanos(System.nanoTime())
                .frameSize(160, 120).model("m", "1", "cpu");
        a.addTip(1, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, 50, 50, 0, 0, 0.9f);
        int z = a.beginZone(7, Annotations.ZONE_NOGO, true, 1f, 100);
        a.addZonePoint(40, 40);
        a.addZonePoint(60, 40);
        a.addZonePoint(60, 60);
        if (on) {
            a.addAlert(100 + frame / 2, Annotations.ALERT_CRITICAL, Annotations.ALERT_KIND_INSIDE, 1, z,
                    Annotations.ZONE_NOGO, 0, 0);
        }
    }

    @Test
    void anOverlayIsWrittenIntoABufferBigEnoughAtTheFirstTry() {
        // a buffer that grows while written is copied (and without Unsafe, Netty's default on Java 25, the copy
        // leaves garbage on the model's thread): after the first, every overlay must fit the buffer it was given
        publisher(new StreamerSettings());
        Client watcher = new Client(Variant.JPEG_CLEAN, false, true);
        TestFrames frames = new TestFrames(160, 120, 4);
        pub.video().onFrame(frames.next()); // joiners get their first overlay with a frame
        releaseAll(watcher.drain());
        Annotations a = new Annotations();
        for (int f = 0; f < 4; f++) {
            a.clear();
            a.status(Annotations.Status.VALID).frameId(f).frameSize(160, 120);
            a.beginZone(1, Annotations.ZONE_VESSEL, false, 0.9f, 5000f);
            for (int k = 0; k < 300 + 100 * f; k++) { // a finely outlined vessel, a little larger each frame
                double t = k * 0.02;
                a.addZonePoint(80.5f + 50.25f * (float) Math.cos(t), 60.5f + 40.25f * (float) Math.sin(t));
            }
            int before = alloc.allocated();
            pub.overlays().onAnnotations(a);
            assertThat(alloc.allocated()).as("one buffer a frame: the overlay").isEqualTo(before + 1);
            int asked = alloc.askedCapacity(alloc.last());
            List<Object> got = watcher.drain();
            int written = 0;
            for (Object m : got) {
                if (m instanceof TextWebSocketFrame t) {
                    written = t.content().readableBytes();
                }
            }
            releaseAll(got);
            assertThat(written).as("the overlay message, larger than the first buffer's 1 KiB").isGreaterThan(1024);
            if (f > 0) {
                assertThat(asked).as("frame " + f + ": the buffer asked for against the overlay written")
                        .isGreaterThanOrEqualTo(written);
            }
        }
    }

    @Test
    void alertEventsAreAllDeliveredToALaggingClientWhileOverlaysCoalesce() throws Exception {
        publisher(new StreamerSettings());
        Client lagging = new Client(Variant.JPEG_CLEAN, true, true);
        Client fast = new Client(Variant.JPEG_CLEAN, false, true);
        TestFrames frames = new TestFrames(160, 120, 4);
        pub.video().onFrame(frames.next()); // joiners get their first overlay with a frame
        Annotations a = new Annotations();
        for (int f = 0; f < 40; f++) {
            alert(a, f, f % 2 == 0); // raise on even frames, clear on odd: 40 events
            pub.overlays().onAnnotations(a);
            if (f % 4 == 0) {
                pub.video().onFrame(frames.next());
            }
            releaseAll(fast.drain());
            lagging.drain();
        }
        assertThat(lagging.stall.heldMessages()).as("alerts go to the socket's queue, never replaced").isGreaterThanOrEqualTo(40);
        lagging.stall.resume();
        List<Object> got = lagging.drain();
        List<JsonNode> alerts = texts(got, "alert");
        List<JsonNode> overlays = texts(got, "overlay");
        releaseAll(got);
        assertThat(alerts).hasSize(40);
        for (int i = 0; i < alerts.size(); i++) {
            assertThat(alerts.get(i).get("seq").asLong()).isEqualTo(i + 1);
            assertThat(alerts.get(i).get("event").asText()).isEqualTo(i % 2 == 0 ? "raise" : "clear");
            assertThat(alerts.get(i).get("level").asText()).isEqualTo("critical");
            assertThat(alerts.get(i).get("zoneClass").asText()).isEqualTo("nogo");
        }
        assertThat(overlays.size()).as("overlays coalesced to the newest while the client lagged").isLessThan(10);
        assertThat(lagging.session.stats().overlaysCoalesced()).isPositive();
        assertThat(overlays.get(overlays.size() - 1).get("frameId").asLong()).isEqualTo(39);
    }

    @Test
    void aClientTooFarBehindOnAlertsIsDisconnectedNotSilentlyDropped() {
        publisher(new StreamerSettings().alertQueueLimit(8).clientMaxPendingBytes(256 << 10));
        Client lagging = new Client(Variant.JPEG_CLEAN, true, false);
        Annotations a = new Annotations();
        // hold the connection's queue above the limit so alerts must wait in their own queue
        for (int f = 0; f < 30; f++) {
            alert(a, f, f % 2 == 0);
            pub.overlays().onAnnotations(a);
            lagging.drain();
        }
        assertThat(lagging.session.closed()).isFalse();
        // the client's pending bytes are below the limit, so events were written (held by the stalled socket)
        assertThat(lagging.stall.heldMessages()).isEqualTo(30);

        Client stuck = new Client(Variant.JPEG_CLEAN, true, false);
        // make the connection look full: nothing more is written, events queue up to the limit, then it is closed
        stuck.session.sendControl(alloc.directBuffer(300 << 10).writeZero(300 << 10));
        for (int f = 30; f < 50; f++) {
            alert(a, f, f % 2 == 0);
            pub.overlays().onAnnotations(a);
            stuck.drain();
        }
        assertThat(stuck.session.closed()).isTrue();
        assertThat(stuck.stall.peekLast()).isInstanceOf(CloseWebSocketFrame.class);
        assertThat(((CloseWebSocketFrame) stuck.stall.peekLast()).statusCode()).isEqualTo(1008);
        lagging.stall.resume();
        stuck.stall.resume();
        releaseAllOutbound(lagging);
        releaseAllOutbound(stuck);
    }
}
