package org.intravis.capture.igtl;

import org.intravis.capture.FrameSources;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heap allocation per frame of the {@code igtl://} source on the reading (capture) thread in steady state, with the
 * thread allocation counter (hot-path rule 1): the connection's own work (decoding, the newest-image handoff) is on
 * its event loop; taking an image into a slot must allocate nothing.
 */
class IgtlSourceAllocationTest {
    static volatile byte[] sink;

    @Test
    void readingAllocatesNothingPerFrame() throws Exception {
        byte[] grey = IgtlSourceTest.image("d", 640, 480, 1, 0.1, IgtlImage.SCALAR_UINT8);
        byte[] rgb = IgtlSourceTest.image("d", 640, 480, 3, 0.1, IgtlImage.SCALAR_UINT8);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        long probe = threads.getThreadAllocatedBytes(me);
        sink = new byte[4096];
        assertThat(threads.getThreadAllocatedBytes(me) - probe).as("the counter sees allocation").isGreaterThanOrEqualTo(4096);
        for (Object[] c : new Object[][]{{grey, "gray"}, {rgb, "bgr"}, {rgb, "gray"}}) {
            try (ServerSocket server = new ServerSocket(0)) {
                Thread feeder = new Thread(() -> feed(server, (byte[]) c[0]), "test-igtl-feeder");
                feeder.setDaemon(true);
                feeder.start();
                try (FrameSource s = FrameSources.create("igtl://127.0.0.1:" + server.getLocalPort() + "?format=" + c[1])) {
                    s.open();
                    FrameSlot[] ring = {new FrameSlot(0, s.geometry(), false), new FrameSlot(1, s.geometry(), false)};
                    read(s, ring, 150);
                    long before = threads.getThreadAllocatedBytes(me);
                    int frames = read(s, ring, 300);
                    long allocated = threads.getThreadAllocatedBytes(me) - before;
                    double perFrame = (double) allocated / frames;
                    System.out.printf("igtl:// source, 640x480 %s -> %s: %d bytes over %d frames = %.2f bytes/frame%n",
                            c[0] == grey ? "grey" : "RGB", c[1], allocated, frames, perFrame);
                    assertThat(perFrame).as("heap bytes per frame").isLessThan(8.0);
                }
            }
        }
    }

    private static void feed(ServerSocket server, byte[] image) {
        try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
            while (true) {
                out.write(image);
                Thread.sleep(2);
            }
        } catch (IOException | InterruptedException closed) {
            // the source closed
        }
    }

    private static int read(FrameSource s, FrameSlot[] ring, int frames) throws Exception {
        int got = 0;
        while (got < frames) {
            if (s.readInto(ring[got & 1]) == FrameSource.Read.FRAME) {
                got++;
            }
        }
        return got;
    }
}
