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
    private BackendFactory() {
    }

    /** Loads {@code source} with {@code options}; every failure is a {@link ModelLoadException} naming the model. */
    public static InferenceBackend open(ModelSource source, BackendOptions options) throws ModelLoadException {
        return OnnxBackend.load(source, options);
    }

    /**
     * As {@link #open(ModelSource, BackendOptions)}, or on the server of {@code remote} when it is given and
     * applies to the model (with the same model loaded locally as its fallback when the settings ask for one).
     */
    public static InferenceBackend open(ModelSource source, BackendOptions options, RemoteSettings remote)
            throws ModelLoadException {
        if (remote == null || !remote.appliesTo(source.name())) {
            return open(source, options);
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
