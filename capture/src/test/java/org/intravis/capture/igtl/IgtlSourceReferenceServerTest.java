package org.intravis.capture.igtl;

import org.intravis.capture.FrameSources;
import org.intravis.capture.testing.IgtlReferenceLibrary;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.PixelFormat;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference library's {@code ImagerServer} example (openigtlink-examples, compiled here against
 * libopenigtlink-dev) feeding an {@code igtl://} source over a real socket. The example sends 256x256 8-bit images
 * (its five test images in turn, 1 mm pixels) at the rate it is given, 100 per connection, then drops the connection
 * and waits for the next: so the frames must come at its rate, be its images byte for byte, and keep coming after the
 * source reconnects by itself.
 */
class IgtlSourceReferenceServerTest {
    private static final int FPS = 25;

    @Test
    void framesFlowAtTheReferenceServersRateAndSurviveItsDisconnects() throws Exception {
        Path example = IgtlReferenceLibrary.example("Imager/ImagerServer.cxx");
        Path exe = IgtlReferenceLibrary.compile(example, "ImagerServer");
        Path images = example.getParent().resolve("img");
        List<byte[]> expected = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            expected.add(Files.readAllBytes(images.resolve("igtlTestImage" + i + ".raw")));
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process server = new ProcessBuilder(exe.toString(), String.valueOf(port), String.valueOf(FPS), images.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (FrameSource source = FrameSources.create("igtl://127.0.0.1:" + port + "?timeoutMs=3000&reconnectInitialMs=100")) {
            source.open(); // waits for the first image to learn the size
            assertThat(source.geometry().maxWidth()).isEqualTo(256);
            assertThat(source.geometry().maxHeight()).isEqualTo(256);
            assertThat(source.geometry().format()).isEqualTo(PixelFormat.GRAY8);
            assertThat(source.pixelSpacingMm()).isEqualTo(1.0);
            FrameSlot slot = new FrameSlot(0, source.geometry(), false);
            byte[] pixels = new byte[256 * 256];

            long t10 = 0;
            int n = 0;
            while (n < 60) {
                if (read(source, slot, 3000)) {
                    n++;
                    slot.pixels().get(0, pixels);
                    assertThat(expected).as("frame %d is one of the example's images", n)
                            .anyMatch(e -> Arrays.equals(e, pixels));
                    if (n == 10) {
                        t10 = System.nanoTime();
                    }
                }
            }
            double fps = 50 / ((System.nanoTime() - t10) / 1e9);
            System.out.printf("igtl:// from ImagerServer at %d fps: %.1f frames/s%n", FPS, fps);
            assertThat(fps).as("frames per second against the server's %d", FPS).isBetween(FPS * 0.7, FPS * 1.15);

            // the example drops the connection after its 100th image: the source comes back by itself
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (source.reconnects() == 0 && System.nanoTime() < deadline) {
                read(source, slot, 100);
            }
            assertThat(source.reconnects()).as(source.statusDetail()).isGreaterThanOrEqualTo(1);
            int after = 0;
            while (after < 10 && System.nanoTime() < deadline) {
                if (read(source, slot, 1000)) {
                    after++;
                }
            }
            assertThat(after).as("frames after the reconnect").isEqualTo(10);
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static boolean read(FrameSource source, FrameSlot slot, long maxMillis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        while (System.nanoTime() < deadline) {
            FrameSource.Read r = source.readInto(slot);
            if (r == FrameSource.Read.FRAME) {
                return true;
            }
            assertThat(r).isEqualTo(FrameSource.Read.NONE);
        }
        return false;
    }
}
