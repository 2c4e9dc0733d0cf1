package org.intravis.inference;

/** A model run failed (ONNX Runtime reported an error). The worker counts it, publishes FAILED and goes on. */
public class InferenceException extends Exception {
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
