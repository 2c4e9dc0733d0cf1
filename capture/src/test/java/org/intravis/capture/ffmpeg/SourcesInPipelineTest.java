package org.intravis.capture.ffmpeg;

import org.intravis.capture.FfmpegCli;
import org.intravis.capture.FrameSources;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.SourceStatus;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.testing.Async;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The sources driven by the real capture agent of a {@link StreamPipeline}, as the application runs them. */
class SourcesInPipelineTest {
    @TempDir
    Path dir;
    private Process sender;

    @AfterEach
    void stop() throws InterruptedException {
        FfmpegCli.stop(sender);
    }

    @Test
    void fileIsReadToTheEndThroughTheRing() throws Exception {
        Path video = FfmpegCli.testVideo(dir.resolve("p.mp4"), 320, 240, 25, 40, "-c:v", "libx264", "-preset", "ultrafast");
        FrameSource source = FrameSources.create("file:" + video + "?pace=fast");
        ConcurrentLinkedQueue<long[]> seen = new ConcurrentLinkedQueue<>();
        try (StreamPipeline p = new StreamPipeline(new StreamPipeline.Context().streamId("file").source(source)
                .ringSize(8).videoSink(slot -> seen.add(new long[]{slot.frameId(), slot.width(), slot.height()}))
                .conclude())) {
            source.open(); // whoever assembles a pipeline opens its source first
            p.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (p.capturing()) {
                assertThat(System.nanoTime() - deadline).isNegative();
                Thread.sleep(10);
            }
            assertThat(p.captureFailure()).isEmpty();
            assertThat(p.counters().get(Counter.FRAMES_IN) + p.counters().get(Counter.DROPPED_RING_FULL)).isEqualTo(40);
            while (p.counters().get(Counter.VIDEO_OUT) + p.counters().get(Counter.VIDEO_SKIPPED)
                    < p.counters().get(Counter.FRAMES_IN)) {
                assertThat(System.nanoTime() - deadline).isNegative();
                Thread.sleep(10);
            }
            assertThat(seen).isNotEmpty().allSatisfy(f -> assertThat(f).containsExactly(f[0], 320, 240));
            long last = -1;
            for (long[] f : seen) {
                assertThat(f[0]).isGreaterThan(last);
                last = f[0];
            }
            assertThat(source.status()).isEqualTo(SourceStatus.ENDED);
        }
    }

    @Test
    void closingThePipelineWhileALiveReadIsBlockedReturns() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        sender = FfmpegCli.start("-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-c:v", "mpeg2video",
                "-g", "5", "-f", "mpegts", "udp://127.0.0.1:" + port + "?pkt_size=1316");
        try (DatagramSocket probe = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
            probe.setSoTimeout(30_000);
            probe.receive(new DatagramPacket(new byte[2048], 2048)); // the sender is up
        }
        FrameSource source = FrameSources.create("udp://127.0.0.1:" + port + "?timeoutMs=60000");
        StreamPipeline p = new StreamPipeline(new StreamPipeline.Context().streamId("udp").source(source)
                .videoSink(slot -> { }).conclude());
        source.open(); // whoever assembles a pipeline opens its source first
        p.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (p.counters().get(Counter.FRAMES_IN) < 10) {
            assertThat(System.nanoTime() - deadline).as(source.statusDetail()).isNegative();
            Thread.sleep(10);
        }
        FfmpegCli.stop(sender); // the capture thread now waits in FFmpeg for data (up to a minute)
        Thread.sleep(300);
        Async.run(p::close).get(15, TimeUnit.SECONDS);
        assertThat(p.capturing()).isFalse();
        assertThat(source.status()).isEqualTo(SourceStatus.CLOSED);
    }
}
