package org.intravis.streamer;

import org.intravis.pipeline.Counter;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.testing.StandInSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hot-path rule 1 for the recorder's ring reader: copying frames into its buffers (and dropping them when its
 * writer is behind) allocates nothing per frame. Read from the reader thread's allocation counter over two runs of
 * different length while a real ffvhuff recording runs.
 */
class RecorderAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    @Test
    void theRingReaderAllocatesNothingPerFrame() throws Exception {
        THREADS.setThreadAllocatedMemoryEnabled(true);
        StandInSource source = TestFrames.source(320, 240, 400); // faster than the writer: copies and drops
        source.open();
        Recorder recorder = new Recorder("s1", RecorderTest.settings(dir).bufferFrames(4).conclude(),
                source.geometry(), () -> new RecordingInfo("test:pattern", true, 400, 0, "none", List.of(), Map.of(), "test"));
        StreamPipeline pipeline = new StreamPipeline(new StreamPipeline.Context().streamId("s1").source(source)
                .readerAfterVideo("record-read", recorder).conclude());
        try {
            pipeline.start();
            recorder.start();
            Thread reader = pipeline.threads().stream().filter(t -> t.getName().equals("record-read-s1"))
                    .findFirst().orElseThrow();
            awaitFrames(pipeline, 400); // warm-up: JIT, class loading
            long f0 = pipeline.counters().get(Counter.FRAMES_IN);
            long a0 = THREADS.getThreadAllocatedBytes(reader.getId());
            awaitFrames(pipeline, 300);
            long f1 = pipeline.counters().get(Counter.FRAMES_IN);
            long a1 = THREADS.getThreadAllocatedBytes(reader.getId());
            awaitFrames(pipeline, 900);
            long f2 = pipeline.counters().get(Counter.FRAMES_IN);
            long a2 = THREADS.getThreadAllocatedBytes(reader.getId());
            RecordingStatus st = recorder.status();
            double shortRun = (a1 - a0) / (double) (f1 - f0);
            double longRun = (a2 - a1) / (double) (f2 - f1);
            System.out.printf("record-read: %.2f bytes/frame over %d frames, %.2f over %d; written %d, dropped %d%n",
                    shortRun, f1 - f0, longRun, f2 - f1, st.framesWritten(), st.framesDropped());
            assertThat(st.framesWritten()).isPositive();
            assertThat(longRun).as("ring reader bytes per frame").isLessThan(1.0);
        } finally {
            pipeline.close();
            recorder.close();
        }
    }

    private static void awaitFrames(StreamPipeline p, long n) throws InterruptedException {
        long target = p.counters().get(Counter.FRAMES_IN) + n;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (p.counters().get(Counter.FRAMES_IN) < target && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
