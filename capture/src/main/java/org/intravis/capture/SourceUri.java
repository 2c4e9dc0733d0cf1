package org.intravis.capture;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
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
    /**
     * {@code scheme://userinfo@}: the user info runs to the last '@' before the path, query or fragment. The scheme is
     * read over at most 32 characters without backtracking (possessive), so that a long run of scheme-like characters
     * costs linear time: with an unbounded run a 100 KB URI took seconds to redact (a fuzzed URI, 2026-12-07). A
     * match may start inside a longer word (the scheme is written back as it was, so the result is the same), and so
     * a scheme that does not start a word ({@code 9x://u:p@h}) has its user info masked too, as it had not before.
     */
    private static final Pattern USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]{0,31}+://)[^/?#\\s]*@");
    /** Words that make a query parameter's name a secret's when the name contains them. */
    private static final String[] SECRET_WORDS = {"pass", "pwd", "secret", "token", "auth", "credential", "signature",
            "apikey", "api_key", "api-key"};
    /** Names that are a secret's only as the whole name (behind FFmpeg's {@code av.} prefix too). */
    private static final String[] SECRET_NAMES = {"key", "sig", "user", "username", "streamid"};

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
        String scheme = raw.substring(0, colon).toLowerCase(Locale.ROOT);
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
        return maskSecretParameters(USER_INFO.matcher(text).replaceAll("$1" + MASK + "@"));
    }

    /**
     * The value of every query parameter with a secret's name ({@link #secretOption}) masked: after each '?', '&' or
     * ';', a name of letters, digits, '_', '.' or '-' followed by '='; its value runs to the next '&', '#' or white
     * space. One pass over the text (a regular expression for the same names backtracked quadratically over a long
     * name).
     */
    private static String maskSecretParameters(String text) {
        StringBuilder out = null;
        int copied = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c != '?' && c != '&' && c != ';') {
                continue;
            }
            int end = i + 1;
            while (end < n && nameChar(text.charAt(end))) {
                end++;
            }
            if (end == n || text.charAt(end) != '=' || !secretOption(text.substring(i + 1, end))) {
                i = end - 1; // the name's characters hold no delimiter: go on after them
                continue;
            }
            int valueEnd = end + 1;
            while (valueEnd < n && !valueEndChar(text.charAt(valueEnd))) {
                valueEnd++;
            }
            if (out == null) {
                out = new StringBuilder(n);
            }
            out.append(text, copied, end + 1).append(MASK);
            copied = valueEnd;
            i = valueEnd - 1;
        }
        return out == null ? text : out.append(text, copied, n).toString();
    }

    private static boolean nameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
    }

    /** '&', '#' or white space as regular expressions have it ({@code \s}: space, tab, line feed, VT, form feed, CR). */
    private static boolean valueEndChar(char c) {
        return c == '&' || c == '#' || c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /**
     * Whether a source option of this name holds a secret (its value is masked wherever options are shown): a name
     * of letters, digits, '_', '.' and '-' that contains pass, pwd, secret, token, auth, credential, signature or
     * api key, or is key, sig, user, username or streamid, also behind FFmpeg's {@code av.} prefix; ASCII letters in
     * either case.
     */
    public static boolean secretOption(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!nameChar(name.charAt(i))) {
                return false;
            }
        }
        String n = name.toLowerCase(Locale.ROOT); // ASCII only by now: lower case as the expression's (?i) had it
        for (String w : SECRET_WORDS) {
            if (n.contains(w)) {
                return true;
            }
        }
        String bare = n.startsWith("av.") ? n.substring(3) : n;
        for (String w : SECRET_NAMES) {
            if (bare.equals(w)) {
                return true;
            }
        }
        return false;
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
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("source option " + key + "=" + v + " is not true/false (in " + redact(raw) + ")");
        };
    }
}
