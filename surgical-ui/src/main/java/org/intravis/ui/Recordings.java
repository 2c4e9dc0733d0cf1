package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.capture.SourceUri;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.inference.StreamRegistration;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.RecordingLayout;
import org.intravis.streamer.RecordedAnnotations;
import org.intravis.streamer.Recorder;
import org.intravis.streamer.RecordingInfo;
import org.intravis.streamer.RecordingSettings;
import org.intravis.streamer.RecordingStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The application's recorders: one {@link Recorder} per stream (idle until started, or started with the stream
 * when {@code recording.alwaysOn}), the manifest's facts about each stream (source, configuration, model files
 * and their SHA-256, software version), the list of recorded sessions for {@code GET /api/recordings}, and keeping
 * the folder within its bounds ({@link RecordingRetention}).
 */
public final class Recordings implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Recordings.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IntravisConfig config;
    private final RecordingSettings settings;
    private final Map<String, Recorder> recorders = new ConcurrentHashMap<>();
    private final RecordingRetention retention;
    private ScheduledExecutorService sweeper;

    public Recordings(IntravisConfig config) {
        this.config = config;
        this.settings = ModuleSettings.recording(config);
        this.retention = new RecordingRetention(settings.dir(), config.recording.keepGb, config.recording.keepDays);
    }

    /**
     * Keeps the recordings within {@code recording.keepGb} and {@code keepDays} (when either is set): a sweep now and
     * every {@code period} on a thread of its own, sparing the sessions being recorded and those {@code replayed}
     * gives; each session removed is given to {@code onRemoved} (the audit trail).
     */
    synchronized void startRetention(Supplier<Set<Path>> replayed, Consumer<RecordingRetention.Removed> onRemoved,
                                     Duration period) {
        if (!retention.active() || sweeper != null) {
            return;
        }
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "recording-retention");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                sweep(replayed.get()).forEach(onRemoved);
            } catch (RuntimeException e) { // a failed sweep must not end the schedule
                LOG.warning("recording retention: " + e);
            }
        }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One sweep: removes what the bounds say, sparing the sessions being recorded and {@code replayed}. */
    List<RecordingRetention.Removed> sweep(Set<Path> replayed) {
        Set<Path> inUse = new HashSet<>(replayed);
        for (Recorder r : recorders.values()) {
            RecordingStatus st = r.status();
            if (!st.directory().isEmpty() && !"idle".equals(st.state()) && !"failed".equals(st.state())) {
                inUse.add(Path.of(st.directory()));
            }
        }
        return retention.sweep(inUse, Instant.now());
    }

    public Path directory() {
        return settings.dir();
    }

    /** Makes the recorder of a stream (its pipeline reads the ring into it). */
    Recorder create(IntravisConfig.Stream s, FrameSource source, String model, double spacingMm) {
        Recorder r = new Recorder(s.id, settings, source.geometry(), () -> info(s, source, model, spacingMm));
        recorders.put(s.id, r);
        return r;
    }

    /** Starts the stream's recording when the configuration says always-on. */
    void streamStarted(String streamId) {
        Recorder r = recorders.get(streamId);
        if (r != null && config.recording.alwaysOn) {
            r.start();
        }
    }

    public Optional<Recorder> recorder(String streamId) {
        return Optional.ofNullable(recorders.get(streamId));
    }

    private RecordingInfo info(IntravisConfig.Stream s, FrameSource source, String model, double spacingMm) {
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = JSON.convertValue(config, Map.class);
        redactStreams(tree);
        return new RecordingInfo(SourceUri.redact(s.source), source.live(), source.nominalFps(), spacingMm, model, modelFiles(model),
                tree, "intravis " + Intravis.version());
    }

    /** The manifest keeps the configuration, minus the credentials in its streams' URIs and options. */
    @SuppressWarnings("unchecked")
    private static void redactStreams(Map<String, Object> tree) {
        if (!(tree.get("streams") instanceof List<?> streams)) {
            return;
        }
        for (Object o : streams) {
            if (o instanceof Map<?, ?> m) {
                Map<String, Object> stream = (Map<String, Object>) m;
                if (stream.get("source") instanceof String uri) {
                    stream.put("source", SourceUri.redact(uri));
                }
                if (stream.get("options") instanceof Map<?, ?> options) {
                    ((Map<String, Object>) options).replaceAll((k, v) -> SourceUri.secretOption(k) ? SourceUri.MASK : v);
                }
            }
        }
    }

    /** The ONNX file a model name resolves to, with the SHA-256 of its bytes (none for ground truth or no model). */
    private List<RecordingInfo.ModelFile> modelFiles(String model) {
        if (model == null || model.equals(StreamRegistration.NONE) || model.equals(StreamRegistration.GROUND_TRUTH)) {
            return List.of();
        }
        try {
            Path modelsDir = config.inference.modelsDir.isBlank() ? null : Path.of(config.inference.modelsDir);
            ModelSource src = ModelSource.locate(model, modelsDir);
            return List.of(new RecordingInfo.ModelFile(src.spec().name(), src.location(), src.sha256()));
        } catch (ModelLoadException e) {
            return List.of(new RecordingInfo.ModelFile(model, "not found: " + e.getMessage(), ""));
        }
    }

    /** Every session under the recordings folder, newest first, with its manifest's summary. */
    public List<Map<String, Object>> sessions() {
        Path root = settings.dir();
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            LOG.warning("cannot list " + root + ": " + e);
            return out;
        }
        for (Path d : dirs) {
            Path m = d.resolve(RecordingLayout.MANIFEST);
            if (!Files.isRegularFile(m)) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("directory", d.toString());
            row.put("name", d.getFileName().toString());
            row.put("kept", KeptCase.kept(d));
            try {
                JsonNode n = JSON.readTree(m.toFile());
                row.put("stream", n.path("stream").asText());
                row.put("startedAt", n.path("startedAt").asText());
                row.put("endedAt", n.path("endedAt").asText(""));
                row.put("state", n.path("state").asText());
                row.put("error", n.path("error").asText(""));
                row.put("source", SourceUri.redact(n.path("source").path("uri").asText())); // older manifests kept it whole
                row.put("resolution", n.path("source").path("width").asInt() + "x" + n.path("source").path("height").asInt());
                row.put("codec", n.path("video").path("codec").asText());
                row.put("model", n.path("model").path("configured").asText());
                row.put("framesWritten", n.path("framesWritten").asLong());
                row.put("framesDropped", n.path("framesDropped").asLong());
                long frames = 0;
                long bytes = 0;
                long lastStartUs = 0;
                for (JsonNode seg : n.path("segments")) {
                    frames += seg.path("frameCount").asLong();
                    bytes += seg.path("videoBytes").asLong();
                    lastStartUs = seg.path("startUs").asLong();
                }
                row.put("segments", RecordedAnnotations.closedSegments(d).size());
                row.put("framesInClosedSegments", frames);
                row.put("videoBytes", bytes);
                row.put("replay", "recording:" + d);
                row.put("lastSegmentStartS", lastStartUs / 1e6);
            } catch (IOException e) {
                row.put("state", "unreadable");
                row.put("error", "cannot read the manifest: " + e.getMessage());
            }
            out.add(row);
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** Stops every recording (after the pipelines are closed, so no frame is lost half-way) and ends the writers. */
    @Override
    public void close() {
        synchronized (this) {
            if (sweeper != null) {
                sweeper.shutdownNow();
            }
        }
        for (Recorder r : recorders.values()) {
            r.close();
        }
    }
}
