package org.intravis.streamer;

import java.util.Locale;

/**
 * One encoded form of a stream's video: an {@link Encoding} of either the clean picture (overlays drawn by the
 * page) or the picture with the overlay burned in (plain displays, recordings). Each variant is encoded at most
 * once per frame and only while some client wants it.
 */
public enum Variant {
    H264_CLEAN(Encoding.H264, false),
    JPEG_CLEAN(Encoding.JPEG, false),
    H264_BURNED(Encoding.H264, true),
    JPEG_BURNED(Encoding.JPEG, true);

    public static final int COUNT = values().length;

    private final Encoding encoding;
    private final boolean burned;

    Variant(Encoding encoding, boolean burned) {
        this.encoding = encoding;
        this.burned = burned;
    }

    public Encoding encoding() { return encoding; }
    public boolean burned() { return burned; }

    /** {@code clean} or {@code burned}, as in {@code ?variant=burned}. */
    public String layerName() { return burned ? "burned" : "clean"; }

    public static Variant of(Encoding encoding, boolean burned) {
        for (Variant v : values()) {
            if (v.encoding == encoding && v.burned == burned) {
                return v;
            }
        }
        throw new AssertionError();
    }

    /** Parses {@code clean} / {@code burned}; fails with the accepted names. */
    public static boolean parseBurned(String s) {
        String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "clean", "raw", "plain" -> false;
            case "burned", "burnt", "burned-in", "burn" -> true;
            default -> throw new IllegalArgumentException("unknown variant '" + s + "' (use clean or burned)");
        };
    }
}
