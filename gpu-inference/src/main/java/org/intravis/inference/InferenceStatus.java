package org.intravis.inference;

import java.util.List;
import java.util.Map;

/**
 * What the inference service is doing, for {@code /api/status} and the console: the device asked for and the one
 * in use, every model (loaded or why not, version, batch statistics) and every stream's mode.
 *
 * @param deviceRequested the configured device
 * @param deviceInUse     the device the loaded models run on ({@code cpu}, {@code cuda:0}; the requested one when
 *                        no model is loaded)
 * @param deviceNote      why they differ (a CUDA fallback), or empty
 * @param models          one entry per model asked for
 * @param streams         one entry per registered stream
 * @param intraOpThreads  ONNX Runtime threads per model run in this process, 0 for its own default
 *                        ({@link InferenceSettings#liveThreads()})
 */
public record InferenceStatus(String deviceRequested, String deviceInUse, String deviceNote, List<ModelStatus> models,
                              List<StreamStatus> streams, int intraOpThreads) {

    /**
     * @param name             the model as asked for (name or path)
     * @param version          its sidecar version ("" when it failed to load)
     * @param state            {@code loaded} or {@code failed}
     * @param error            why it failed ({@code model failed to load: ...}), or empty
     * @param location         where it was loaded from
     * @param device           device it runs on
     * @param maxBatch         largest batch
     * @param fixedBatchShape  whether every call computes maxBatch rows (see {@link BatchShape}; the CUDA default)
     * @param batchesRun       ONNX Runtime calls so far
     * @param rowsRun          frames inferred so far
     * @param meanBatchSize    rows per call on average
     * @param runFailures      calls that failed
     * @param skippedDeadline  frames skipped because their overlay would have arrived stale
     * @param lastRunMs        duration of the last call
     * @param batchSizes       calls per batch size
     * @param runP90Ms         p90 call duration per batch size (recent window)
     * @param trainingDataHash from the sidecar
     * @param metrics          from the sidecar (measured on held-out data by whoever trained it)
     * @param load             which graph runs and how the worker keeps up ({@link Load})
     * @param link             for a model on an inference server: the server, reachable or why not, calls made and
     *                         not made, batches run by the local fallback; empty in process
     */
    public record ModelStatus(String name, String version, String state, String error, String location, String device,
                              int maxBatch, boolean fixedBatchShape, long batchesRun, long rowsRun, double meanBatchSize,
                              long runFailures, long skippedDeadline, double lastRunMs, Map<Integer, Long> batchSizes,
                              Map<Integer, Double> runP90Ms, String trainingDataHash, Map<String, Object> metrics,
                              Load load, String link) {
    }

    /**
     * A model worker under load ({@code ModelGovernor}): the graph it runs and the steps it took.
     *
     * @param variant   the graph running now: {@code full} or the fallback's name (e.g. {@code single-pass})
     * @param variants  the graphs it can run (one when the model declares no fallback or step-down is off)
     * @param stepDowns steps down to the fallback so far
     * @param stepUps   steps back up so far
     * @param coverage  frames published / frames the streams offered, last window (about a second)
     * @param busy      share of the last window spent running the model
     * @param postThreads          threads that post-process a batch's rows (the worker and its helpers)
     * @param rowsPostedByHelpers  rows the helpers post-processed so far (0 with one post thread)
     */
    public record Load(String variant, List<String> variants, long stepDowns, long stepUps, double coverage,
                       double busy, int postThreads, long rowsPostedByHelpers) {
        /** A model that is not loaded. */
        public static final Load NONE = new Load("", List.of(), 0, 0, 0, 0, 0, 0);
    }

    /**
     * @param streamId the stream
     * @param mode     {@code model}, {@code ground-truth}, {@code none} or {@code failed}
     * @param model    the model asked for
     * @param paused   whether inference is paused for it
     * @param detail   why it failed, or empty
     */
    public record StreamStatus(String streamId, String mode, String model, boolean paused, String detail) {
    }
}
