package org.intravis.capture.ffmpeg;

import java.util.Locale;

import static org.bytedeco.ffmpeg.global.avdevice.avdevice_register_all;
import static org.bytedeco.ffmpeg.global.avformat.avformat_network_init;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_DEBUG;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_INFO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_PANIC;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_VERBOSE;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_WARNING;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

/**
 * One-time set-up of the FFmpeg libraries (devices such as v4l2, networking) and FFmpeg's own log level, which
 * is process-wide: {@code -Dintravis.ffmpeg.logLevel=quiet|fatal|error|warning|info|verbose|debug} (default
 * {@code error}; the sources report what matters themselves, in their status).
 */
public final class FfmpegLibrary {
    private static boolean ready;

    private FfmpegLibrary() {
    }

    public static synchronized void init() {
        if (ready) {
            return;
        }
        av_log_set_level(logLevel(System.getProperty("intravis.ffmpeg.logLevel", "error")));
        avdevice_register_all();
        avformat_network_init();
        ready = true;
    }

    private static int logLevel(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "quiet" -> AV_LOG_QUIET;
            case "panic" -> AV_LOG_PANIC;
            case "fatal" -> AV_LOG_FATAL;
            case "warning" -> AV_LOG_WARNING;
            case "info" -> AV_LOG_INFO;
            case "verbose" -> AV_LOG_VERBOSE;
            case "debug" -> AV_LOG_DEBUG;
            default -> AV_LOG_ERROR;
        };
    }

    /** FFmpeg's text for an error code, e.g. "No such file or directory". Not for the per-frame path. */
    public static String errorText(int code) {
        byte[] buf = new byte[256];
        if (av_strerror(code, buf, buf.length) < 0) {
            return "error " + code;
        }
        int end = 0;
        while (end < buf.length && buf[end] != 0) {
            end++;
        }
        return new String(buf, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }
}
