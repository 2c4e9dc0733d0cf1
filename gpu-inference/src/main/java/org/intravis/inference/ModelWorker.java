package org.intravis.inference;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One model's worker: a thread ({@code infer-<model>}) that batches the frames of every stream using the model
 * into one ONNX Runtime call, then turns each row's output into that stream's annotations.
 *
 * <pre>
 *   stream feeds --(claim a row, preprocess into it, READY)--&gt; filling batch ----.
 *                                                                                 | closes when full, or when waiting
 *   worker: close + swap (the other batch starts filling) &lt;----------------------'  longer would make its oldest
 *           settle rows, skip stale ones, run, post-process each row, publish     frame miss its budget (p90 run
 *           recycle                                                               time of that batch size)
 * </pre>
 *
 * "Full" means maxBatch rows, or every row the active (unpaused) streams can give it (one each when the newest
 * frame wins): no more can come, so waiting would only add latency. A row's deadline counts from the first frame
 * that took it; a newer frame of the same stream replacing it does not push the deadline back.
 * <p>
 * With {@code postThreads} above one, helper threads take rows of a batch alongside the worker ({@link PostCrew}); the
 * batch is still finished before the next one runs.
 * <p>
 * Double-buffered: feeds fill one batch while the worker runs the other. Lock-free between feeds and worker (see
 * {@link Batch}); the worker parks when idle and feeds wake it when a batch gets its first or its last row.
 * Nothing is allocated per frame.
 */
final class ModelWorker implements Runnable {
    private static final Logger LOG = Logger.getLogger(ModelWorker.class.getName());
    private static final String FAILED_RUN = "inference failed";
    private static final String FAILED_POST = "post-processing failed";

    private final String modelName;
    private final InferenceBackend backend;
    private final ModelSpec spec;
    private final InferenceSettings settings;
    private final Batch[] batches;
    private final TensorRow[][] tensorRows;
    private final Mat[][][] outputPlanes;
    private final long budgetNanos;
    /** Age at which an overlay is no longer shown: a row past its budget is still run if it would arrive before. */
    private final long staleNanos;
    /** Allowance for waking late (scheduling jitter): a batch closes this much before its estimate says it must. */
    private final long slackNanos;
    /** Run-time estimates per graph (index: variant); {@link #estimator} is the current graph's. */
    private final RunTimeEstimator[] estimators;
    private RunTimeEstimator estimator;
    /** Which graph runs: the full one or, under load, the model's cheaper fallback. */
    private final ModelGovernor governor;
    private final String[] variantNames;
    private int variant;
    /**
     * The full graph's cost over the fallback's, per frame (1 without a fallback): from the sidecar's FLOPs, else
     * from the warm-up, where both were timed back to back (the run-time estimates since differ in age and load).
     */
    private double costRatio = 1;
    private volatile Batch filling;
    private volatile StreamAnnotator[] streams = new StreamAnnotator[0];
    /** Rows a batch can get: maxBatch, or fewer when the active streams cannot fill more (rows per stream). */
    private volatile int reachableRows;
    private int activeStreams;
    private volatile boolean running = true;
    /** Set when the service closes: feeds stop touching the tensors, which are then freed. */
    private volatile boolean closing;
    /** Feeds currently writing into a tensor row (they finish before the tensors are freed). */
    private final java.util.concurrent.atomic.AtomicInteger feedsWriting = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread thread;

    // post-processing: the worker, and helpers when there are several post threads (PostCrew); scratch per thread
    private final PostRows[] post;
    private final PostCrew crew;
    private long postNanosPerRow;
    private final AtomicLong errorsLogged = new AtomicLong();
    // the batch being post-processed, for the crew (written by the worker before PostCrew.run)
    private Batch postBatch;
    private StreamAnnotator[] postStreams;
    private int postRows;
    private long postInferred;
    private String postPace;
    private int postVariant;

    // statistics (read by status())
    private final AtomicLong batchesRun = new AtomicLong();
    private final AtomicLong rowsRun = new AtomicLong();
    private final AtomicLong runFailures = new AtomicLong();
    private final AtomicLong skippedDeadline = new AtomicLong();
    private final AtomicLongArray batchSizes;
    private volatile long lastRunNanos;
    /** When the batch being run is expected to be done and published (nanoTime; 0: not running one). */
    private volatile long busyUntilNanos;
    /** The share of each stream's frames the feeds offer ({@link AiPace}; 0: every frame). */
    private volatile int paceStep;

    ModelWorker(String modelName, InferenceBackend backend, InferenceSettings settings) {
        this.modelName = modelName;
        this.backend = backend;
        this.spec = backend.spec();
        this.settings = settings;
        int max = backend.maxBatch();
        this.budgetNanos = settings.budgetMs() * 1_000_000L;
        this.staleNanos = Math.max(budgetNanos, settings.overlayStaleAfterMs() * 1_000_000L);
        this.slackNanos = Math.max(2_000_000L, budgetNanos / 10);
        this.estimators = new RunTimeEstimator[backend.variants()];
        this.variantNames = new String[backend.variants()];
        for (int v = 0; v < estimators.length; v++) {
            estimators[v] = new RunTimeEstimator(max, budgetNanos / 4);
            variantNames[v] = backend.variantName(v);
        }
        this.estimator = estimators[0];
        this.governor = new ModelGovernor(backend.variants(), 1_000_000_000L);
        if (backend.variants() > 1) {
            double r = backend.fallback().costRatio(spec.gflopsPerFrame());
            costRatio = r > 0 ? r : 1;
        }
        batches = new Batch[backend.buffers()];
        tensorRows = new TensorRow[backend.buffers()][max];
        outputPlanes = new Mat[backend.buffers()][max][];
        for (int b = 0; b < batches.length; b++) {
            batches[b] = new Batch(b, max);
            for (int r = 0; r < max; r++) {
                tensorRows[b][r] = new TensorRow(spec, backend.inputRow(b, r));
                outputPlanes[b][r] = OutputDecoder.planesOver(spec, backend.outputRow(b, r));
            }
        }
        batchSizes = new AtomicLongArray(max + 1);
        thread = new Thread(this, "infer-" + modelName);
        thread.setDaemon(true);
        int postThreads = Math.min(settings.postThreads(), max);
        post = new PostRows[postThreads];
        for (int k = 0; k < postThreads; k++) {
            post[k] = new PostRows(new OutputDecoder(spec, settings));
        }
        crew = postThreads > 1 ? new PostCrew(modelName, postThreads - 1, this::postRow, thread) : null;
        batches[0].open(); // feeds may fill the first batch before the thread starts
        filling = batches[0];
    }

    void start() {
        if (crew != null) {
            crew.start();
        }
        thread.start();
    }

    /** Threads that post-process a batch's rows (the worker and its helpers). */
    int postThreads() { return post.length; }
    /** The post-processing helpers' threads (none with one post thread). */
    java.util.List<Thread> postHelperThreads() { return crew == null ? java.util.List.of() : crew.helperThreads(); }
    /** Rows post-processed by helpers rather than the worker itself (0 with one post thread). */
    long rowsPostedByHelpers() { return crew == null ? 0 : crew.rowsByHelpers(); }

    ModelSpec spec() { return spec; }
    InferenceBackend backend() { return backend; }
    Thread thread() { return thread; }
    int maxBatch() { return backend.maxBatch(); }
    int rowsPerStream() { return settings.rowsPerStream(); }

    /**
     * When the worker expects to be done with the batch it runs now, published (nanoTime), or 0 when it runs none:
     * until then the filling batch cannot be taken (feeds use it to skip work that a newer frame would replace).
     */
    long busyUntilNanos() {
        return busyUntilNanos;
    }

    /** The batch feeds write into now. */
    Batch filling() {
        return filling;
    }

    TensorRow tensorRow(int buffer, int row) {
        return tensorRows[buffer][row];
    }

    /** Adds a stream (any time); returns its index in the rows' {@code stream} field. */
    synchronized int addStream(StreamAnnotator s) {
        StreamAnnotator[] next = Arrays.copyOf(streams, streams.length + 1);
        next[next.length - 1] = s;
        streams = next;
        activeStreams(+1);
        return next.length - 1;
    }

    /**
     * A stream started (+1) or stopped (-1, paused) feeding. A batch that holds every row the active streams can
     * give it is as full as it will get, so it closes at once rather than at its deadline.
     */
    synchronized void activeStreams(int delta) {
        activeStreams += delta;
        reachableRows = Math.max(1, Math.min(backend.maxBatch(), activeStreams * settings.rowsPerStream()));
    }

    /** Rows at which the filling batch is as full as it can get. */
    int reachableRows() {
        return reachableRows;
    }

    int paceStep() {
        return paceStep;
    }

    void paceStep(int step) {
        AiPace.check(step);
        paceStep = step;
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    /** A feed is about to write a row; false once the worker is closing (the feed must not touch the tensors). */
    boolean enterFeed() {
        feedsWriting.incrementAndGet();
        if (closing) {
            feedsWriting.decrementAndGet();
            return false;
        }
        return true;
    }

    void exitFeed() {
        feedsWriting.decrementAndGet();
    }

    @Override
    public void run() {
        Batch current = batches[0];
        int cur = 0;
        while (running) {
            long w = current.word();
            int n = Batch.count(w);
            if (n == 0) {
                LockSupport.parkNanos(this, 50_000_000L);
                continue;
            }
            long oldest = oldestReady(current, n);
            if (oldest == WRITING) {
                LockSupport.parkNanos(this, 200_000L); // rows still being written, none ready yet
                continue;
            }
            if (n < reachableRows && oldest != Long.MAX_VALUE) { // (MAX: every row tore; close to recycle)
                long closeAt = oldest + budgetNanos - estimator.estimate(Math.min(n + 1, current.capacity))
                        - (n + 1) * postNanosPerRow - slackNanos;
                long wait = closeAt - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                    continue;
                }
            }
            int claimed = current.close();
            int next = (cur + 1) % batches.length;
            if (next != cur) {
                batches[next].open();
                filling = batches[next];
            }
            process(current, claimed);
            busyUntilNanos = 0;
            current.recycle();
            if (next == cur) {
                current.open();
            }
            cur = next;
            current = batches[cur];
        }
    }

    /**
     * Runs every batch size twice before the thread starts (on the caller's thread): settles ONNX Runtime's memory
     * for each shape and seeds the run-time estimates. A model that cannot run at all fails here, at load.
     */
    void warmUp() throws InferenceException {
        for (int v = 0; v < estimators.length; v++) {
            for (int round = 0; round < 2; round++) {
                for (int n = 1; n <= backend.maxBatch(); n++) {
                    long t0 = System.nanoTime();
                    backend.run(1 % batches.length, n, v);
                    if (round > 0) {
                        estimators[v].record(n, System.nanoTime() - t0);
                    }
                }
            }
        }
        if (estimators.length > 1 && backend.fallback().costRatio(spec.gflopsPerFrame()) <= 0) {
            long cheap = estimators[1].estimate(1);
            costRatio = cheap <= 0 ? 1 : Math.max(1, (double) estimators[0].estimate(1) / cheap);
        }
    }

    /** A stream offered a frame (its feed, any thread): what the governor compares the published frames with. */
    void offered() {
        governor.offered();
    }

    /** Marker of {@link #oldestReady}: no row is ready yet but some are being written. */
    private static final long WRITING = Long.MIN_VALUE;

    /** Admission time of the oldest ready row; {@link #WRITING}, or Long.MAX_VALUE when every row is void. */
    private static long oldestReady(Batch b, int n) {
        long oldest = Long.MAX_VALUE;
        boolean writing = false;
        for (int r = 0; r < n; r++) {
            int phase = Batch.phase(b.rowState(r));
            if (phase == Batch.READY) {
                oldest = Math.min(oldest, b.admittedNanos[r]);
            } else if (phase != Batch.VOID) {
                writing = true;
            }
        }
        return oldest == Long.MAX_VALUE && writing ? WRITING : oldest;
    }

    /**
     * Settles a closed batch's rows, skips void ones and those whose overlay would arrive stale, runs it and
     * publishes every row. A row past its budget but not that old still runs: under load, giving it up left its
     * stream without an overlay for another whole run (its preprocessing wasted) while the rest ran as a smaller
     * batch.
     */
    private void process(Batch b, int claimed) {
        long gen = Batch.generation(b.word());
        for (int r = 0; r < claimed; r++) {
            int spins = 0;
            while (true) {
                long s = b.rowState(r);
                int phase = Batch.phase(s);
                if (phase == Batch.VOID) {
                    break;
                }
                if (phase == Batch.READY && b.casRow(r, gen, Batch.READY, Batch.TAKEN)) {
                    break;
                }
                if (++spins < 1000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // a feed is still preprocessing into this row
                }
            }
        }
        StreamAnnotator[] all = streams;
        long now = System.nanoTime();
        // when the batch's overlays would arrive, at the latest
        long arrive = now + estimator.estimate(Math.max(1, claimed)) + claimed * postNanosPerRow;
        int rows = 0;
        long oldestCaptured = Long.MAX_VALUE;
        for (int r = 0; r < claimed; r++) {
            if (Batch.phase(b.rowState(r)) != Batch.TAKEN) {
                continue;
            }
            long captured = b.capturedNanos[r];
            if (now - captured > budgetNanos && arrive - captured > staleNanos) {
                all[b.stream[r]].counters().increment(Counter.INFERENCE_SKIPPED_DEADLINE);
                skippedDeadline.incrementAndGet();
                continue;
            }
            if (r != rows) {
                moveRow(b, r, rows);
            }
            oldestCaptured = Math.min(oldestCaptured, b.capturedNanos[rows]);
            rows++;
        }
        if (rows == 0) {
            return;
        }
        long t0 = System.nanoTime();
        busyUntilNanos = t0 + estimator.estimate(rows) + rows * postNanosPerRow;
        int runVariant = variant;
        boolean ok;
        String failure = FAILED_RUN;
        try {
            // the oldest frame's remaining budget (past it: until its overlay would be stale) is the call's
            // deadline (a remote backend declines what would miss it); a fallback graph runs only in process
            if (runVariant != 0) {
                backend.run(b.buffer, rows, runVariant);
            } else if (!backend.runWithin(b.buffer, rows, oldestCaptured
                    + (now - oldestCaptured > budgetNanos ? staleNanos : budgetNanos) - rows * postNanosPerRow)) {
                for (int r = 0; r < rows; r++) {
                    all[b.stream[r]].counters().increment(Counter.INFERENCE_SKIPPED_DEADLINE);
                }
                skippedDeadline.addAndGet(rows);
                return;
            }
            ok = true;
        } catch (InferenceException e) {
            ok = false;
            failure = e.overlayReason() == null ? FAILED_RUN : e.overlayReason();
            runFailures.incrementAndGet();
            long n = errorsLogged.incrementAndGet();
            if (n <= 5 || n % 1000 == 0) {
                LOG.log(Level.WARNING, e.getMessage() + " (" + n + " so far)");
            }
        }
        long inferred = System.nanoTime();
        if (ok) {
            estimator.record(rows, inferred - t0);
        }
        lastRunNanos = inferred - t0;
        batchesRun.incrementAndGet();
        rowsRun.addAndGet(rows);
        batchSizes.incrementAndGet(rows);
        String pace = AiPace.overlayWords(paceStep); // one read a batch: its rows were offered under one pace
        if (!ok) {
            for (int r = 0; r < rows; r++) {
                StreamAnnotator s = all[b.stream[r]];
                begin(s, b, r, inferred, rows, runVariant, pace);
                s.publishFailure(failure);
            }
        }
        int published = ok ? postProcess(b, all, rows, inferred, pace, runVariant) : 0;
        int next = governor.afterBatch(System.nanoTime(), published, inferred - t0, costRatio);
        if (next != variant) {
            LOG.info("model " + modelName + ": " + (next > variant ? "stepping down to its " : "stepping back up to its ")
                    + variantNames[next] + " graph" + (next > 0 ? " (" + backend.fallback().file() + ")" : "")
                    + " (frames published / offered " + Math.round(governor.coverage() * 100)
                    + " %, busy " + Math.round(governor.busy() * 100) + " % of the last second)");
            variant = next;
            estimator = estimators[next];
        }
    }


    private void moveRow(Batch b, int from, int to) {
        long bytes = (long) spec.inputRowFloats() * Float.BYTES;
        Pointer.memcpy(backend.inputRow(b.buffer, to), backend.inputRow(b.buffer, from), bytes);
        b.stream[to] = b.stream[from];
        b.frameId[to] = b.frameId[from];
        b.capturedNanos[to] = b.capturedNanos[from];
        b.admittedNanos[to] = b.admittedNanos[from];
        b.captureEpochMicros[to] = b.captureEpochMicros[from];
        b.preprocessedNanos[to] = b.preprocessedNanos[from];
        b.ptsMicros[to] = b.ptsMicros[from];
        b.frameWidth[to] = b.frameWidth[from];
        b.frameHeight[to] = b.frameHeight[from];
        b.slot[to] = b.slot[from];
        b.slotVersion[to] = b.slotVersion[from];
        tensorRows[b.buffer][to].box().copyFrom(tensorRows[b.buffer][from].box());
    }

    /**
     * Post-processes a batch that ran: each row's output to its stream's annotations, published. On the worker alone,
     * or with the crew when it has helpers, the batch has several rows and no stream holds two of them (a stream's
     * rows stay in order on one thread). Returns the rows published.
     */
    private int postProcess(Batch b, StreamAnnotator[] all, int rows, long inferred, String pace, int runVariant) {
        postBatch = b;
        postStreams = all;
        postRows = rows;
        postInferred = inferred;
        postPace = pace;
        postVariant = runVariant;
        for (PostRows p : post) {
            p.published = 0;
        }
        long p0 = System.nanoTime();
        if (crew != null && rows > 1 && oneRowPerStream(b, rows)) {
            crew.run(rows);
        } else {
            for (int r = 0; r < rows; r++) {
                postRow(0, r);
            }
        }
        long perRow = (System.nanoTime() - p0) / rows; // wall time: what the next batch waits for
        postNanosPerRow = postNanosPerRow == 0 ? perRow : (postNanosPerRow * 7 + perRow) / 8;
        postBatch = null;
        postStreams = null;
        int published = 0;
        for (PostRows p : post) {
            published += p.published;
        }
        return published;
    }

    private static boolean oneRowPerStream(Batch b, int rows) {
        for (int r = 1; r < rows; r++) {
            for (int q = 0; q < r; q++) {
                if (b.stream[q] == b.stream[r]) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Row {@code row} of {@link #postBatch} by participant {@code k} (PostCrew.RowTask): never throws. */
    private void postRow(int k, int row) {
        PostRows p = post[k];
        Batch b = postBatch;
        StreamAnnotator s = postStreams[b.stream[row]];
        Annotations a = begin(s, b, row, postInferred, postRows, postVariant, postPace);
        try {
            annotate(p, s, a, b, row);
            s.publish();
            p.published++;
        } catch (RuntimeException e) {
            long n = errorsLogged.incrementAndGet();
            if (n <= 5 || n % 1000 == 0) {
                LOG.log(Level.WARNING, "model " + modelName + ": post-processing failed on stream " + s.streamId(), e);
            }
            begin(s, b, row, postInferred, postRows, postVariant, postPace); // afresh: drop what the row had got
            s.publishFailure(FAILED_POST);
        }
    }

    /** Starts row {@code row}'s annotations on its stream, with the graph and the pace it ran under. */
    private Annotations begin(StreamAnnotator s, Batch b, int row, long inferred, int rows, int runVariant,
                              String pace) {
        return s.begin(b.frameId[row], b.capturedNanos[row], b.captureEpochMicros[row], b.preprocessedNanos[row],
                        inferred, b.frameWidth[row], b.frameHeight[row], rows)
                .modelVariant(variantNames[runVariant]).modelPace(pace);
    }

    /** One post-processing thread's scratch: a decoder and a pixel view are not shareable. */
    private static final class PostRows {
        final OutputDecoder decoder;
        final GreyPixels pixels = new GreyPixels();
        int published;

        PostRows(OutputDecoder decoder) {
            this.decoder = decoder;
        }
    }

    /**
     * One row's output to zones, instruments and the heat map (tracking and risk follow in publish()). The frame's
     * pixels are read again from its ring slot, optimistically: if capture rewrote the slot meanwhile (the ring holds
     * about half a second of video), the tip the pixels gave is dropped for the network's.
     */
    private void annotate(PostRows p, StreamAnnotator s, Annotations a, Batch b, int row) {
        OutputDecoder decoder = p.decoder;
        int buffer = b.buffer;
        org.intravis.pipeline.FrameSlot slot = b.slot[row];
        long version = b.slotVersion[row];
        GreyPixels frame = slot != null && slot.unchangedSince(version) ? p.pixels.wrap(slot.pixels(),
                b.frameWidth[row], b.frameHeight[row], slot.stride(), slot.format().bytesPerPixel()) : null;
        s.sceneCheck(frame, b.ptsMicros[row]);
        if (decoder.decode(backend.inputRow(buffer, row), tensorRows[buffer][row].box(), backend.outputRow(buffer, row),
                outputPlanes[buffer][row], a, b.frameWidth[row], b.frameHeight[row], s.heatmapDue(), s.zoneSmoother(),
                frame)) {
            if (frame != null && !slot.unchangedSince(version)) {
                decoder.networkTip();
            }
            InstrumentDetection d = decoder.instrument();
            s.detect(d.kind, d.entryX, d.entryY, d.tipX, d.tipY, d.confidence);
        }
    }

    /**
     * Stops the thread and waits for it and for any feed still writing a row; the backend (whose tensors they
     * write) is closed by the caller afterwards. Feeds offered frames from now on answer BUSY.
     */
    void stop() {
        closing = true;
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(5000);
            if (crew != null) {
                crew.stop();
            }
            long end = System.nanoTime() + 2_000_000_000L;
            while (feedsWriting.get() > 0 && System.nanoTime() < end) {
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- statistics ----
    String modelName() { return modelName; }
    long batchesRun() { return batchesRun.get(); }
    long rowsRun() { return rowsRun.get(); }
    long runFailures() { return runFailures.get(); }
    long skippedDeadline() { return skippedDeadline.get(); }
    double lastRunMillis() { return lastRunNanos / 1e6; }
    /** The graph that runs now ({@code full} or the fallback's name) and the others it can run. */
    String variantName() { return variantNames[governor.variant()]; }
    String[] variantNames() { return variantNames.clone(); }
    long stepDowns() { return governor.stepDowns(); }
    long stepUps() { return governor.stepUps(); }
    double coverage() { return governor.coverage(); }
    double busy() { return governor.busy(); }

    long[] batchSizeCounts() {
        long[] out = new long[batchSizes.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = batchSizes.get(i);
        }
        return out;
    }

    double[] runP90Millis() {
        return estimator.p90Millis();
    }
}
