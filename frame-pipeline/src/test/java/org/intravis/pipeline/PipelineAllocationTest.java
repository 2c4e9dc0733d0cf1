package org.intravis.pipeline;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hot-path rule 1, proved: after warm-up, frames pass through capture, the video branch and the inference branch
 * without allocating. Bytes per frame are read from each pipeline thread's allocation counter over two runs of
 * different length; a per-frame allocation would grow with the frame count.
 */
class PipelineAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void steadyStateAllocatesNothingPerFrame() throws Exception {
        assertThat(THREADS.isThreadAllocatedMemorySupported()).isTrue();
        THREADS.setThreadAllocatedMemoryEnabled(true);

        GatedSource source = new GatedSource(320, 240);
        AtomicLong videoFrames = new AtomicLong();
        AtomicLong inferred = new AtomicLong();
        Annotations published = new Annotations();
        StreamPipeline[] ref = new StreamPipeline[1];
        InferenceFeed feed = (slot, version) -> {
            // stands for preprocessing: touch the pixels, then publish a result like a model would
            long sum = 0;
            for (int i = 0; i < slot.frameBytes(); i += 97) {
                sum += slot.pixels().get(i);
            }
            if (!slot.unchangedSince(version)) {
                return InferenceFeed.Offer.TORN;
            }
            published.clearResults();
            published.status(Annotations.Status.VALID).frameId(slot.frameId()).capturedNanos(slot.stamp(Stage.CAPTURED));
            published.addTip(1, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, sum & 0xff, 1, 0, 0, 1);
            ref[0].annotations().publish(published);
            inferred.incrementAndGet();
            return InferenceFeed.Offer.ACCEPTED;
        };
        VideoSink sink = slot -> {
            slot.stamp(Stage.ENCODED, System.nanoTime());
            slot.stamp(Stage.SENT, System.nanoTime());
            videoFrames.incrementAndGet();
        };
        try (StreamPipeline p = new StreamPipeline(new StreamPipeline.Context().streamId("alloc").source(source)
                .ringSize(16).inferenceFeed(feed).videoSink(sink).conclude())) {
            ref[0] = p;
            p.source().open();
            p.start();
            source.release(3000, videoFrames); // warm-up: JIT, class loading, histogram buckets
            p.latency().snapshot();

            Map<String, Long> before = allocated(p);
            source.release(2000, videoFrames);
            Map<String, Long> mid = allocated(p);
            source.release(6000, videoFrames);
            Map<String, Long> after = allocated(p);

            assertThat(inferred.get()).isPositive();
            for (String thread : before.keySet()) {
                double perFrameShort = (mid.get(thread) - before.get(thread)) / 2000.0;
                double perFrameLong = (after.get(thread) - mid.get(thread)) / 6000.0;
                System.out.printf("%s: %.2f bytes/frame over 2000 frames, %.2f over 6000%n",
                        thread, perFrameShort, perFrameLong);
                // target 0; a few bytes of JVM noise (safepoint bookkeeping) are tolerated, growth is not
                assertThat(perFrameLong).as(thread + " bytes per frame").isLessThan(1.0);
            }
        }
    }

    private static Map<String, Long> allocated(StreamPipeline p) {
        Map<String, Long> m = new HashMap<>();
        for (Thread t : p.threads()) {
            m.put(t.getName(), THREADS.getThreadAllocatedBytes(t.getId()));
        }
        return m;
    }

    /** Delivers frames in bursts released by the test, then waits for the video branch to catch up. */
    private static final class GatedSource implements FrameSource {
        private final int width;
        private final int height;
        private final AtomicLong permits = new AtomicLong(); // not a Semaphore: its timed wait allocates
        private volatile boolean closed;
        private long n;

        GatedSource(int width, int height) {
            this.width = width;
            this.height = height;
        }

        void release(int frames, AtomicLong videoFrames) throws InterruptedException {
            long target = videoFrames.get() + frames;
            for (int i = 0; i < frames; i++) {
                permits.incrementAndGet();
                // one frame at a time, paced by the consumer, so none is dropped or skipped
                long want = target - frames + i + 1;
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (videoFrames.get() < want) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("pipeline stopped at frame " + videoFrames.get());
                    }
                    Thread.onSpinWait();
                }
            }
            Thread.sleep(20); // let the inference branch finish its last frame
        }

        @Override public String uri() { return "test:gated"; }
        @Override public void open() { }
        @Override public FrameGeometry geometry() { return new FrameGeometry(width, height, PixelFormat.GRAY8); }
        @Override public double nominalFps() { return 0; }

        @Override
        public Read readInto(FrameSlot slot) {
            while (permits.get() == 0) {
                if (closed) {
                    return Read.END;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
            permits.decrementAndGet();
            slot.frame(width, height, width, PixelFormat.GRAY8);
            slot.pixels().put((int) (n % (width * height)), (byte) n);
            n++;
            return Read.FRAME;
        }

        @Override public SourceStatus status() { return SourceStatus.STREAMING; }
        @Override public boolean live() { return false; }
        @Override public void close() { closed = true; }
    }
}
