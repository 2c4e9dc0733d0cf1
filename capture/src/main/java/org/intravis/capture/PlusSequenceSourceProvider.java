package org.intravis.capture;

import org.intravis.pipeline.FrameSource;

import java.util.Set;

/** {@code plus:FILE.igs.mha} or {@code plus:FILE.igs.mhd}: a PLUS toolkit ultrasound sequence ({@link PlusSequenceSource}). */
public final class PlusSequenceSourceProvider implements FrameSourceProvider {
    private static final Set<String> OPTIONS = Set.of("pace", "loop", "fps", "pixelSpacingMm", "format");

    @Override
    public Set<String> schemes() {
        return Set.of("plus");
    }

    @Override
    public String usage() {
        return "plus:FILE.igs.mha|FILE.igs.mhd[?pace=realtime|fast&loop=false&fps=N&pixelSpacingMm=MM]"
                + "  PLUS toolkit ultrasound sequence (MetaImage, raw or zlib), grey";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        KnownOptions.require(uri, OPTIONS);
        return new PlusSequenceSource(uri);
    }
}
