package org.intravis.streamer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.intravis.pipeline.DurableFiles;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.PipelineClock;
import org.intravis.pipeline.RecordingLayout;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's {@code manifest.json}: written when the session starts, rewritten (to a temporary file, then
 * renamed) whenever a segment closes and when the session ends, so that it is always complete and lists every
 * closed segment. Written by the recorder's writer thread (and once by the thread that starts the session).
 */
final class SessionManifest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final Map<String, Object> base = new LinkedHashMap<>();
    private final List<Map<String, Object>> segments = new ArrayList<>();
    private final double fps;

    SessionManifest(Path dir, String streamId, long startedUs, RecordingInfo info, FrameGeometry geometry,
                    RecordingSettings settings, List<RecordingSettings.Region> regions) {
        this.dir = dir;
        this.fps = info.fps();
        base.put("format", RecordingLayout.FORMAT);
        base.put("formatVersion", RecordingLayout.FORMAT_VERSION);
        base.put("stream", streamId);
        base.put("startedAt", Instant.ofEpochMilli(startedUs / 1000).toString());
        base.put("startedUs", startedUs);
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("uri", info.source());
        source.put("live", info.live());
        source.put("width", geometry.maxWidth());
        source.put("height", geometry.maxHeight());
        source.put("pixelFormat", geometry.format().name());
        source.put("fps", info.fps());
        source.put("pixelSpacingMm", info.pixelSpacingMm());
        base.put("source", source);
        Map<String, Object> video = new LinkedHashMap<>();
        video.put("container", "matroska");
        video.put("codec", settings.codec().configName());
        video.put("encoder", settings.codec().encoderName());
        video.put("lossless", settings.codec().lossless());
        video.put("segmentSeconds", settings.segmentSeconds());
        base.put("video", video);
        base.put("deidentified", regions);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("configured", info.model());
        model.put("files", info.models());
        base.put("model", model);
        base.put("software", info.software());
        base.put("java", System.getProperty("java.version"));
        base.put("configuration", info.configuration());
    }

    Path dir() {
        return dir;
    }

    double fps() {
        return fps;
    }

    void addSegment(int index, long frames, long firstFrameId, long lastFrameId, long startUs, long videoBytes) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("index", index);
        s.put("video", RecordingLayout.video(dir, index).getFileName().toString());
        s.put("frames", RecordingLayout.frames(dir, index).getFileName().toString());
        s.put("annotations", RecordingLayout.annotations(dir, index).getFileName().toString());
        s.put("frameCount", frames);
        s.put("firstFrameId", firstFrameId);
        s.put("lastFrameId", lastFrameId);
        s.put("startUs", startUs);
        s.put("videoBytes", videoBytes);
        segments.add(s);
    }

    /** Writes the manifest with the session's state ({@code recording}, {@code closed}, {@code failed}). */
    void write(String state, String error, long framesWritten, long framesDropped, long framesTorn) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.put("state", state);
        m.put("error", error);
        m.put("updatedUs", PipelineClock.epochMicrosNow());
        if (!state.equals("recording")) {
            m.put("endedAt", Instant.now().toString());
        }
        m.put("framesWritten", framesWritten);
        m.put("framesDropped", framesDropped);
        m.put("framesTorn", framesTorn);
        m.put("segments", segments);
        DurableFiles.replace(dir.resolve(RecordingLayout.MANIFEST), JSON.writeValueAsBytes(m));
    }
}
