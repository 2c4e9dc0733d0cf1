package org.intravis.capture;

import org.intravis.pipeline.PixelFormat;

import java.util.Locale;

/**
 * How a recorded source (file, image folder, PLUS sequence) is played: paced at its own rate or as fast as the
 * consumer takes frames, looping or not, and the pixel format delivered.
 *
 * @param realtime {@code pace=realtime} (default) or {@code pace=fast}
 * @param loop     {@code loop=true} starts again at the end instead of ending the stream
 * @param format   {@code format=gray} (default: ultrasound and fluoroscopy are grey) or {@code format=bgr}
 */
public record Playback(boolean realtime, boolean loop, PixelFormat format) {

    /** Reads {@code pace}, {@code loop} and {@code format} from the URI. */
    public static Playback from(SourceUri uri) {
        String pace = uri.option("pace", "realtime").trim().toLowerCase(Locale.ROOT);
        boolean realtime = switch (pace) {
            case "realtime" -> true;
            case "fast" -> false;
            default -> throw new IllegalArgumentException("source option pace=" + pace
                    + " must be realtime or fast (in " + uri.redacted() + ")");
        };
        return new Playback(realtime, uri.boolOption("loop", false), pixelFormat(uri));
    }

    /** Reads {@code format=gray|bgr} (default gray). */
    public static PixelFormat pixelFormat(SourceUri uri) {
        String f = uri.option("format", "gray").trim().toLowerCase(Locale.ROOT);
        return switch (f) {
            case "gray", "grey", "gray8" -> PixelFormat.GRAY8;
            case "bgr", "bgr24", "color", "colour" -> PixelFormat.BGR24;
            default -> throw new IllegalArgumentException("source option format=" + f
                    + " must be gray or bgr (in " + uri.redacted() + ")");
        };
    }
}
