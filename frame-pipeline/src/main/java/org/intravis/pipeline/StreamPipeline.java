package org.intravis.pipeline;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One stream's frame pipeline, wired as the architecture draws it:
 *
 * <pre>
 *   FrameSource --(capture thread, tryNext: full ring = drop + count)--&gt; ring of FrameSlots
 *                                                                        |--&gt; video branch   (gates the ring)
 *                                                                        |--&gt; inference feed (does not gate)
 *                                                                        '--&gt; readers        (do not gate;
 *                                                                                            the recorder follows
 *                                                                                            the video branch)
 * </pre>
 *
 * Only the video branch gates the ring, so capture drops only when the picture itself falls a whole ring behind;
 * a stalled model or a slow disk can never hold a slot. Every thread is named after its role and stream.
 * Configure with a {@link Context}, open the source, then {@link #start()}.
 */
public final class StreamPipeline implements AutoCloseable {

    /** Configuration of one stream's pipeline: fluent setters, validated once by {@link #conclude()}. */
    public static final class Context {
        private String streamId;
        private int streamIndex;
        private FrameSource source;
        private int ringSize = 16;
        private String waitStrategy = "blocking";
        private long staleAfterMillis = 500;
        private final List<VideoSink> videoSinks = new ArrayList<>();
        private InferenceFeed inferenceFeed;
        private final List<NamedReader> readers = new ArrayList<>();
        private final List<AnnotationListener> annotationListeners = new ArrayList<>();
        private boolean concluded;

        public Context streamId(String id) { this.streamId = id; return this; }
        public Context streamIndex(int index) { this.streamIndex = index; return this; }
        public Context source(FrameSource s) { this.source = s; return this; }
        /** Ring entries, a power of two (16 by default: about a quarter of a second at 60 fps). */
        public Context ringSize(int size) { this.ringSize = size; return this; }
        /** {@link WaitStrategies} name. */
        public Context waitStrategy(String name) { this.waitStrategy = name; return this; }
        /** Attached annotations older than this (relative to the frame) are marked stale. */
        public Context staleAfterMillis(long ms) { this.staleAfterMillis = ms; return this; }
        public Context videoSink(VideoSink sink) { videoSinks.add(Objects.requireNonNull(sink)); return this; }
        public Context inferenceFeed(InferenceFeed feed) { this.inferenceFeed = feed; return this; }
        /** A consumer that does not gate the ring: it must read slots optimistically. */
        public Context reader(String role, EventHandler<FrameSlot> handler) {
            readers.add(new NamedReader(role, Objects.requireNonNull(handler), false));
            return this;
        }
        /**
         * A consumer that does not gate the ring and sees each slot only after the video branch is done with it, so
         * that the slot's attached annotations, overlay age and {@link FrameSlot#videoShown()} are the video
         * branch's decision for that frame (the recorder keeps what was seen). It must read slots optimistically:
         * capture may overwrite a slot as soon as the video branch has passed it.
         */
        public Context readerAfterVideo(String role, EventHandler<FrameSlot> handler) {
            readers.add(new NamedReader(role, Objects.requireNonNull(handler), true));
            return this;
        }
        public Context annotationListener(AnnotationListener l) {
            annotationListeners.add(Objects.requireNonNull(l));
            return this;
        }

        public String streamId() { return streamId; }
        public int streamIndex() { return streamIndex; }
        public FrameSource source() { return source; }
        public int ringSize() { return ringSize; }
        public long staleAfterMillis() { return staleAfterMillis; }

        /**
         * Checks the settings every stream shares (ring size, wait strategy, staleness), without a stream: an
         * application checks its configuration with it before any stream exists. {@link #conclude()} checks them too.
         */
        public Context checkSettings() {
            if (ringSize < 2 || Integer.bitCount(ringSize) != 1) {
                throw new IllegalArgumentException("ringSize must be a power of two >= 2, was " + ringSize);
            }
            if (staleAfterMillis <= 0) {
                throw new IllegalArgumentException("staleAfterMillis must be positive, was " + staleAfterMillis);
            }
            WaitStrategies.byName(waitStrategy); // fails early on a bad name
            return this;
        }

        /** Validates everything once; the pipeline refuses an unconcluded context. */
        public Context conclude() {
            if (streamId == null || streamId.isBlank()) {
                throw new IllegalArgumentException("stream id is required");
            }
            if (source == null) {
                throw new IllegalArgumentException("stream " + streamId + ": a source is required");
            }
            try {
                checkSettings();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("stream " + streamId + ": " + e.getMessage(), e);
            }
            concluded = true;
            return this;
        }
    }

    private record NamedReader(String role, EventHandler<FrameSlot> handler, boolean afterVideo) {
    }

    private final Context ctx;
    private final StreamCounters counters = new StreamCounters();
    private final StageLatency latency = new StageLatency();
    private final AnnotationExchange exchange;
    private final List<Thread> threads = new ArrayList<>();
    private final List<BatchEventProcessor<FrameSlot>> processors = new ArrayList<>();
    private RingBuffer<FrameSlot> ring;
    private CaptureAgent capture;
    private volatile boolean started;
    private volatile boolean closed;

    public StreamPipeline(Context ctx) {
        if (!ctx.concluded) {
            throw new IllegalStateException("conclude() the context first");
        }
        this.ctx = ctx;
        this.exchange = new AnnotationExchange(ctx.annotationListeners.toArray(new AnnotationListener[0]));
    }

    /**
     * Allocates the ring for the source's largest frame and starts the capture and branch threads. The source
     * must be open: whoever assembles the pipeline opens it first, since sinks are sized from its geometry too.
     */
    public synchronized void start() {
        if (started) {
            return;
        }
        FrameSource source = ctx.source;
        FrameGeometry geometry = source.geometry();
        boolean gt = source.providesGroundTruth();
        WaitStrategy wait = WaitStrategies.byName(ctx.waitStrategy);
        int[] nextIndex = {0};
        ring = RingBuffer.createSingleProducer(() -> new FrameSlot(nextIndex[0]++, geometry, gt), ctx.ringSize, wait);

        VideoBranchHandler video = new VideoBranchHandler(ctx.streamId, exchange,
                ctx.videoSinks.toArray(new VideoSink[0]), counters, latency, ctx.staleAfterMillis);
        BatchEventProcessor<FrameSlot> videoProcessor = new BatchEventProcessorBuilder()
                .build(ring, ring.newBarrier(), video);
        ring.addGatingSequences(videoProcessor.getSequence());
        spawn("video-" + ctx.streamId, videoProcessor);

        if (ctx.inferenceFeed != null) {
            BatchEventProcessor<FrameSlot> inference = new BatchEventProcessorBuilder()
                    .build(ring, ring.newBarrier(), new InferenceBranchHandler(ctx.inferenceFeed, counters));
            spawn("infer-feed-" + ctx.streamId, inference); // deliberately not a gating sequence
        }
        for (NamedReader r : ctx.readers) {
            // following the video sequence is not gating: capture still waits for the video branch only
            com.lmax.disruptor.SequenceBarrier barrier = r.afterVideo
                    ? ring.newBarrier(videoProcessor.getSequence()) : ring.newBarrier();
            spawn(r.role + "-" + ctx.streamId, new BatchEventProcessorBuilder().build(ring, barrier, r.handler));
        }

        FrameSlot scratch = new FrameSlot(-1, geometry, gt);
        capture = new CaptureAgent(ctx.streamId, ctx.streamIndex, source, ring, scratch, counters, () -> { });
        Thread t = new Thread(capture, "capture-" + ctx.streamId);
        t.setDaemon(true);
        threads.add(t);
        started = true;
        t.start();
    }

    private void spawn(String name, BatchEventProcessor<FrameSlot> processor) {
        processors.add(processor);
        Thread t = new Thread(processor, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    public String streamId() { return ctx.streamId; }
    public int streamIndex() { return ctx.streamIndex; }
    public Context context() { return ctx; }
    public FrameSource source() { return ctx.source; }
    public StreamCounters counters() { return counters; }
    public StageLatency latency() { return latency; }
    /** Where the inference branch publishes this stream's completed annotations. */
    public AnnotationExchange annotations() { return exchange; }
    public boolean started() { return started; }

    /** Whether the capture thread is still delivering (false after the source ended or failed). */
    public boolean capturing() {
        return capture != null && capture.running();
    }

    /** Why capture stopped, if it failed; empty otherwise. */
    public String captureFailure() {
        return capture == null ? "" : capture.failure();
    }

    /** The pipeline's threads, for tests and benchmarks that read per-thread allocation. */
    public List<Thread> threads() {
        return List.copyOf(threads);
    }

    /** Ring cursor: the sequence of the newest published frame (-1 before the first). */
    public long cursor() {
        return ring == null ? -1 : ring.getCursor();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (capture != null) {
                capture.stop();
                // let the capture thread leave the source before closing it; a source blocked in a read must
                // tolerate close() from another thread (it is how a stuck network read is broken)
                threads.get(threads.size() - 1).join(1000);
            }
            ctx.source.close();
            for (BatchEventProcessor<FrameSlot> p : processors) {
                p.halt();
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
