package org.intravis.perf;

import org.intravis.pipeline.StreamPipeline;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hot-path rule 1, checked where it can be exactly: frames hopping through the ring (capture agent, video branch,
 * stamping and latency recording, with a sink that does nothing) allocate nothing on the capture and video threads
 * once warm. Counts bytes, never time.
 */
class RingHopAllocationTest {

    @Test
    void framesThroughTheRingAllocateNothingOnThePipelineThreads() throws Exception {
        for (String waitStrategy : new String[] {"blocking", "yielding"}) {
            RingHopBenchmark.HandOffSource source = new RingHopBenchmark.HandOffSource();
            RingHopBenchmark.SignalSink sink = new RingHopBenchmark.SignalSink();
            StreamPipeline p = new StreamPipeline(new StreamPipeline.Context().streamId("hop").source(source)
                    .ringSize(16).waitStrategy(waitStrategy).videoSink(sink).conclude());
            p.start();
            try {
                long n = hop(source, sink, 0, 20_000); // warm: classes loaded, code compiled
                List<Thread> threads = p.threads();
                ThreadAllocation alloc = ThreadAllocation.begin(threads);
                int frames = 20_000;
                hop(source, sink, n, frames);
                Map<String, Long> bytes = alloc.bytesByRole();
                assertThat(bytes).containsKeys("capture", "video");
                bytes.forEach((role, b) -> assertThat(b).as(waitStrategy + ": heap bytes allocated by " + role
                        + " over " + frames + " frames").isLessThan(frames / 10));
            } finally {
                source.stop();
                p.close();
            }
        }
    }

    private static long hop(RingHopBenchmark.HandOffSource source, RingHopBenchmark.SignalSink sink, long from,
                            int frames) {
        long n = from;
        for (int i = 0; i < frames; i++) {
            source.request(++n);
            while (sink.seen < n) {
                Thread.yield();
            }
        }
        return n;
    }
}
