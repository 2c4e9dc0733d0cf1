package org.intravis.inference;

/** A model run failed (ONNX Runtime reported an error). The worker counts it, publishes FAILED and goes on. */
public class InferenceException extends Exception {
    private final String overlayReason;

    public InferenceException(String message, Throwable cause) {
        this(message, null, cause);
    }

    /** {@code overlayReason}: the few words the overlay shows for it (e.g. "inference server unreachable"). */
    public InferenceException(String message, String overlayReason, Throwable cause) {
        super(message, cause);
        this.overlayReason = overlayReason;
    }

    /** What the stream's overlay says about the failure, or null for the worker's generic words. */
    public String overlayReason() {
        return overlayReason;
    }
}
