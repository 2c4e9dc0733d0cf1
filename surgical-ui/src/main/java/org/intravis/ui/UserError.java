package org.intravis.ui;

/** A problem the person at the console can fix (bad option, missing file, busy port): printed without a stack trace. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
