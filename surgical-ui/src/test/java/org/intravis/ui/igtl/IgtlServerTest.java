package org.intravis.ui.igtl;

import io.netty.buffer.ByteBuf;
import org.intravis.capture.igtl.IgtlImage;
import org.intravis.capture.igtl.IgtlMessage;
import org.intravis.capture.igtl.IgtlPoint;
import org.intravis.capture.igtl.IgtlPolyData;
import org.intravis.capture.igtl.IgtlString;
import org.intravis.capture.igtl.IgtlTransform;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PipelineClock;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.VideoSink;
import org.intravis.pipeline.testing.StandInSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.intravis.capture.testing.IgtlMessages;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The OpenIGTLink server over real sockets, fed by a real stream pipeline (a stand-in source, annotations published
 * into its exchange as the inference would): damaged input closes that client only, with a log line; a client that
 * does not read costs the pipeline nothing and then gets the newest frame; version 3 carries the metadata; tips,
 * points, zones and alerts arrive as the documented messages.
 */
class IgtlServerTest {
    private final LinkedBlockingQueue<String> logs = new LinkedBlockingQueue<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logs.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private IgtlServer server;
    private StreamPipeline pipeline;
    private volatile boolean publishing = true;
    private Thread publisher;

    IgtlServerTest() {
        Logger.getLogger(IgtlClient.class.getName()).addHandler(handler);
    }

    @AfterEach
    void stop() throws InterruptedException {
        publishing = false;
        if (publisher != null) {
            publisher.join();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (server != null) {
            server.close();
        }
        Logger.getLogger(IgtlClient.class.getName()).removeHandler(handler);
    }

    /** A server with one stream {@code t1} of w x h grey frames at {@code fps}; {@code sinkCalls} counts video frames. */
    private void start(int protocol, int w, int h, double fps, AtomicLong sinkCalls) {
        start(protocol, w, h, fps, sinkCalls, PixelFormat.GRAY8);
    }

    private void start(int protocol, int w, int h, double fps, AtomicLong sinkCalls, PixelFormat format) {
        server = new IgtlServer(new IgtlServerSettings().host("127.0.0.1").port(0).protocol(protocol).conclude(), 1);
        server.start();
        IgtlStream out = server.stream(0, "t1", 0);
        int bpp = format.bytesPerPixel();
        StandInSource source = new StandInSource("stand-in", new FrameGeometry(w + 4, h, format), fps,
                (slot, frame) -> {
                    slot.frame(w, h, w * bpp + 4, format); // rows padded: the sender must pack them
                    for (int i = 0; i < 16; i++) {
                        slot.pixels().put(i, (byte) (frame + i));
                        slot.pixels().put(slot.stride() + i, (byte) (100 + i)); // the second row
                    }
                });
        VideoSink counting = slot -> sinkCalls.incrementAndGet();
        pipeline = new StreamPipeline(new StreamPipeline.Context().streamId("t1").streamIndex(0).source(source)
                .videoSink(out.frames()).videoSink(counting).annotationListener(out.annotations()).conclude());
        source.open();
        pipeline.start();
    }

    /** Publishes, every 20 ms, a confirmed needle tip at (100, 50) and a nerve zone, 0.1 mm pixels, and an alert. */
    private void publishAnnotations() {
        publisher = new Thread(() -> {
            Annotations a = new Annotations();
            long frame = 0;
            while (publishing) {
                long now = System.nanoTime();
                a.clear();
                a.status(Annotations.Status.VALID).frameId(frame++).capturedNanos(now)
                        .captureEpochMicros(PipelineClock.epochMicros(now)).pixelSpacingMm(0.1)
                        .model("test-model", "1", "cpu");
                a.addTip(7, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, 100, 50, 0, 0, 0.9f);
                a.addTip(9, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_TENTATIVE, 10, 20, 0, 0, 0.3f);
                a.beginZone(4, Annotations.ZONE_NERVE, false, 0.8f, 100);
                a.addZonePoint(0, 0);
                a.addZonePoint(10, 0);
                a.addZonePoint(10, 10);
                a.addZonePoint(0, 10);
                a.addAlert(42, Annotations.ALERT_WARNING, Annotations.ALERT_KIND_PROXIMITY, 7, 0, Annotations.ZONE_NERVE,
                        4.2f, 42f);
                pipeline.annotations().publish(a);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-annotator");
        publisher.start();
    }

    @Test
    void damagedInputClosesThatClientOnlyWithALogLine() throws Exception {
        start(2, 64, 48, 50, new AtomicLong());
        try (IgtlTestClient good = new IgtlTestClient(server.port()).startReading()) {
            await().atMost(5, TimeUnit.SECONDS).until(() -> good.images() > 5);
            ByteBuf valid = IgtlMessages.transform("probe");
            byte[] wrongCrc = bytes(valid);
            wrongCrc[60] ^= 1;
            byte[] absurd = bytes(valid);
            java.nio.ByteBuffer.wrap(absurd).putLong(42, 1L << 40);
            byte[] garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n.................................................."
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] truncated = java.util.Arrays.copyOf(bytes(valid), 58 + 20);
            valid.release();
            List<Object[]> cases = List.of(
                    new Object[]{wrongCrc, false, "CRC mismatch over its 48-byte body"},
                    new Object[]{absurd, false, "announces a body of 1099511627776 bytes, over the limit"},
                    new Object[]{garbage, false, "not an OpenIGTLink header: version 18245"},
                    new Object[]{truncated, true, "the connection ended inside a TRANSFORM message (20 of 48 body bytes)"});
            for (Object[] c : cases) {
                logs.clear();
                try (IgtlTestClient bad = new IgtlTestClient(server.port()).startReading()) {
                    await().atMost(5, TimeUnit.SECONDS).until(() -> server.clientCount() == 2);
                    OutputStream out = bad.socket().getOutputStream();
                    out.write((byte[]) c[0]);
                    out.flush();
                    if ((boolean) c[1]) {
                        bad.socket().shutdownOutput(); // the body never comes
                    }
                    String expected = (String) c[2];
                    await().atMost(5, TimeUnit.SECONDS).until(bad::ended);
                    await().atMost(5, TimeUnit.SECONDS).until(() -> logs.stream().anyMatch(l -> l.contains(expected)));
                    assertThat(logs).anyMatch(l -> l.contains("sent a bad message") && l.contains(expected)
                            && l.contains("closing the connection"));
                }
                long before = good.images();
                await().atMost(5, TimeUnit.SECONDS).until(() -> good.images() > before + 5);
                assertThat(good.ended()).isFalse();
            }
            assertThat(good.failure()).isNull();
            assertThat(server.clientCount()).isEqualTo(1);
        }
    }

    @Test
    void aClientThatDoesNotReadCostsThePipelineNothingAndThenGetsTheNewestFrame() throws Exception {
        AtomicLong sinkCalls = new AtomicLong();
        start(3, 1280, 720, 60, sinkCalls);
        try (IgtlTestClient slow = new IgtlTestClient(server.port())) { // connected, not reading
            await().atMost(5, TimeUnit.SECONDS).until(() -> server.clientCount() == 1);
            long calls0 = sinkCalls.get();
            long t0 = System.nanoTime();
            Thread.sleep(2000);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long frames = sinkCalls.get() - calls0;
            // 60 frames/s of 0.9 MB to a client that takes none: the video branch kept its pace all the same
            assertThat(frames / seconds).as("video frames per second (60 offered; a gated branch would show ~0)")
                    .isGreaterThan(30);
            assertThat(server.replaced()).as("frames replaced by newer ones").isGreaterThan(60);

            slow.startReading();
            IgtlMessage first = slow.next("IMAGE", 5000);
            assertThat(first).isNotNull();
            first.release();
            // what was queued while it did not read is at most the socket buffers and one waiting bundle: the newest
            // frame is reached within a few images
            long newestAtStart = sinkCalls.get();
            long id = -1;
            for (int i = 0; i < 20; i++) {
                IgtlMessage m = slow.next("IMAGE", 5000);
                id = Long.parseLong(m.metadata().get("FrameId"));
                m.release();
                if (id >= newestAtStart - 2) {
                    break;
                }
            }
            assertThat(id).as("frame id reached (newest when reading started: ~%d)", newestAtStart)
                    .isGreaterThanOrEqualTo(newestAtStart - 2);
        }
    }

    @Test
    void versionThreeMessagesCarryTipsPointsZonesAlertsAndMetadata() throws Exception {
        start(3, 320, 240, 30, new AtomicLong());
        try (IgtlTestClient c = new IgtlTestClient(server.port()).startReading()) {
            await().atMost(5, TimeUnit.SECONDS).until(() -> server.clientCount() == 1);
            publishAnnotations();

            IgtlMessage image = c.next("IMAGE", 5000);
            assertThat(image.headerVersion()).isEqualTo(2);
            assertThat(image.deviceName()).isEqualTo("t1_Image");
            IgtlImage.Header h = IgtlImage.read(image.content());
            assertThat(h.sizeI()).isEqualTo(320);
            assertThat(h.sizeJ()).isEqualTo(240);
            assertThat(h.components()).isEqualTo(1);
            assertThat(image.metadata()).containsKeys("FrameId", "CaptureTimeUs", "PixelSpacingMm", "Units")
                    .containsEntry("Stream", "t1");
            image.release();

            IgtlMessage t = c.next("TRANSFORM", 5000);
            assertThat(t.deviceName()).isEqualTo("t1_Needle"); // the tentative low-confidence tip has none
            float[] m = IgtlTransform.read(t.content());
            assertThat(m[9]).isCloseTo(10f, org.assertj.core.data.Offset.offset(1e-4f)); // 100 px x 0.1 mm
            assertThat(m[10]).isCloseTo(5f, org.assertj.core.data.Offset.offset(1e-4f));
            assertThat(t.metadata()).containsEntry("TrackId", "7").containsEntry("Confidence", "0.900")
                    .containsEntry("State", "confirmed").containsEntry("Model", "test-model").containsEntry("Units", "mm")
                    .containsKeys("FrameId", "AnnotatedFrameId", "AgeMs", "CaptureTimeUs");
            t.release();

            IgtlMessage p = c.next("POINT", 5000);
            assertThat(p.deviceName()).isEqualTo("t1_Tips");
            List<IgtlPoint.Element> points = IgtlPoint.read(p.content());
            assertThat(points).extracting(IgtlPoint.Element::name)
                    .containsExactly("Needle 7 0.90 confirmed", "Needle 9 0.30 tentative");
            assertThat(points.get(0).owner()).isEqualTo("t1_Image");
            assertThat(points.get(1).rgba() & 0xff).isEqualTo(Math.round(0.3f * 255));
            p.release();

            IgtlMessage z = c.next("POLYDATA", 5000);
            assertThat(z.deviceName()).isEqualTo("t1_Nerve");
            IgtlPolyData.Lines lines = IgtlPolyData.read(z.content());
            assertThat(lines.lines()).hasDimensions(1, 5); // a closed square: back to its first point
            assertThat(lines.points()[3]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f)); // 10 px x 0.1
            z.release();

            IgtlMessage s = c.next("STRING", 5000);
            assertThat(s.deviceName()).isEqualTo("t1_Alert");
            assertThat(IgtlString.read(s.content())).startsWith("raise WARNING proximity tip 7 nerve zone 4 4.2 mm frame ");
            assertThat(s.metadata()).containsEntry("AlertId", "42").containsEntry("Event", "raise")
                    .containsEntry("Level", "WARNING");
            s.release();
            assertThat(c.failure()).isNull();
        }
    }

    @Test
    void theVideoThreadAllocatesNothingPerFrame() throws Exception {
        AtomicLong sinkCalls = new AtomicLong();
        start(2, 640, 480, 100, sinkCalls);
        publishAnnotations();
        try (IgtlTestClient c = new IgtlTestClient(server.port()).startReading()) {
            await().atMost(5, TimeUnit.SECONDS).until(() -> c.images() > 100);
            Thread video = pipeline.threads().stream().filter(t -> t.getName().startsWith("video")).findFirst().orElseThrow();
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long bytes0 = threads.getThreadAllocatedBytes(video.getId());
            long frames0 = sinkCalls.get();
            Thread.sleep(2000);
            long bytes = threads.getThreadAllocatedBytes(video.getId()) - bytes0;
            long frames = sinkCalls.get() - frames0;
            double perFrame = (double) bytes / frames;
            System.out.printf("video thread with OpenIGTLink (640x480, a tip, one client): %d bytes over %d frames"
                    + " = %.1f bytes/frame%n", bytes, frames, perFrame);
            // the buffer comes from the pool and the duplicates from Netty's recyclers: no garbage per frame (2 to 12 bytes a
            // frame measured here), nothing like a message's size
            assertThat(perFrame).as("heap bytes per frame on the video thread").isLessThan(64);
        }
    }

    @Test
    void aColourStreamIsSentAsRgbWithItsRowsPacked() throws Exception {
        start(2, 32, 8, 30, new AtomicLong(), PixelFormat.BGR24);
        try (IgtlTestClient c = new IgtlTestClient(server.port()).startReading()) {
            IgtlMessage image = c.next("IMAGE", 5000);
            IgtlImage.Header h = IgtlImage.read(image.content());
            assertThat(h.components()).isEqualTo(3);
            assertThat(h.sizeI()).isEqualTo(32);
            assertThat(h.dataLength()).isEqualTo(32 * 8 * 3);
            int px = image.content().readerIndex() + h.dataOffset();
            byte first = image.content().getByte(px); // the slot's B G R of pixel 0 are frame+0, +1, +2
            assertThat(image.content().getByte(px + 2)).isEqualTo((byte) (first - 2));
            assertThat(image.content().getByte(px + 1)).isEqualTo((byte) (first - 1));
            int row1 = px + 32 * 3; // packed: the second row starts right after the first's 96 bytes
            assertThat(image.content().getByte(row1) & 0xff).isEqualTo(102); // R of the second row's pixel 0
            assertThat(image.content().getByte(row1 + 2) & 0xff).isEqualTo(100); // its B
            image.release();
        }
    }


    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }
}
