package org.intravis.inference.remote;

import com.google.protobuf.ByteString;
import inference.GrpcService.ModelInferRequest;
import inference.GrpcService.ModelInferResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceException;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.NativeMemory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * One model of an inference node: a thread ({@code node-MODEL}) that runs the {@code ModelInfer} requests of every
 * client together. When the model is free it takes every request waiting, as many rows as one run holds
 * ({@code maxBatch}), copies their raw inputs into the batch tensor, runs ONNX Runtime once and hands each request
 * its rows of the output. No wait is added to gather more: the batch is what queued while the previous one ran
 * (Triton's dynamic batching with no delay). A request whose deadline passed while it waited is answered
 * DEADLINE_EXCEEDED without running; a request larger than maxBatch runs in parts.
 */
final class NodeBatcher implements Runnable {
    private static final Logger LOG = Logger.getLogger(NodeBatcher.class.getName());
    /** Requests waiting at most; one more is answered RESOURCE_EXHAUSTED (the node is overloaded, not stuck). */
    static final int QUEUE = 256;

    private final String name;
    private final InferenceBackend backend;
    private final ModelSpec spec;
    private final long inRowBytes;
    private final long outRowBytes;
    private final ByteBuffer inputBytes;
    private final ByteBuffer outputBytes;
    private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong rowsRun = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    /** One request: its rows, where it stands, and whom to answer. */
    private static final class Job {
        final ModelInferRequest request;
        final int rows;
        final long deadlineNanos;
        final Promise<ModelInferResponse> answer;
        final Context context;
        final ByteString.Output output;
        int done;

        Job(ModelInferRequest request, int rows, long deadlineNanos, Promise<ModelInferResponse> answer,
            Context context, long outBytes) {
            this.request = request;
            this.rows = rows;
            this.deadlineNanos = deadlineNanos;
            this.answer = answer;
            this.context = context;
            this.output = ByteString.newOutput((int) outBytes);
        }
    }

    NodeBatcher(String name, InferenceBackend backend) {
        this.name = name;
        this.backend = backend;
        this.spec = backend.spec();
        this.inRowBytes = (long) spec.inputRowFloats() * Float.BYTES;
        this.outRowBytes = (long) spec.outputRowFloats() * Float.BYTES;
        this.inputBytes = NativeMemory.bytes(backend.inputRow(0, 0), 0, inRowBytes * backend.maxBatch()).asByteBuffer();
        this.outputBytes = NativeMemory.bytes(backend.outputRow(0, 0), 0, outRowBytes * backend.maxBatch()).asByteBuffer();
        warmUp();
        this.thread = new Thread(this, "node-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Runs every batch size once before the first request, so that no client's first call pays ONNX Runtime's
     *  first-run costs (memory planning per shape) against its deadline. */
    private void warmUp() {
        try {
            for (int n = 1; n <= backend.maxBatch(); n++) {
                backend.run(0, n);
            }
        } catch (InferenceException e) {
            throw new IllegalStateException("model '" + name + "' loads but cannot run: " + e.getMessage(), e);
        }
    }

    InferenceBackend backend() {
        return backend;
    }

    long runs() { return runs.get(); }
    long rowsRun() { return rowsRun.get(); }
    long requests() { return requests.get(); }

    /**
     * Queues a request (from the event loop) and answers on {@code context}: INVALID_ARGUMENT for a request that
     * does not fit the model's contract (named input, FP32, {@code [N, C, H, W]}, N*C*H*W*4 raw bytes).
     */
    Future<ModelInferResponse> submit(ModelInferRequest r, long timeoutMs, Context context) {
        String problem = check(r);
        if (problem != null) {
            return Future.failedFuture(new StatusException(GrpcStatus.INVALID_ARGUMENT, "model '" + name + "': "
                    + problem));
        }
        int rows = (int) r.getInputs(0).getShape(0);
        Promise<ModelInferResponse> p = Promise.promise(); // completed on the context (runOnContext)
        long deadline = timeoutMs > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs) : Long.MAX_VALUE;
        if (!queue.offer(new Job(r, rows, deadline, p, context, outRowBytes * rows))) {
            return Future.failedFuture(new StatusException(GrpcStatus.RESOURCE_EXHAUSTED, "model '" + name + "': "
                    + QUEUE + " requests already waiting"));
        }
        requests.incrementAndGet();
        return p.future();
    }

    private String check(ModelInferRequest r) {
        if (r.getInputsCount() != 1) {
            return "expected 1 input ('" + spec.inputName() + "'), got " + r.getInputsCount();
        }
        ModelInferRequest.InferInputTensor in = r.getInputs(0);
        if (!in.getName().equals(spec.inputName())) {
            return "unknown input '" + in.getName() + "' (the model's is '" + spec.inputName() + "')";
        }
        if (!in.getDatatype().equals(InferenceProtocol.FP32)) {
            return "input '" + in.getName() + "' must be FP32, was " + in.getDatatype();
        }
        long[] want = ModelContract.inputShape(spec);
        boolean shapeOk = in.getShapeCount() == want.length && in.getShape(0) >= 1 && in.getShape(0) <= 4096;
        for (int i = 1; shapeOk && i < want.length; i++) {
            shapeOk = in.getShape(i) == want[i];
        }
        if (!shapeOk) {
            return "input shape " + in.getShapeList() + " is not [N, " + want[1] + ", " + want[2] + ", " + want[3] + "]";
        }
        for (ModelInferRequest.InferRequestedOutputTensor o : r.getOutputsList()) {
            if (!o.getName().equals(spec.outputName())) {
                return "unknown output '" + o.getName() + "' (the model's is '" + spec.outputName() + "')";
            }
        }
        if (r.getRawInputContentsCount() != 1) {
            return "send the input as raw_input_contents (one entry; InferTensorContents are not supported)";
        }
        long bytes = in.getShape(0) * inRowBytes;
        if (r.getRawInputContents(0).size() != bytes) {
            return "raw_input_contents holds " + r.getRawInputContents(0).size() + " bytes; shape " + in.getShapeList()
                    + " of FP32 needs " + bytes;
        }
        return null;
    }

    @Override
    public void run() {
        int max = backend.maxBatch();
        ArrayDeque<Job> batch = new ArrayDeque<>();
        while (running) {
            Job first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first == null) {
                continue;
            }
            batch.add(first);
            int rows = Math.min(max, first.rows);
            while (rows < max && queue.peek() != null && rows + queue.peek().rows <= max) {
                Job j = queue.poll();
                batch.add(j);
                rows += j.rows;
            }
            runBatch(batch, max);
            batch.clear();
        }
        for (Job j; (j = queue.poll()) != null; ) {
            fail(j, GrpcStatus.UNAVAILABLE, "the inference node is shutting down");
        }
    }

    /** Runs the jobs (several small ones together, or one large one in parts) and answers each. */
    private void runBatch(ArrayDeque<Job> jobs, int max) {
        long now = System.nanoTime();
        jobs.removeIf(j -> {
            if (now > j.deadlineNanos) {
                fail(j, GrpcStatus.DEADLINE_EXCEEDED, "the deadline passed while the request waited for the model");
                return true;
            }
            return false;
        });
        if (jobs.isEmpty()) {
            return;
        }
        Job big = jobs.size() == 1 && jobs.peek().rows > max ? jobs.peek() : null;
        try {
            if (big != null) {
                for (int start = 0; start < big.rows; start += max) {
                    int n = Math.min(max, big.rows - start);
                    copyIn(big, start, 0, n);
                    backend.run(0, n);
                    copyOut(big, 0, n);
                    count(n);
                }
            } else {
                int row = 0;
                for (Job j : jobs) {
                    copyIn(j, 0, row, j.rows);
                    row += j.rows;
                }
                backend.run(0, row);
                count(row);
                row = 0;
                for (Job j : jobs) {
                    copyOut(j, row, j.rows);
                    row += j.rows;
                }
            }
        } catch (InferenceException | RuntimeException e) {
            LOG.warning("model " + name + ": " + e.getMessage());
            for (Job j : jobs) {
                fail(j, GrpcStatus.INTERNAL, "the model failed: " + e.getMessage());
            }
            return;
        }
        for (Job j : jobs) {
            ModelInferResponse answer = ModelInferResponse.newBuilder()
                    .setModelName(name)
                    .setModelVersion(spec.version())
                    .setId(j.request.getId())
                    .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder()
                            .setName(spec.outputName()).setDatatype(InferenceProtocol.FP32)
                            .addShape(j.rows).addShape(spec.outputChannelCount())
                            .addShape(spec.height()).addShape(spec.width()))
                    .addRawOutputContents(j.output.toByteString())
                    .build();
            j.context.runOnContext(v -> j.answer.tryComplete(answer));
        }
    }

    private void count(int rows) {
        runs.incrementAndGet();
        rowsRun.addAndGet(rows);
    }

    /** Rows {@code from..from+n-1} of the job's input into batch rows {@code at..}. */
    private void copyIn(Job j, int from, int at, int n) {
        ByteBuffer dst = inputBytes.duplicate();
        dst.position((int) (at * inRowBytes)).limit((int) ((at + n) * inRowBytes));
        j.request.getRawInputContents(0).substring((int) (from * inRowBytes), (int) ((from + n) * inRowBytes)).copyTo(dst);
    }

    /** Batch rows {@code at..at+n-1} of the output appended to the job's answer. */
    private void copyOut(Job j, int at, int n) {
        ByteBuffer src = outputBytes.duplicate();
        src.position((int) (at * outRowBytes)).limit((int) ((at + n) * outRowBytes));
        byte[] chunk = new byte[src.remaining()];
        src.get(chunk);
        j.output.write(chunk, 0, chunk.length);
    }

    private static void fail(Job j, GrpcStatus status, String message) {
        j.context.runOnContext(v -> j.answer.tryFail(new StatusException(status, message)));
    }

    void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
