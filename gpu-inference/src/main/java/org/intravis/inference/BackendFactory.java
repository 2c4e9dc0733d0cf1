package org.intravis.inference;

import org.intravis.inference.onnx.OnnxBackend;
import org.intravis.inference.remote.RemoteBackend;
import org.intravis.inference.remote.RemoteSettings;

/**
 * The one place a located model becomes a running {@link InferenceBackend}, for the live service, the evaluator,
 * the backend probe, the inference node and the bench's baseline alike: ONNX Runtime in process
 * ({@link OnnxBackend}), or an inference server over the Open Inference Protocol ({@link RemoteBackend}) when the
 * configuration sends the model there. No caller changes with the choice.
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
    private static InferenceBackend openWithFallback(ModelSource source, BackendOptions options) throws ModelLoadException {
        try {
            return OnnxBackend.loadWithFallback(source, options);
        } catch (ModelLoadException e) {
            if (source.spec().fallback() == null) {
                throw e;
            }
            InferenceBackend alone = OnnxBackend.load(source, options); // fails as before if the model itself cannot
            LOG.warning(e.getMessage() + "; model '" + source.name() + "' runs without a step-down graph");
            return alone;
        }
    }

    /**
     * In process ({@link #openWithFallback} when {@code stepDown}, else {@link #open(ModelSource, BackendOptions)}),
     * or on the server of {@code remote} when it is given and applies to the model (with the same model loaded
     * locally as its fallback when the settings ask for one; a remote model runs one graph, the server's).
     */
    public static InferenceBackend open(ModelSource source, BackendOptions options, RemoteSettings remote,
                                        boolean stepDown) throws ModelLoadException {
        if (remote == null || !remote.appliesTo(source.name())) {
            return stepDown ? openWithFallback(source, options) : open(source, options);
        }
        InferenceBackend fallback = remote.fallback() ? open(source, options) : null;
        try {
            return RemoteBackend.open(source, options, remote, fallback);
        } catch (ModelLoadException | RuntimeException e) {
            if (fallback != null) {
                fallback.close();
            }
            throw e;
        }
    }
}
