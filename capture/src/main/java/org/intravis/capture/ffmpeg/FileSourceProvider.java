package org.intravis.capture.ffmpeg;

import org.intravis.capture.FrameSourceProvider;
import org.intravis.capture.KnownOptions;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameSource;

import java.util.Set;

/** {@code file:PATH}: a video file read through FFmpeg ({@link FileSource}). */
public final class FileSourceProvider implements FrameSourceProvider {
    private static final Set<String> OPTIONS = Set.of("pace", "loop", "format", "maxWidth", "maxHeight",
            "decoderThreads");

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public String usage() {
        return "file:PATH[?pace=realtime|fast&loop=false&format=gray|bgr&maxWidth=W&maxHeight=H]"
                + "  video file (mp4, mkv, avi, mov, ts, ...) through FFmpeg";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        KnownOptions.require(uri, OPTIONS);
        return new FileSource(uri);
    }
}
