package org.intravis.capture.synthetic;

import org.intravis.capture.SourceUri;

import java.util.Locale;
import java.util.Set;

/**
 * Options of a {@code synthetic:KIND?key=value&...} URI, validated once when the source is created.
 *
 * @param width          frame width in pixels (default 1280)
 * @param height         frame height in pixels (default 720)
 * @param fps            frame rate; with {@code pace=realtime} frames are delivered on this clock (default 30)
 * @param seed           scene seed: the same seed and frame index give the same pixels (default 1)
 * @param realtime       {@code pace=realtime} (default) waits for each frame's time; {@code pace=fast} does not
 * @param frames         frames to deliver before END; -1 for unlimited (default)
 * @param pixelSpacingMm millimetres per pixel reported to the pipeline (0 = the kind's default for this height)
 */
public record SyntheticOptions(int width, int height, double fps, long seed, boolean realtime, long frames,
                               double pixelSpacingMm) {

    public static final Set<String> KEYS = Set.of("width", "height", "fps", "seed", "pace", "frames", "pixelSpacingMm");
    static final int MIN_SIDE = 64;
    static final int MAX_SIDE = 7680;

    /** Parses and checks the URI's options; unknown keys and out-of-range values fail with a clear message. */
    public static SyntheticOptions parse(SourceUri uri) {
        for (String k : uri.options().keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown option '" + k + "' in " + uri.redacted()
                        + "; synthetic sources take " + String.join(", ", new java.util.TreeSet<>(KEYS)));
            }
        }
        int w = uri.intOption("width", 1280);
        int h = uri.intOption("height", 720);
        if (w < MIN_SIDE || h < MIN_SIDE || w > MAX_SIDE || h > MAX_SIDE) {
            throw new IllegalArgumentException("synthetic frame size " + w + "x" + h + " is outside "
                    + MIN_SIDE + ".." + MAX_SIDE + " pixels per side (in " + uri.redacted() + ")");
        }
        double fps = uri.doubleOption("fps", 30);
        if (!(fps > 0 && fps <= 1000)) {
            throw new IllegalArgumentException("fps=" + fps + " must be in (0, 1000] (in " + uri.redacted() + ")");
        }
        long seed;
        String s = uri.option("seed", "1").trim();
        try {
            seed = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("source option seed=" + s + " is not a whole number (in " + uri.redacted() + ")");
        }
        String pace = uri.option("pace", "realtime").trim().toLowerCase(Locale.ROOT);
        if (!pace.equals("realtime") && !pace.equals("fast")) {
            throw new IllegalArgumentException("pace=" + pace + " must be realtime or fast (in " + uri.redacted() + ")");
        }
        long frames = -1;
        if (uri.options().containsKey("frames")) {
            String f = uri.option("frames", "").trim();
            try {
                frames = Long.parseLong(f);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("source option frames=" + f + " is not a whole number (in " + uri.redacted() + ")");
            }
            if (frames < 1) {
                throw new IllegalArgumentException("frames=" + frames + " must be at least 1 (in " + uri.redacted() + ")");
            }
        }
        double spacing = uri.doubleOption("pixelSpacingMm", 0);
        if (!(spacing >= 0 && spacing < 100)) {
            throw new IllegalArgumentException("pixelSpacingMm=" + spacing + " must be in [0, 100) (in " + uri.redacted() + ")");
        }
        return new SyntheticOptions(w, h, fps, seed, pace.equals("realtime"), frames, spacing);
    }
}
