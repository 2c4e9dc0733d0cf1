package org.intravis.inference;

import java.util.Locale;

/**
 * Which tensor shape a partial batch runs with.
 * <p>
 * ONNX Runtime's CUDA convolutions (1.20 and later, cuDNN frontend) re-plan whenever the input shape differs from
 * the previous call's; with batch sizes that vary from call to call (the deadline-bounded batcher closes partial
 * batches) a call cost 142 ms at the median on an H200 (201 ms p99; {@code BackendProbe --interleave} in
 * {@code perf/gpu/run-gpu-bench.sh}), against 2.2 ms at one fixed shape. Running every batch at {@code maxBatch}
 * rows (the unused rows hold old input whose outputs nobody reads) keeps one shape and costs ~1 ms more on the GPU.
 * On the CPU the cost of a row is the cost of a frame, so there batches run at their exact size.
 */
public enum BatchShape {
    /** {@link #FIXED} on CUDA, {@link #EXACT} on the CPU. */
    AUTO,
    /** Every run at maxBatch rows. */
    FIXED,
    /** Every run at the rows it has. */
    EXACT;

    public static BatchShape parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("batch shape must be auto, fixed or exact, was '" + s + "'");
        }
    }

    /** Whether runs on {@code device} ({@code cpu} or {@code cuda:N}) use maxBatch rows. */
    public boolean fixedOn(String device) {
        return this == FIXED || (this == AUTO && device.startsWith("cuda"));
    }
}
