package org.intravis.inference;

import org.bytedeco.javacpp.FloatPointer;

/**
 * A loaded model that runs batches in place: its input and output tensors are allocated once, for the largest
 * batch, in {@link #buffers()} independent sets (double buffering: one set fills while another runs). Callers
 * write preprocessed rows straight into {@link #inputRow} and read results from {@link #outputRow}; a run binds
 * the first {@code rows} rows of one set and allocates nothing.
 * <p>
 * Thread-safety: rows of different sets, and different rows of one set, may be written by different threads;
 * {@link #run} is called by one thread (the model's worker).
 */
public interface InferenceBackend extends AutoCloseable {

    /** The model's sidecar. */
    ModelSpec spec();

    /** Where the model was loaded from. */
    String location();

    /** Execution device actually in use: {@code cpu} or {@code cuda:N}. */
    String device();

    /** Why the device differs from the one asked for (a CUDA fallback), or empty. */
    String deviceNote();

    /** Largest batch one run takes. */
    int maxBatch();

    /** Whether every run computes all maxBatch rows whatever it is asked for (see {@link BatchShape}). */
    boolean fixedBatchShape();

    /** Independent tensor sets (2 for double buffering). */
    int buffers();

    /**
     * Input memory of one batch row: float32 {@code [channels][height][width]} in the layout of
     * {@link ModelSpec}; valid for the backend's lifetime.
     */
    FloatPointer inputRow(int buffer, int row);

    /** Output memory of one batch row: float32 {@code [outputChannels][height][width]}. */
    FloatPointer outputRow(int buffer, int row);

    /** Runs the model on rows {@code 0..rows-1} of one tensor set, filling their outputs. */
    void run(int buffer, int rows) throws InferenceException;

    /**
     * Graphs this backend can run over the same tensors: 1, or 2 when it was opened with the model's cheaper
     * fallback ({@link ModelSpec#fallback()}), which is variant 1.
     */
    default int variants() {
        return 1;
    }

    /**
     * The fallback this backend runs as variant 1 (the sidecar's, or on the CPU its {@code fallback.cpu}:
     * {@link ModelSpec.Fallback#on}), or null with one variant.
     */
    default ModelSpec.Fallback fallback() {
        return variants() > 1 ? spec().fallback() : null;
    }

    /** A variant's name for the status and the overlay message: {@code full}, or the fallback's. */
    default String variantName(int variant) {
        return variant == 0 ? "full" : fallback().variant();
    }

    /** Runs one graph ({@code 0 <= variant < variants()}) on rows {@code 0..rows-1} of one tensor set. */
    default void run(int buffer, int rows, int variant) throws InferenceException {
        if (variant != 0) {
            throw new IllegalArgumentException("this backend has no variant " + variant);
        }
        run(buffer, rows);
    }

    /**
     * Runs as {@link #run(int, int)}, with the time ({@code System.nanoTime()}) by which the outputs are due: a
     * backend that would miss it may decline, running nothing and answering false (the caller counts the rows as
     * skipped for their deadline). In process the model runs at once, so the default ignores the deadline.
     */
    default boolean runWithin(int buffer, int rows, long deadlineNanos) throws InferenceException {
        run(buffer, rows);
        return true;
    }

    /** Whether the backend can run now, so warming up at load means something (a remote one may be unreachable). */
    default boolean canWarmUp() {
        return true;
    }

    /** The state of the link to a model that runs elsewhere (reachable, why not, calls not made), or empty. */
    default String link() {
        return "";
    }

    @Override
    void close();
}
