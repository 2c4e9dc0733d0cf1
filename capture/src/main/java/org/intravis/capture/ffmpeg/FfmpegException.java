package org.intravis.capture.ffmpeg;

/** An FFmpeg input could not be opened or read; the message is written for the person at the console. */
public final class FfmpegException extends Exception {
    private final int code;

    public FfmpegException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** FFmpeg's error code (negative), or 0 when the failure was not an FFmpeg call. */
    public int code() {
        return code;
    }
}
