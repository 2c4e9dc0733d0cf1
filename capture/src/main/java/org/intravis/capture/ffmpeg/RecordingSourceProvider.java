package org.intravis.capture.ffmpeg;

import org.intravis.capture.FrameSourceProvider;
import org.intravis.capture.KnownOptions;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameSource;

import java.util.Set;

/** {@code recording:DIR}: a session recorded by intravis, replayed ({@link RecordingSource}). */
public final class RecordingSourceProvider implements FrameSourceProvider {
    private static final Set<String> OPTIONS = Set.of("pace", "speed", "loop", "paused", "atEnd", "format");

    @Override
    public Set<String> schemes() {
        return Set.of("recording");
    }

    @Override
    public String usage() {
        return "recording:DIR[?speed=1&pace=realtime|fast&paused=false&loop=false&atEnd=pause|end]"
                + "  a recorded session replayed at its own timing (controls: POST /api/streams/ID/replay)";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        KnownOptions.require(uri, OPTIONS);
        return new RecordingSource(uri);
    }
}
