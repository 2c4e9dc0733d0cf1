package org.intravis.capture.ffmpeg;

import org.intravis.capture.FfmpegCli;
import org.intravis.capture.FrameSources;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.FrameSource.Read;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heap allocation per frame of the {@code file:} source in steady state, measured with the thread allocation
 * counter on the reading thread (hot-path rule 1). FFmpeg's own buffers are native and not counted: this is
 * what the source adds to the Java heap, which is what makes the garbage collector run.
 */
class FileSourceAllocationTest {
    @TempDir
    Path dir;
    static volatile byte[] sink;

    @Test
    void steadyStateReadingAllocatesNothingPerFrame() throws Exception {
        Path video = FfmpegCli.testVideo(dir.resolve("alloc.mp4"), 640, 480, 25, 60,
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "15");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        long probe = threads.getThreadAllocatedBytes(me);
        sink = new byte[4096];
        assertThat(threads.getThreadAllocatedBytes(me) - probe).as("the counter sees allocation").isGreaterThanOrEqualTo(4096);
        // the same stored turned a quarter, its pixels 4:3 wide (a phone's clip, an HDV file): squared and turned
        Path turned = FfmpegCli.run(dir.resolve("alloc-turned.mp4"), "-i", video.toString(), "-c", "copy",
                "-metadata:s:v:0", "rotate=90");
        for (String uri : new String[]{video + "?", video + "?format=bgr&maxWidth=320&maxHeight=320&",
                turned + "?pixelAspect=4:3&"}) {
            try (FrameSource s = FrameSources.create("file:" + uri + "pace=fast&loop=true")) {
                s.open();
                FrameSlot[] ring = {new FrameSlot(0, s.geometry(), false), new FrameSlot(1, s.geometry(), false),
                        new FrameSlot(2, s.geometry(), false), new FrameSlot(3, s.geometry(), false)};
                int warm = read(s, ring, 300); // several loops: every code path (wrap included) has run and compiled
                long before = threads.getThreadAllocatedBytes(me);
                int frames = read(s, ring, 1200);
                long allocated = threads.getThreadAllocatedBytes(me) - before;
                double perFrame = (double) allocated / frames;
                System.out.printf("file: source, 640x480 h264 -> %dx%d %s, fast, loop: %d bytes over %d frames"
                        + " = %.2f bytes/frame (after %d warm-up frames)%n", s.geometry().maxWidth(),
                        s.geometry().maxHeight(), s.geometry().format(), allocated, frames, perFrame, warm);
                assertThat(perFrame).as("heap bytes per frame").isLessThan(8.0);
            }
        }
    }

    private static int read(FrameSource s, FrameSlot[] ring, int frames) throws Exception {
        int got = 0;
        int i = 0;
        while (got < frames) {
            Read r = s.readInto(ring[i & 3]);
            if (r == Read.FRAME) {
                got++;
                i++;
            } else if (r == Read.END) {
                throw new AssertionError("END while looping");
            }
        }
        return got;
    }
}
