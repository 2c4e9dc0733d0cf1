package org.intravis.pipeline;

/** A source could not be opened or read; the message says what and where, for the person at the console. */
public class CaptureException extends Exception {
    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
