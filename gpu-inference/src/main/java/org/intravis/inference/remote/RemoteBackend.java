package org.intravis.inference.remote;

import com.google.protobuf.ByteString;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import inference.GrpcService.ModelMetadataRequest;
import inference.GrpcService.ModelMetadataResponse;
import io.vertx.grpc.common.GrpcStatus;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceException;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.NativeMemory;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * {@link InferenceBackend} whose model runs on an inference server (Open Inference Protocol: an intravis node or
 * Triton). The worker fills rows of host tensors as for ONNX Runtime; a run sends them as one {@code ModelInfer}
 * with the rows as {@code raw_input_contents} (float32, little-endian, {@code [rows, C, H, W]}) and the oldest frame's
 * remaining budget as the call's deadline, and copies {@code raw_output_contents} back into the output rows.
 * <p>
 * At load the server's {@code ModelMetadata} is checked against the sidecar (a mismatch is a load error naming the
 * difference). A call that would miss its deadline (less time left than a round trip takes) or find every permit of
 * the link in use is not made, and one not answered by its deadline is given up: {@link #run(int, int, long)} answers
 * false and the worker counts the frames as skipped (the overlay ages: AI STALE, not FAILED). When the
 * server cannot be reached the link is marked down and probed with back-off; meanwhile a local fallback (the same
 * model on ONNX Runtime, when configured) runs the batches, or the run fails with "inference server unreachable",
 * which the stream's overlay and status show. The video never waits on any of it: this runs on the model's worker.
 * <p>
 * Unlike the in-process backend a run allocates (the protobuf messages and the transport's buffers).
 */
public final class RemoteBackend implements InferenceBackend {
    private static final Logger LOG = Logger.getLogger(RemoteBackend.class.getName());
    static final String UNREACHABLE = "inference server unreachable";
    static final String REFUSED = "inference server refused the call";
    static final String MISMATCH = "inference server holds another model";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final ModelSource source;
    private final ModelSpec spec;
    private final InferenceLink link;
    private final String remoteName;
    private final int maxBatch;
    private final int buffers;
    private final FloatPointer[] inputs;
    private final FloatPointer[] outputs;
    private final FloatPointer[][] inputRows;
    private final FloatPointer[][] outputRows;
    private final ByteBuffer[] inputBytes;
    private final ByteBuffer[] outputBytes;
    private final long inRowBytes;
    private final long outRowBytes;
    private final InferenceBackend fallback;
    /** The server's metadata matched since it was last reached (checked again after every reconnection). */
    private volatile boolean verified;
    /** Why the server's model cannot be used (a metadata mismatch found after a reconnection), or null. */
    private volatile String mismatch;
    private long lastVerifyNanos;
    /**
     * Round trips of the last calls that were answered: a call with less time left than the fastest of them would
     * miss its deadline, so it is not made. (The fastest, not an average: one slow call must not stop the calls.)
     */
    private final long[] roundTrips = new long[16];
    private int roundTripIndex;
    /** Calls declined for the budget since the last one made; at {@link #PROBE_AFTER_DECLINED} one is made anyway. */
    private int declinedInARow;
    static final int PROBE_AFTER_DECLINED = 16;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong notMadeBudget = new AtomicLong();
    private final AtomicLong notMadeBusy = new AtomicLong();
    private final AtomicLong fallbackRuns = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    /** Calls made but not answered within their deadline (their frames count as skipped, not failed). */
    private final AtomicLong late = new AtomicLong();
    private boolean closed;

    private RemoteBackend(ModelSource source, BackendOptions options, RemoteSettings settings, InferenceLink link,
                          InferenceBackend fallback) {
        this.source = source;
        this.spec = source.spec();
        this.link = link;
        this.remoteName = settings.remoteName(source.name());
        this.maxBatch = fallback != null ? fallback.maxBatch() : options.maxBatch();
        this.buffers = options.buffers();
        this.fallback = fallback;
        this.inRowBytes = (long) spec.inputRowFloats() * Float.BYTES;
        this.outRowBytes = (long) spec.outputRowFloats() * Float.BYTES;
        inputs = new FloatPointer[buffers];
        outputs = new FloatPointer[buffers];
        inputRows = new FloatPointer[buffers][maxBatch];
        outputRows = new FloatPointer[buffers][maxBatch];
        inputBytes = new ByteBuffer[buffers];
        outputBytes = new ByteBuffer[buffers];
        for (int b = 0; b < buffers; b++) {
            inputs[b] = new FloatPointer((long) spec.inputRowFloats() * maxBatch);
            outputs[b] = new FloatPointer((long) spec.outputRowFloats() * maxBatch);
            Pointer.memset(inputs[b], 0, inRowBytes * maxBatch);
            Pointer.memset(outputs[b], 0, outRowBytes * maxBatch);
            for (int r = 0; r < maxBatch; r++) {
                inputRows[b][r] = NativeMemory.floats(inputs[b], r * inRowBytes, spec.inputRowFloats());
                outputRows[b][r] = NativeMemory.floats(outputs[b], r * outRowBytes, spec.outputRowFloats());
            }
            inputBytes[b] = NativeMemory.bytes(inputs[b], 0, inRowBytes * maxBatch).asByteBuffer();
            outputBytes[b] = NativeMemory.bytes(outputs[b], 0, outRowBytes * maxBatch).asByteBuffer();
        }
    }

    /**
     * Connects, checks the server's metadata for the model and, when configured, loads the local fallback. An
     * unreachable server is not an error (the link probes it with back-off, the fallback runs meanwhile); a server
     * that refuses the call or holds a different model is.
     *
     * @param localFallback the fallback model, loaded by the caller when the settings ask for one (else null)
     */
    public static RemoteBackend open(ModelSource source, BackendOptions options, RemoteSettings settings,
                                     InferenceBackend localFallback) throws ModelLoadException {
        InferenceLink link = new InferenceLink(settings);
        RemoteBackend b = new RemoteBackend(source, options, settings, link, localFallback);
        try {
            b.verify(true);
        } catch (ModelLoadException | RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    /**
     * Asks the server for the model's metadata and checks it. Unreachable: the link goes down (false). At load
     * ({@code atLoad}) any other failure throws; later it is remembered as the reason the server cannot be used.
     */
    private boolean verify(boolean atLoad) throws ModelLoadException {
        String where = "model '" + source.name() + "' on " + link.settings().url();
        ModelMetadataResponse m;
        try {
            m = link.call(InferenceProtocol.MODEL_METADATA, ModelMetadataRequest.newBuilder().setName(remoteName).build(),
                            link.settings().connectTimeoutMs())
                    .toCompletionStage().toCompletableFuture()
                    .get(link.settings().connectTimeoutMs() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException(where + ": interrupted while asking for its metadata");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (InferenceLink.unreachable(cause) || cause instanceof TimeoutException) {
                String why = cause instanceof TimeoutException ? "no answer to ModelMetadata within "
                        + link.settings().connectTimeoutMs() + " ms" : String.valueOf(cause.getMessage());
                link.markDown(why);
                if (atLoad) {
                    LOG.warning(where + ": " + UNREACHABLE + " at start (" + why + "); "
                            + (fallback != null ? "the local model runs until it answers" : "its streams show it until it answers"));
                }
                return false;
            }
            String why = where + ": " + REFUSED + " for its metadata: " + cause.getMessage();
            if (atLoad) {
                throw new ModelLoadException(why, cause);
            }
            mismatch = why;
            return false;
        }
        try {
            ModelContract.check(spec, link.settings().url(), m);
        } catch (ModelLoadException e) {
            if (atLoad) {
                throw e;
            }
            mismatch = e.getMessage();
            LOG.severe(e.getMessage());
            return false;
        }
        mismatch = null;
        verified = true;
        return true;
    }

    @Override
    public void run(int buffer, int rows) throws InferenceException {
        runWithin(buffer, rows, Long.MAX_VALUE);
    }

    @Override
    public boolean runWithin(int buffer, int rows, long deadlineNanos) throws InferenceException {
        if (rows < 1 || rows > maxBatch) {
            throw new IllegalArgumentException("rows " + rows + " outside 1.." + maxBatch);
        }
        if (!link.up()) {
            return local(buffer, rows, UNREACHABLE, link.downReason());
        }
        if (!verified) {
            // a server found holding another model is asked again now and then, not on every batch
            long now = System.nanoTime();
            if (mismatch != null && now - lastVerifyNanos < TimeUnit.MILLISECONDS.toNanos(link.settings().reconnectMaxMs())) {
                return local(buffer, rows, MISMATCH, mismatch);
            }
            lastVerifyNanos = now;
            try {
                if (!verify(false)) {
                    return local(buffer, rows, mismatch != null ? MISMATCH : UNREACHABLE,
                            mismatch != null ? mismatch : link.downReason());
                }
            } catch (ModelLoadException e) {
                throw new InferenceException(e.getMessage(), MISMATCH, e); // (not thrown after load)
            }
        }
        long left = deadlineNanos == Long.MAX_VALUE ? TimeUnit.MILLISECONDS.toNanos(link.settings().connectTimeoutMs())
                : deadlineNanos - System.nanoTime();
        long fastest = fastestRoundTrip();
        if (left <= 0 || left < fastest) {
            if (++declinedInARow < PROBE_AFTER_DECLINED) {
                notMadeBudget.incrementAndGet();
                return false;
            }
            // every call declined keeps the round trips (and the worker's estimate) as they were: one call now and
            // then, given the time it needs, measures them again (a first slow call must not decline all the rest)
            left = Math.max(left, Math.max(2 * fastest, TimeUnit.MILLISECONDS.toNanos(500)));
        }
        declinedInARow = 0;
        if (!link.tryAcquire()) {
            notMadeBusy.incrementAndGet();
            return false;
        }
        long t0 = System.nanoTime();
        try {
            ModelInferResponse answer = link.call(InferenceProtocol.MODEL_INFER, request(buffer, rows),
                            Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)))
                    .toCompletionStage().toCompletableFuture()
                    .get(left + TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.NANOSECONDS);
            read(answer, buffer, rows);
            roundTrips[roundTripIndex++ % roundTrips.length] = System.nanoTime() - t0;
            calls.incrementAndGet();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException("model '" + source.name() + "': interrupted", e);
        } catch (TimeoutException e) {
            late.incrementAndGet(); // late, not failed: the frames count as skipped and the overlay ages (AI STALE)
            return false;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RemoteCallException r && r.status() == GrpcStatus.DEADLINE_EXCEEDED) {
                late.incrementAndGet();
                return false;
            }
            failures.incrementAndGet();
            if (InferenceLink.unreachable(cause)) {
                link.markDown(String.valueOf(cause.getMessage()));
                verified = false;
                return local(buffer, rows, UNREACHABLE, cause.getMessage());
            }
            throw new InferenceException("model '" + source.name() + "' on " + link.settings().url() + ": "
                    + cause.getMessage(), REFUSED, cause);
        } finally {
            link.release();
        }
    }

    /** The fastest of the recent answered calls (0 before the first). */
    private long fastestRoundTrip() {
        long min = Long.MAX_VALUE;
        for (long t : roundTrips) {
            if (t > 0) {
                min = Math.min(min, t);
            }
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    private ModelInferRequest request(int buffer, int rows) {
        ModelInferRequest.InferInputTensor.Builder in = ModelInferRequest.InferInputTensor.newBuilder()
                .setName(spec.inputName()).setDatatype(InferenceProtocol.FP32)
                .addShape(rows).addShape(spec.channels()).addShape(spec.height()).addShape(spec.width());
        ByteBuffer view = inputBytes[buffer].duplicate();
        view.position(0).limit((int) (inRowBytes * rows));
        return ModelInferRequest.newBuilder()
                .setModelName(remoteName)
                .addInputs(in)
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName(spec.outputName()))
                .addRawInputContents(ByteString.copyFrom(view))
                .build();
    }

    private void read(ModelInferResponse answer, int buffer, int rows) throws InferenceException {
        long want = outRowBytes * rows;
        if (answer.getRawOutputContentsCount() != 1 || answer.getRawOutputContents(0).size() != want) {
            throw new InferenceException("model '" + source.name() + "' on " + link.settings().url() + " answered "
                    + answer.getRawOutputContentsCount() + " raw outputs of "
                    + (answer.getRawOutputContentsCount() == 0 ? 0 : answer.getRawOutputContents(0).size())
                    + " bytes; expected one of " + want + " (" + rows + " rows of " + spec.outputName() + ")",
                    REFUSED, null);
        }
        ByteBuffer view = outputBytes[buffer].duplicate();
        view.position(0).limit((int) want);
        answer.getRawOutputContents(0).copyTo(view);
    }

    /** The batch on the local fallback (its own tensors: rows copied in and out), or a failure saying why not. */
    private boolean local(int buffer, int rows, String overlay, String detail) throws InferenceException {
        if (fallback == null) {
            failures.incrementAndGet();
            throw new InferenceException("model '" + source.name() + "': " + overlay + " (" + link.settings().url()
                    + (detail == null || detail.isEmpty() ? "" : ": " + detail) + ")", overlay, null);
        }
        Pointer.memcpy(fallback.inputRow(buffer, 0), inputRows[buffer][0], inRowBytes * rows);
        fallback.run(buffer, rows);
        Pointer.memcpy(outputRows[buffer][0], fallback.outputRow(buffer, 0), outRowBytes * rows);
        fallbackRuns.incrementAndGet();
        return true;
    }

    @Override public ModelSpec spec() { return spec; }
    @Override public String location() { return link.settings().url() + " (model '" + remoteName + "'; sidecar "
            + source.location() + ")"; }
    @Override public String device() { return "remote"; }
    @Override public String deviceNote() { return ""; }
    @Override public int maxBatch() { return maxBatch; }
    @Override public boolean fixedBatchShape() { return false; }
    @Override public int buffers() { return buffers; }
    @Override public FloatPointer inputRow(int buffer, int row) { return inputRows[buffer][row]; }
    @Override public FloatPointer outputRow(int buffer, int row) { return outputRows[buffer][row]; }
    @Override public boolean canWarmUp() { return (link.up() && verified) || fallback != null; }

    /** Reachable or why not, and the calls made, not made and run locally, for the status and /api/streams. */
    @Override
    public String link() {
        String state;
        if (mismatch != null) {
            state = "unusable: " + mismatch;
        } else if (link.up()) {
            state = "up";
        } else {
            state = UNREACHABLE + " since " + CLOCK.format(Instant.ofEpochMilli(link.downSinceMillis())) + " UTC ("
                    + link.downReason() + "), reconnecting with back-off";
        }
        return link.settings().url() + " " + state + (fallback == null ? "" : "; local fallback on " + fallback.device()
                + (link.up() && mismatch == null ? " (idle)" : " (running)")) + "; calls " + calls.get()
                + ", not made for the budget " + notMadeBudget.get() + ", not made with " + link.settings().maxInFlight()
                + " in flight " + notMadeBusy.get() + ", late " + late.get() + ", failed " + failures.get() + ", run locally " + fallbackRuns.get();
    }

    /** Whether the server can be reached now (tests). */
    public boolean reachable() {
        return link.up();
    }

    public long fallbackRuns() { return fallbackRuns.get(); }
    public long notMadeForBudget() { return notMadeBudget.get(); }
    public long callsMade() { return calls.get(); }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        link.close();
        if (fallback != null) {
            fallback.close();
        }
        for (int b = 0; b < buffers; b++) {
            inputs[b].close();
            outputs[b].close();
        }
    }

    @Override
    public String toString() {
        return "RemoteBackend{" + spec + " on " + link.settings().url() + ", maxBatch " + maxBatch + "}";
    }
}
