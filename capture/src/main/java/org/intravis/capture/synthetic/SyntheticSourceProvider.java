package org.intravis.capture.synthetic;

import org.intravis.capture.FrameSourceProvider;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameSource;

import java.util.Locale;
import java.util.Set;

/** {@code synthetic:ultrasound} and {@code synthetic:fluoroscopy}: seeded phantoms with ground truth. */
public final class SyntheticSourceProvider implements FrameSourceProvider {

    @Override
    public Set<String> schemes() {
        return Set.of("synthetic");
    }

    @Override
    public String usage() {
        return "synthetic:ultrasound|fluoroscopy[?width=1280&height=720&fps=30&seed=1&pace=realtime|fast&frames=N"
                + "&pixelSpacingMm=MM]  seeded phantom with ground truth (needle / guidewire, vessels, nerve)";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        String kind = uri.location().trim().toLowerCase(Locale.ROOT);
        SyntheticOptions o = SyntheticOptions.parse(uri);
        return switch (kind) {
            case "ultrasound" -> new SyntheticSource(uri.raw(), kind, o,
                    opt -> new UltrasoundPhantom(opt.width(), opt.height(), opt.seed()));
            case "fluoroscopy" -> new SyntheticSource(uri.raw(), kind, o,
                    opt -> new FluoroscopyPhantom(opt.width(), opt.height(), opt.seed()));
            default -> throw new IllegalArgumentException("unknown synthetic kind '" + uri.location() + "' in "
                    + uri.redacted() + "; known kinds: ultrasound, fluoroscopy");
        };
    }
}
