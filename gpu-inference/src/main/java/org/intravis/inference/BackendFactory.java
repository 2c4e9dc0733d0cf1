package org.intravis.inference;

import org.intravis.inference.onnx.OnnxBackend;

/**
 * The one place a located model becomes a running {@link InferenceBackend}, for the live service, the evaluator,
 * the backend probe and the bench's baseline alike. Every model runs on ONNX Runtime today ({@link OnnxBackend});
 * another runtime would be chosen here, and no caller would change.
 */
public final class BackendFactory {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(BackendFactory.class.getName());

    private BackendFactory() {
    }

    /** Loads {@code source} with {@code options}; every failure is a {@link ModelLoadException} naming the model. */
    public static InferenceBackend open(ModelSource source, BackendOptions options) throws ModelLoadException {
        return OnnxBackend.load(source, options);
    }

    /**
     * Loads {@code source} and, when its sidecar declares one, its cheaper fallback graph beside it over the same
     * tensors ({@link InferenceBackend#variants()} 2), for a worker that steps down under load. A declared fallback
     * that cannot be read or loaded costs only the step-down: the model loads without it, with a warning.
     */
    public static InferenceBackend openWithFallback(ModelSource source, BackendOptions options) throws ModelLoadException {
        try {
            return OnnxBackend.load(source, source.fallback(), options);
        } catch (ModelLoadException e) {
            if (source.spec().fallback() == null) {
                throw e;
            }
            InferenceBackend alone = OnnxBackend.load(source, options); // fails as before if the model itself cannot
            LOG.warning(e.getMessage() + "; model '" + source.name() + "' runs without a step-down graph");
            return alone;
        }
    }
}
