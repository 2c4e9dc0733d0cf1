package org.intravis.streamer;

import java.util.Locale;

/** How a video message's payload is encoded; the code is byte 4 of the binary header (docs/protocol.md). */
public enum Encoding {
    /** H.264 Annex-B, one access unit per message, constrained baseline, for WebCodecs. */
    H264(1, "h264"),
    /** Baseline JPEG, one picture per message: the fallback every browser can show. */
    JPEG(2, "jpeg");

    private final int code;
    private final String wireName;

    Encoding(int code, String wireName) {
        this.code = code;
        this.wireName = wireName;
    }

    public int code() { return code; }

    /** Name used in URLs and JSON ({@code h264}, {@code jpeg}). */
    public String wireName() { return wireName; }

    public static Encoding ofCode(int code) {
        for (Encoding e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown encoding code " + code);
    }

    /** Parses a wire name; fails with the accepted names. */
    public static Encoding parse(String s) {
        String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "h264", "avc", "h.264" -> H264;
            case "jpeg", "jpg", "mjpeg" -> JPEG;
            default -> throw new IllegalArgumentException("unknown encoding '" + s + "' (use h264 or jpeg)");
        };
    }
}
