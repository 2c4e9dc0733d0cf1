package org.intravis.capture.ffmpeg;

import org.intravis.capture.FfmpegCli;
import org.intravis.capture.FrameSources;
import org.intravis.capture.Slots;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.FrameSource.Read;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;
import org.intravis.pipeline.testing.Async;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live network sources against a real encoder: the FFmpeg CLI sends MPEG-TS over UDP, serves it over HTTP or SRT,
 * is stopped and restarted. The bounds on waiting below are generous liveness limits (how long to wait for
 * something that must happen), not performance assertions.
 */
class LiveSourceTest {
    private Process sender;

    @AfterEach
    void stopSender() throws InterruptedException {
        FfmpegCli.stop(sender);
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the CLI sending MPEG-TS to {@code port} and returns once its packets arrive there. */
    private static Process sendUdp(int port, String size) throws Exception {
        Process p = startUdpSender(port, size);
        try (DatagramSocket probe = new DatagramSocket(port, java.net.InetAddress.getLoopbackAddress())) {
            probe.setSoTimeout(30_000);
            probe.receive(new java.net.DatagramPacket(new byte[2048], 2048));
        }
        return p;
    }

    private static Process startUdpSender(int port, String size) throws Exception {
        return FfmpegCli.start("-re", "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25",
                "-c:v", "mpeg2video", "-g", "5", "-b:v", "1M", "-f", "mpegts", "udp://127.0.0.1:" + port + "?pkt_size=1316");
    }

    /** Reads until a frame arrives, failing after {@code maxMillis}. */
    private static void awaitFrame(FrameSource s, FrameSlot slot, long maxMillis) throws Exception {
        assertThat(Slots.next(s, slot, maxMillis)).as("frame from %s (%s)", s.uri(), s.statusDetail()).isEqualTo(Read.FRAME);
    }

    /** Reads until the source reports {@code status} (every read must be NONE or FRAME meanwhile). */
    private static void awaitStatus(FrameSource s, FrameSlot slot, SourceStatus status, long maxMillis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        while (s.status() != status) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s, detail: %s", status, s.statusDetail()).isNegative();
            assertThat(s.readInto(slot)).isNotEqualTo(Read.END);
        }
    }

    @Test
    void udpStreamArrivesDropsReconnectsAndResumesAtANewResolution() throws Exception {
        int port = freeUdpPort();
        sender = sendUdp(port, "320x240");
        LiveSource s = (LiveSource) FrameSources.create("udp://127.0.0.1:" + port
                + "?timeoutMs=2000&reconnectInitialMs=100&reconnectMaxMs=400");
        try (s) {
            s.open();
            assertThat(s.live()).isTrue();
            assertThat(s.status()).as(s.statusDetail()).isEqualTo(SourceStatus.STREAMING);
            assertThat(s.geometry().maxWidth()).isEqualTo(320);
            assertThat(s.geometry().maxHeight()).isEqualTo(240);
            assertThat(s.geometry().format()).isEqualTo(PixelFormat.GRAY8);
            assertThat(s.ffmpegOptions()).containsEntry("timeout", "2000000").containsEntry("fflags", "nobuffer");
            assertThat(s.unusedFfmpegOptions()).as("every option we map is one FFmpeg's udp input knows").isEmpty();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            for (int i = 0; i < 25; i++) { // also warms up: first frames set up the scaler and slot pointers
                awaitFrame(s, slot, 10_000);
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            int got = 0;
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (got < 25 && System.nanoTime() - giveUp < 0) { // no assertion inside: AssertJ allocates
                if (s.readInto(slot) == Read.FRAME) {
                    got++;
                }
            }
            assertThat(got).isEqualTo(25);
            long perFrame = (threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / 25;
            System.out.println("udp: source, 320x240 mpeg2video -> GRAY8: " + perFrame + " heap bytes/frame");
            assertThat(perFrame).as("heap bytes per live frame").isLessThan(64);
            assertThat(slot.width()).isEqualTo(320);
            assertThat(slot.height()).isEqualTo(240);
            assertThat(Slots.mean(slot)).isBetween(20.0, 235.0);
            assertThat(s.reconnects()).isZero();

            FfmpegCli.stop(sender);
            awaitStatus(s, slot, SourceStatus.RECONNECTING, 15_000);
            assertThat(s.statusDetail()).matches("reconnecting in \\d+ ms, attempt \\d+: .+");
            // while nobody sends, reads come back empty (the capture thread keeps control) and attempts go on
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!s.statusDetail().contains("attempt 2")) {
                assertThat(System.nanoTime() - deadline).as(s.statusDetail()).isNegative();
                assertThat(s.readInto(slot)).isEqualTo(Read.NONE);
            }
            assertThat(s.status()).isEqualTo(SourceStatus.RECONNECTING);

            sender = startUdpSender(port, "640x480"); // comes back larger: must still fit the slots
            awaitFrame(s, slot, 30_000);
            assertThat(s.status()).isEqualTo(SourceStatus.STREAMING);
            assertThat(s.reconnects()).isEqualTo(1);
            assertThat(slot.width()).isEqualTo(320);
            assertThat(slot.height()).isEqualTo(240);
            for (int i = 0; i < 5; i++) {
                awaitFrame(s, slot, 10_000);
            }

            // frames came again, so a second drop starts the back-off over: the first retry after 100 ms, not 400
            FfmpegCli.stop(sender);
            awaitStatus(s, slot, SourceStatus.RECONNECTING, 15_000);
            assertThat(s.statusDetail()).startsWith("reconnecting in 100 ms, attempt 1: ");
        }
        assertThat(s.status()).isEqualTo(SourceStatus.CLOSED);
    }

    @Test
    void httpStreamServedByFfmpegArrivesAndReconnectsAfterTheServerRestarts() throws Exception {
        int port = freeTcpPort();
        // the CLI's HTTP server serves one client: a generous timeout so that the first connection is the one
        String[] serve = {"-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-c:v", "mpeg2video", "-g", "5",
                "-f", "mpegts", "-listen", "1", "http://127.0.0.1:" + port + "/live.ts"};
        sender = FfmpegCli.start(serve);
        LiveSource s = (LiveSource) FrameSources.create("http://127.0.0.1:" + port
                + "/live.ts?timeoutMs=5000&reconnectInitialMs=100&reconnectMaxMs=400&format=bgr");
        try (s) {
            // the server may need a moment to listen: open() does not fail, the source keeps trying
            s.open();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            awaitFrame(s, slot, 20_000);
            assertThat(slot.format()).isEqualTo(PixelFormat.BGR24);
            assertThat(slot.width()).isEqualTo(320);
            assertThat(s.unusedFfmpegOptions()).as("options FFmpeg's http input did not use").isEmpty();
            long before = s.reconnects();

            FfmpegCli.stop(sender);
            awaitStatus(s, slot, SourceStatus.RECONNECTING, 15_000);
            sender = FfmpegCli.start(serve);
            awaitFrame(s, slot, 30_000);
            assertThat(s.reconnects()).isEqualTo(before + 1);
            assertThat(s.status()).isEqualTo(SourceStatus.STREAMING);
        }
    }

    /**
     * The CLI's SRT listener serves one caller: a generous timeout so that the first connection is the one. When the
     * listener goes away the source reports RECONNECTING and, once a listener is back, calls it again.
     */
    @Test
    void srtStreamArrivesAndReconnectsAfterTheListenerRestarts() throws Exception {
        int port = freeUdpPort();
        String[] listen = {"-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-c:v", "mpeg2video",
                "-g", "5", "-f", "mpegts", "srt://127.0.0.1:" + port + "?mode=listener"};
        sender = FfmpegCli.start(listen);
        LiveSource s = (LiveSource) FrameSources.create("srt://127.0.0.1:" + port
                + "?mode=caller&timeoutMs=5000&width=640&height=480&reconnectInitialMs=100&reconnectMaxMs=400");
        assertThat(s.ffmpegUrl()).isEqualTo("srt://127.0.0.1:" + port + "?mode=caller");
        try (s) {
            s.open();
            assertThat(s.geometry().maxWidth()).isEqualTo(640); // fixed by the options
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            awaitFrame(s, slot, 20_000);
            assertThat(slot.width()).isEqualTo(320); // a smaller picture is not blown up
            assertThat(s.unusedFfmpegOptions()).as("options FFmpeg's srt input did not use").isEmpty();
            assertThat(Slots.mean(slot)).isBetween(20.0, 235.0);
            long before = s.reconnects();

            FfmpegCli.stop(sender);
            awaitStatus(s, slot, SourceStatus.RECONNECTING, 20_000);
            sender = FfmpegCli.start(listen);
            awaitFrame(s, slot, 30_000);
            assertThat(s.status()).isEqualTo(SourceStatus.STREAMING);
            assertThat(s.reconnects()).isEqualTo(before + 1);
        }
    }

    /**
     * RTSP with FFmpeg on both ends: the source listens ({@code av.rtsp_flags=listen}, as for an encoder that
     * pushes with RTSP RECORD) and the CLI pushes H.264; it stops, the source goes back to listening, it pushes
     * again. This runs FFmpeg's RTSP demuxer with the options we map (none left unused).
     */
    @Test
    void rtspPushedByFfmpegArrivesAndReconnects() throws Exception {
        int port = freeTcpPort();
        String[] push = {"-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-c:v", "libx264",
                "-preset", "ultrafast", "-g", "10", "-f", "rtsp", "-rtsp_transport", "tcp",
                "rtsp://127.0.0.1:" + port + "/live"};
        LiveSource s = (LiveSource) FrameSources.create("rtsp://127.0.0.1:" + port
                + "/live?av.rtsp_flags=listen&timeoutMs=15000&reconnectInitialMs=100");
        assertThat(s.ffmpegOptions()).containsEntry("rtsp_transport", "tcp").containsEntry("timeout", "15000000")
                .containsEntry("rtsp_flags", "listen");
        try (s) {
            CompletableFuture<Void> opening = Async.run(s::open);
            awaitListening(port);
            sender = FfmpegCli.start(push);
            opening.get(30, TimeUnit.SECONDS);
            assertThat(s.status()).as(s.statusDetail()).isEqualTo(SourceStatus.STREAMING);
            assertThat(s.geometry().maxWidth()).isEqualTo(320);
            assertThat(s.unusedFfmpegOptions()).as("options FFmpeg's rtsp input did not use").isEmpty();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            for (int i = 0; i < 5; i++) {
                awaitFrame(s, slot, 10_000);
            }
            assertThat(Slots.mean(slot)).isBetween(20.0, 235.0);

            FfmpegCli.stop(sender);
            awaitStatus(s, slot, SourceStatus.RECONNECTING, 30_000);
            // listens again, blocked until the encoder is back
            CompletableFuture<Read> reading = Async.supply(() -> Slots.next(s, slot, 60_000));
            awaitListening(port);
            sender = FfmpegCli.start(push);
            assertThat(reading.get(60, TimeUnit.SECONDS)).as(s.statusDetail()).isEqualTo(Read.FRAME);
            assertThat(s.reconnects()).isEqualTo(1);
        }
    }

    /** Waits until something listens on the TCP port, without connecting to it (which a listener would take). */
    private static void awaitListening(int port) throws Exception {
        String local = String.format(":%04X ", port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            for (String file : new String[]{"/proc/net/tcp", "/proc/net/tcp6"}) {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(file))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && (f[1] + " ").endsWith(local) && f[3].equals("0A")) {
                        return;
                    }
                }
            }
            assertThat(System.nanoTime() - deadline).as("nothing listens on port %d", port).isNegative();
            Thread.sleep(20);
        }
    }

    @Test
    void unreachableStreamDoesNotFailButReportsReconnecting() throws Exception {
        int port = freeTcpPort(); // nobody listens
        try (FrameSource s = FrameSources.create("http://127.0.0.1:" + port + "/none.ts?timeoutMs=500&reconnectInitialMs=50")) {
            s.open();
            assertThat(s.status()).isEqualTo(SourceStatus.RECONNECTING);
            assertThat(s.statusDetail()).isEqualTo("reconnecting in 50 ms, attempt 1: cannot open stream http://127.0.0.1:"
                    + port + "/none.ts: Connection refused");
            assertThat(s.geometry().maxWidth()).isEqualTo(1920); // unknown until it connects
            assertThat(s.geometry().maxHeight()).isEqualTo(1080);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            for (int i = 0; i < 5; i++) {
                assertThat(s.readInto(slot)).isEqualTo(Read.NONE);
            }
        }
    }

    @Test
    void closeFromAnotherThreadBreaksABlockedOpenPromptly() throws Exception {
        int port = freeUdpPort(); // nobody sends: opening waits for data for up to a minute
        FrameSource s = FrameSources.create("udp://127.0.0.1:" + port + "?timeoutMs=60000");
        CompletableFuture<Void> opening = Async.run(s::open);
        Thread.sleep(300); // let it block inside FFmpeg
        assertThat(opening).isNotDone();
        CompletableFuture<Void> closing = Async.run(s::close);
        closing.get(10, TimeUnit.SECONDS);
        opening.get(10, TimeUnit.SECONDS);
        assertThat(s.status()).isEqualTo(SourceStatus.CLOSED);
    }

    @Test
    void closeFromAnotherThreadBreaksABlockedReadPromptly() throws Exception {
        int port = freeUdpPort();
        sender = sendUdp(port, "160x120");
        FrameSource s = FrameSources.create("udp://127.0.0.1:" + port + "?timeoutMs=60000");
        s.open();
        FrameSlot slot = new FrameSlot(0, s.geometry(), false);
        awaitFrame(s, slot, 10_000);
        FfmpegCli.stop(sender); // the next read waits for data that never comes (up to a minute)
        CompletableFuture<Read> reading = Async.supply(() -> {
            Read r;
            do {
                r = s.readInto(slot);
            } while (r != Read.END); // drains what was already received, then blocks in FFmpeg
            return r;
        });
        Thread.sleep(500);
        assertThat(reading).isNotDone();
        Async.run(s::close).get(10, TimeUnit.SECONDS);
        assertThat(reading.get(10, TimeUnit.SECONDS)).isEqualTo(Read.END);
        assertThat(s.readInto(slot)).isEqualTo(Read.END);
    }
}
