package org.intravis.inference;

/**
 * A model could not be loaded: the file is missing, corrupt or not ONNX, its sidecar is missing or malformed, or
 * the network's inputs and outputs do not match what the sidecar declares. The message names the model, the
 * path and what went wrong, for the person at the console.
 */
public class ModelLoadException extends Exception {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
