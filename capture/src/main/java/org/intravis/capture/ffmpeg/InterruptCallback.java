package org.intravis.capture.ffmpeg;

import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.javacpp.Pointer;

/**
 * FFmpeg's I/O interrupt callback, shared by every input. FFmpeg polls it while it waits for data (every few
 * milliseconds); returning 1 makes the blocked call give up with {@code AVERROR_EXIT}. That is how close() from
 * another thread and our own read deadline break a blocked network read.
 * <p>
 * One native callback serves all inputs (JavaCPP allows only a few callback instances per type), with a null
 * opaque pointer so that no Java object is created per poll; the input being read is found through a thread
 * local the reader sets around each blocking call.
 */
final class InterruptCallback {
    private static final ThreadLocal<FfmpegInput> CURRENT = new ThreadLocal<>();

    static final AVIOInterruptCB.Callback_Pointer CALLBACK = new AVIOInterruptCB.Callback_Pointer() {
        @Override
        public int call(Pointer opaque) {
            FfmpegInput in = CURRENT.get();
            return in != null && in.shouldInterrupt() ? 1 : 0;
        }
    };

    private InterruptCallback() {
    }

    static void enter(FfmpegInput in) {
        CURRENT.set(in);
    }

    static void leave() {
        CURRENT.set(null);
    }
}
