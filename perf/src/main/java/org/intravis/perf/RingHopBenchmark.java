package org.intravis.perf;

import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;
import org.intravis.pipeline.Stage;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.VideoSink;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * One hop through a stream's ring, with no compute: the capture agent claims a slot, the source "delivers" a frame
 * (layout only, no pixels), the agent stamps and publishes it, the video branch wakes, attaches the (empty) newest
 * annotations, calls the sink, stamps and records its latency histograms; the sink stamps ENCODED/SENT and signals.
 * <pre>
 *   benchmark thread --request--&gt; [capture-bench: HandOffSource.readInto, stamp, publish]
 *       --ring--&gt; [video-bench: VideoBranchHandler, record] --&gt; SignalSink --seen--&gt; benchmark thread
 * </pre>
 * Measured through the public API ({@link StreamPipeline}), per wait strategy of the video branch. Each operation is
 * one frame end to end (request to signal), so it includes two cross-thread hand-offs of the harness around the
 * ring's one; with {@code -prof gc}, {@code gc.alloc.rate.norm} is every thread's allocation per frame.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RingHopBenchmark {
    @Param({"blocking", "yielding"})
    public String waitStrategy;

    private HandOffSource source;
    private SignalSink sink;
    private StreamPipeline pipeline;
    private long requested;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        source = new HandOffSource();
        sink = new SignalSink();
        pipeline = new StreamPipeline(new StreamPipeline.Context().streamId("bench").source(source).ringSize(16)
                .waitStrategy(waitStrategy).videoSink(sink).conclude());
        source.open();
        pipeline.start();
    }

    @Benchmark
    public long hop() {
        long target = ++requested;
        source.request(target);
        int spins = 0;
        while (sink.seen < target) {
            if (++spins > 100) {
                Thread.yield(); // two cores: let the pipeline's threads run
            } else {
                Thread.onSpinWait();
            }
        }
        return target;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        source.stop();
        pipeline.close();
    }

    /** Delivers a frame (its layout only) each time the benchmark asks for one; spins (then yields) meanwhile. */
    static final class HandOffSource implements FrameSource {
        private volatile long requested;
        private volatile boolean stopped;
        private long delivered;

        void request(long n) {
            requested = n;
        }

        void stop() {
            stopped = true;
        }

        @Override public String uri() { return "bench:handoff"; }
        @Override public void open() { }
        @Override public FrameGeometry geometry() { return new FrameGeometry(64, 64, PixelFormat.GRAY8); }
        @Override public double nominalFps() { return 0; }

        @Override
        public Read readInto(FrameSlot slot) {
            int spins = 0;
            while (requested <= delivered) {
                if (stopped) {
                    return Read.END;
                }
                if (++spins > 100) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
            delivered++;
            slot.frame(64, 64, 64, PixelFormat.GRAY8);
            return Read.FRAME;
        }

        @Override public SourceStatus status() { return SourceStatus.STREAMING; }
        @Override public boolean live() { return true; }
        @Override public void close() { stopped = true; }
    }

    /** Stamps as an encoder and a sender would (no work between), then tells the benchmark the frame arrived. */
    static final class SignalSink implements VideoSink {
        volatile long seen;

        @Override
        public void onFrame(FrameSlot slot) {
            long now = System.nanoTime();
            slot.stamp(Stage.ENCODED, now);
            slot.stamp(Stage.SENT, now);
            seen = slot.frameId() + 1;
        }
    }
}
