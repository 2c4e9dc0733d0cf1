package org.intravis.capture.ffmpeg;

import org.intravis.capture.FrameSourceProvider;
import org.intravis.capture.KnownOptions;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameSource;

import java.util.Set;

/** {@code images:DIR}: a folder of PNG/JPEG frames played as a video ({@link ImageFolderSource}). */
public final class ImageFolderSourceProvider implements FrameSourceProvider {
    private static final Set<String> OPTIONS = Set.of("fps", "loop", "pace", "format", "maxWidth", "maxHeight");

    @Override
    public Set<String> schemes() {
        return Set.of("images");
    }

    @Override
    public String usage() {
        return "images:DIR[?fps=30&loop=false&pace=realtime|fast&format=gray|bgr&maxWidth=W&maxHeight=H]"
                + "  folder of PNG/JPEG frames in name order";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        KnownOptions.require(uri, OPTIONS);
        return new ImageFolderSource(uri);
    }
}
