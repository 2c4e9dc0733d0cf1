package org.intravis.capture.ffmpeg;

import org.intravis.capture.SourceUri;

/**
 * The {@code pixelAspect} option of video sources: how wide a stored pixel is against its height, for a stream that
 * does not say (a PAL or NTSC capture card through v4l2 gives 720x576 or 720x480 of non-square pixels and no ratio) or
 * says wrong. {@code W:H} ({@code 16:15}, {@code 12:11}) or a number; {@code 1} keeps the pixels as stored.
 */
public final class PixelAspect {
    /** The option's key. */
    public static final String KEY = "pixelAspect";

    private PixelAspect() {
    }

    /** The ratio the URI gives, or 0 when it gives none (the stream's own is used). */
    public static double of(SourceUri uri) {
        String v = uri.option(KEY, "");
        if (v.isBlank()) {
            return 0;
        }
        double a;
        try {
            int colon = v.indexOf(':');
            a = colon < 0 ? Double.parseDouble(v)
                    : Double.parseDouble(v.substring(0, colon)) / Double.parseDouble(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            a = Double.NaN;
        }
        if (!(a >= 0.5 && a <= 2)) {
            throw new IllegalArgumentException(KEY + "=" + v + " must be a ratio W:H or a number from 0.5 to 2, e.g. "
                    + "16:15 for a PAL capture (in " + uri.redacted() + ")");
        }
        return a;
    }
}
