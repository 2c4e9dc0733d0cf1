package org.intravis.capture;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A source URI split into scheme, location and options: {@code scheme:location?key=value&key=value}.
 * Examples: {@code synthetic:ultrasound?width=1280&height=720&fps=30}, {@code file:/data/case1.mp4?loop=true},
 * {@code udp://0.0.0.0:5000?timeoutMs=2000}, {@code v4l2:/dev/video0?width=1920&height=1080&fps=60}.
 * Network URIs keep their own query (FFmpeg reads it) except for keys intravis knows, which are removed.
 * <p>
 * {@link #raw()} is what the source opens and may hold credentials ({@code rtsp://user:pass@cam/},
 * {@code srt://host:9000?passphrase=...}): anything printed, logged or served shows {@link #redacted()} instead.
 */
public record SourceUri(String raw, String scheme, String location, Map<String, String> options) {
    /** The replacement for a credential. */
    public static final String MASK = "***";
    /** {@code scheme://userinfo@}: the user info runs to the last '@' before the path, query or fragment. */
    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#\\s]*@");
    /**
     * A query parameter whose name says it is a secret (passphrase, password, pwd, secret, token, auth..., key,
     * signature), also behind FFmpeg's {@code av.} prefix; its value runs to the next '&', '#' or white space.
     */
    private static final String SECRET_NAME = "(?:av\\.)?(?:[a-z0-9_.-]*(?:pass|pwd|secret|token|auth|credential"
            + "|signature|api[_-]?key)[a-z0-9_.-]*|key|sig|user|username|streamid)";
    private static final Pattern SECRET_PARAM = Pattern.compile("(?i)([?&;])(" + SECRET_NAME + ")=[^&#\\s]*");
    private static final Pattern SECRET_OPTION = Pattern.compile("(?i)" + SECRET_NAME);

    /** Parses a URI as typed on the command line; fails with a message a user can act on. */
    public static SourceUri parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("empty source URI");
        }
        int colon = raw.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("source URI '" + redact(raw) + "' has no scheme (expected e.g. "
                    + "synthetic:ultrasound, file:PATH, images:DIR, udp://HOST:PORT, v4l2:/dev/video0)");
        }
        String scheme = raw.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
        String rest = raw.substring(colon + 1);
        Map<String, String> options = new LinkedHashMap<>();
        int q = rest.indexOf('?');
        String location = rest;
        if (q >= 0) {
            location = rest.substring(0, q);
            for (String pair : rest.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "true" : decode(pair.substring(eq + 1));
                options.put(k, v);
            }
        }
        return new SourceUri(raw, scheme, location, Collections.unmodifiableMap(options));
    }

    /** This URI with its credentials masked: the form to print, log, serve or store. */
    public String redacted() {
        return redact(raw);
    }

    /**
     * Masks the credentials in {@code text}, a URI or a message that contains URIs: the user info of every
     * {@code scheme://user:pass@host} and the value of every password-like query parameter. The one redaction
     * used wherever a source is shown (logs, the API, recording manifests, the command line).
     */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
        return SECRET_PARAM.matcher(out).replaceAll("$1$2=" + MASK);
    }

    /** Whether a source option of this name holds a secret (its value is masked wherever options are shown). */
    public static boolean secretOption(String name) {
        return name != null && SECRET_OPTION.matcher(name).matches();
    }

    /** Percent-decoding only: a literal '+' stays '+' (FFmpeg flag values such as nobuffer+discardcorrupt use it). */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The same URI with more options (those already in the URI win). */
    public SourceUri withDefaults(Map<String, ?> defaults) {
        Map<String, String> merged = new LinkedHashMap<>();
        defaults.forEach((k, v) -> merged.put(k, String.valueOf(v)));
        merged.putAll(options);
        return new SourceUri(raw, scheme, location, Collections.unmodifiableMap(merged));
    }

    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    public int intOption(String key, int fallback) {
        String v = options.get(key);
        try {
            return v == null ? fallback : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("source option " + key + "=" + v + " is not a whole number (in " + redact(raw) + ")");
        }
    }

    public double doubleOption(String key, double fallback) {
        String v = options.get(key);
        try {
            return v == null ? fallback : Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("source option " + key + "=" + v + " is not a number (in " + redact(raw) + ")");
        }
    }

    public boolean boolOption(String key, boolean fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("source option " + key + "=" + v + " is not true/false (in " + redact(raw) + ")");
        };
    }
}
