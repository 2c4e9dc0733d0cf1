package org.intravis.streamer;

import java.util.List;
import java.util.Map;

/**
 * What a session's manifest says about where its frames and annotations came from, supplied by the application
 * when a recording starts.
 *
 * @param source         the stream's source URI
 * @param live           whether the source is live (a card, a network stream)
 * @param fps            the source's nominal frame rate (0: unknown)
 * @param pixelSpacingMm millimetres per pixel (0: unknown)
 * @param model          the stream's model as configured ({@code ultrasound}, {@code ground-truth}, {@code none}, a path)
 * @param models         the model files in use, with their SHA-256
 * @param configuration  the application's configuration as it runs (a JSON-like tree)
 * @param software       the software's name and version, e.g. {@code intravis 0.1.0}
 */
public record RecordingInfo(String source, boolean live, double fps, double pixelSpacingMm, String model,
                            List<ModelFile> models, Map<String, Object> configuration, String software) {

    /** A model file: its name, where it was loaded from and the SHA-256 of its bytes. */
    public record ModelFile(String name, String location, String sha256) {
    }
}
