package org.intravis.capture.ffmpeg;

import org.intravis.capture.SourceUri;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a live source's URI into what FFmpeg is given: the URL (with the stream's own query, minus the options
 * intravis reads) and the demuxer/protocol options: timeouts under the names each protocol knows, the RTSP
 * transport, the v4l2 capture format, and low-latency demuxing.
 *
 * <pre>
 * timeoutMs=3000          connect/read timeout: rw_timeout (all), timeout (rtsp, udp, rtp, tcp, http, srt),
 *                         connect_timeout (srt, ms); also enforced by the interrupt callback
 * transport=tcp           rtsp_transport for rtsp/rtsps (tcp, udp, udp_multicast, http, https)
 * lowLatency=true         fflags=nobuffer, small probesize/analyzeduration, low-delay decoding
 * probeSize=262144        bytes FFmpeg reads to identify the stream
 * analyzeDurationMs=500   how much of the stream FFmpeg analyses before the first frame
 * av.NAME=VALUE           any other FFmpeg demuxer/protocol option, passed as is
 * v4l2: width, height -> video_size, fps -> framerate, inputFormat -> input_format, pixelFormat -> pixel_format,
 *       standard -> standard
 * </pre>
 */
public final class LiveInputOptions {
    /** Options intravis reads itself (never passed to FFmpeg in the URL's query). */
    public static final Set<String> INTRAVIS_KEYS = Set.of("timeoutMs", "transport", "lowLatency", "probeSize",
            "analyzeDurationMs", "width", "height", "format", "fps", "inputFormat", "pixelFormat", "standard",
            "reconnectInitialMs", "reconnectMaxMs", "decoderThreads", "maxWidth", "maxHeight", PixelAspect.KEY);
    public static final String PASS_THROUGH_PREFIX = "av.";
    public static final int DEFAULT_TIMEOUT_MS = 3000;

    private LiveInputOptions() {
    }

    /** The URL FFmpeg opens: scheme, location and the query keys intravis does not read, as typed. */
    public static String url(SourceUri uri) {
        if (uri.scheme().equals("v4l2")) {
            return uri.location();
        }
        String raw = uri.raw();
        int colon = raw.indexOf(':');
        String rest = raw.substring(colon + 1);
        int q = rest.indexOf('?');
        StringBuilder url = new StringBuilder(uri.scheme()).append(':').append(q < 0 ? rest : rest.substring(0, q));
        if (q >= 0) {
            String sep = "?";
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                if (INTRAVIS_KEYS.contains(key) || key.startsWith(PASS_THROUGH_PREFIX)) {
                    continue;
                }
                url.append(sep).append(pair);
                sep = "&";
            }
        }
        return url.toString();
    }

    /** The options dictionary for {@code avformat_open_input}. */
    public static Map<String, String> options(SourceUri uri) {
        Map<String, String> o = new LinkedHashMap<>();
        String scheme = uri.scheme();
        long timeoutMs = uri.intOption("timeoutMs", DEFAULT_TIMEOUT_MS);
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("source option timeoutMs must be positive (in " + uri.redacted() + ")");
        }
        String micros = Long.toString(timeoutMs * 1000);
        switch (scheme) {
            case "rtsp", "rtsps" -> {
                o.put("timeout", micros);
                o.put("rtsp_transport", transport(uri));
            }
            case "udp", "rtp" -> {
                o.put("timeout", micros);
                o.put("rw_timeout", micros);
                if (scheme.equals("udp")) {
                    o.put("overrun_nonfatal", "1"); // a late reader loses packets, not the stream
                }
            }
            case "srt" -> {
                o.put("timeout", micros);
                o.put("connect_timeout", Long.toString(timeoutMs));
                o.put("rw_timeout", micros);
            }
            case "http", "https", "rtmp", "rtmps", "tcp" -> {
                o.put("timeout", micros);
                o.put("rw_timeout", micros);
            }
            case "v4l2" -> v4l2(uri, o);
            default -> throw new IllegalArgumentException("not a live source scheme: " + scheme);
        }
        if (uri.boolOption("lowLatency", true)) {
            o.put("fflags", "nobuffer");
            o.put("probesize", Integer.toString(uri.intOption("probeSize", 262_144)));
            o.put("analyzeduration", Long.toString(uri.intOption("analyzeDurationMs", 500) * 1000L));
        }
        o.putAll(passThrough(uri));
        return o;
    }

    /**
     * The {@code av.NAME=VALUE} options, read from the URI as typed: a '+' stays a '+' (FFmpeg flag values such
     * as {@code av.fflags=nobuffer+discardcorrupt} use it), other %-escapes are decoded.
     */
    static Map<String, String> passThrough(SourceUri uri) {
        Map<String, String> o = new LinkedHashMap<>();
        int q = uri.raw().indexOf('?');
        if (q < 0) {
            return o;
        }
        for (String pair : uri.raw().substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.startsWith(PASS_THROUGH_PREFIX) && key.length() > PASS_THROUGH_PREFIX.length()) {
                o.put(key.substring(PASS_THROUGH_PREFIX.length()), eq < 0 ? "1" : decode(pair.substring(eq + 1)));
            }
        }
        return o;
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String transport(SourceUri uri) {
        String t = uri.option("transport", "tcp").trim().toLowerCase(Locale.ROOT);
        if (!Set.of("tcp", "udp", "udp_multicast", "http", "https").contains(t)) {
            throw new IllegalArgumentException("source option transport=" + t
                    + " must be tcp, udp, udp_multicast, http or https (in " + uri.redacted() + ")");
        }
        return t;
    }

    private static void v4l2(SourceUri uri, Map<String, String> o) {
        int w = uri.intOption("width", 0);
        int h = uri.intOption("height", 0);
        if ((w > 0) != (h > 0)) {
            throw new IllegalArgumentException("v4l2 sources need both width and height, or neither (in "
                    + uri.redacted() + ")");
        }
        if (w > 0) {
            o.put("video_size", w + "x" + h);
        }
        double fps = uri.doubleOption("fps", 0);
        if (fps > 0) {
            o.put("framerate", fps == Math.rint(fps) ? Long.toString((long) fps) : Double.toString(fps));
        }
        String inputFormat = uri.option("inputFormat", "");
        if (!inputFormat.isBlank()) {
            o.put("input_format", inputFormat.trim());
        }
        String pixelFormat = uri.option("pixelFormat", "");
        if (!pixelFormat.isBlank()) {
            o.put("pixel_format", pixelFormat.trim());
        }
        String standard = uri.option("standard", "");
        if (!standard.isBlank()) {
            o.put("standard", standard.trim());
        }
    }
}
