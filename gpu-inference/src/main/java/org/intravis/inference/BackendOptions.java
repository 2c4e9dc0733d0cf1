package org.intravis.inference;

/**
 * How to load a model.
 *
 * @param device         {@code cpu}, {@code cuda} or {@code cuda:N}; CUDA falls back to the CPU (with a warning)
 *                       when it cannot start
 * @param maxBatch       rows of the largest batch (the tensors are allocated for it once)
 * @param buffers        independent tensor sets (2: one filling while one runs)
 * @param intraOpThreads ONNX Runtime threads per run, 0 for its default (one per physical core)
 * @param batchShape     whether partial batches run at their size or padded to maxBatch (see {@link BatchShape})
 * @param convAlgoSearch cuDNN algorithm choice on CUDA
 * @param spinning       whether ONNX Runtime's intra-op threads spin between operators (its default) instead of
 *                       sleeping: quicker to resume, but a spinning thread holds a core that another thread needs
 */
public record BackendOptions(String device, int maxBatch, int buffers, int intraOpThreads, BatchShape batchShape,
                             ConvAlgoSearch convAlgoSearch, boolean spinning) {
    public BackendOptions {
        if (device == null || device.isBlank()) {
            device = "cpu";
        }
        if (batchShape == null) {
            batchShape = BatchShape.AUTO;
        }
        if (convAlgoSearch == null) {
            convAlgoSearch = ConvAlgoSearch.EXHAUSTIVE;
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        if (buffers < 1) {
            throw new IllegalArgumentException("buffers must be at least 1, was " + buffers);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intraOpThreads must be 0 (default) or positive, was " + intraOpThreads);
        }
    }

    /** Threads spinning as ONNX Runtime's default has them. */
    public BackendOptions(String device, int maxBatch, int buffers, int intraOpThreads, BatchShape batchShape,
                          ConvAlgoSearch convAlgoSearch) {
        this(device, maxBatch, buffers, intraOpThreads, batchShape, convAlgoSearch, true);
    }

    /** Shape {@link BatchShape#AUTO}, ONNX Runtime's default cuDNN search. */
    public BackendOptions(String device, int maxBatch, int buffers, int intraOpThreads) {
        this(device, maxBatch, buffers, intraOpThreads, BatchShape.AUTO, ConvAlgoSearch.EXHAUSTIVE);
    }

    /** One CPU set of one row: for evaluation and probes. */
    public static BackendOptions single(String device) {
        return new BackendOptions(device, 1, 1, 0);
    }
}
