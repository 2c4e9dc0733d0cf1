package org.intravis.ui;

import org.intravis.capture.FrameSources;
import org.intravis.capture.SourceUri;
import org.intravis.capture.ffmpeg.RecordingSource;
import org.intravis.inference.AiPace;
import org.intravis.inference.InferenceService;
import org.intravis.inference.StreamRegistration;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.streamer.Recorder;
import org.intravis.streamer.StreamHub;
import org.intravis.streamer.StreamPublisher;
import org.intravis.ui.igtl.IgtlServer;
import org.intravis.ui.igtl.IgtlServerSettings;
import org.intravis.ui.igtl.IgtlStream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Assembles and owns the streams. The path of a frame, in the order it is wired in {@link #startStream}:
 * <ol>
 *   <li>a {@link FrameSource} made from the stream's URI ({@link FrameSources}), opened here;</li>
 *   <li>its {@link StreamPipeline}: the capture thread fills the ring;</li>
 *   <li>the video branch attaches the newest completed annotations to the newest frame and hands it to the video
 *       sinks: the {@link StreamPublisher} (encode once per variant, fan out over WebSocket/MJPEG) and the
 *       {@link FrameSnapshots} (HTTP stills);</li>
 *   <li>the inference branch offers the newest frame to the {@link InferenceService}'s feed for the stream's model;
 *       the model's worker publishes annotations into the pipeline's exchange, and the publisher, as annotation
 *       listener, sends the overlay message at once;</li>
 *   <li>the stream's {@link Recorder} reads the ring after the video branch, without gating it, and records the
 *       frames with the overlay each was shown with ({@link Recordings}); a {@code recording:} source is replayed
 *       with the recorded overlays or a fresh inference ({@link Replay}).</li>
 * </ol>
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Engine.class.getName());
    private static final long SNAPSHOT_INTERVAL_MS = 100;

    private final IntravisConfig config;
    private final StreamHub hub;
    private final InferenceService inference;
    private final SourceFactory sources;
    private final Recordings recordings;
    private final IgtlServer igtl; // null unless openigtlink.port is set
    private final List<EngineStream> streams = new ArrayList<>();
    /** What the encoder governor watches, one per stream, filled as the streams start. */
    private final List<EncoderGovernor.Watched> watched = new ArrayList<>();
    private EncoderGovernor encoderGovernor;

    /** Makes a stream's source (not yet opened). */
    @FunctionalInterface
    public interface SourceFactory {
        FrameSource create(IntravisConfig.Stream stream) throws CaptureException;
    }

    /** The application's sources: each stream's from its URI and options ({@link FrameSources}). */
    public static final SourceFactory FROM_URI = s -> FrameSources.create(SourceUri.parse(s.source).withDefaults(s.options));

    /**
     * @param inference the models, or null to run video only (every stream's overlay then says AI OFF)
     */
    public Engine(IntravisConfig config, StreamHub hub, InferenceService inference) {
        this(config, hub, inference, FROM_URI);
    }

    /** With sources of the caller's making (the test bench feeds frames on a clock of its own). */
    public Engine(IntravisConfig config, StreamHub hub, InferenceService inference, SourceFactory sources) {
        this.config = config;
        this.hub = hub;
        this.inference = inference;
        this.sources = sources;
        this.recordings = new Recordings(config);
        IgtlServerSettings igtlSettings = ModuleSettings.igtl(config);
        this.igtl = igtlSettings == null ? null : new IgtlServer(igtlSettings, config.streams.size());
    }

    /** Creates, opens and starts every configured stream; any failure stops those already started. */
    public void start() {
        try {
            if (igtl != null) {
                try {
                    igtl.start();
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage(), e);
                }
            }
            int index = 0;
            for (IntravisConfig.Stream s : config.streams) {
                streams.add(startStream(index++, s));
            }
            encoderGovernor = new EncoderGovernor(watched, inference == null ? () -> null : inference::status,
                    config.streaming.encoderStepDown,
                    config.streaming.overlayFloorHz,
                    inference != null && config.inference.yieldToVideo ? AiPacer.ofThisMachine(inference) : null).start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private EngineStream startStream(int index, IntravisConfig.Stream s) {
        FrameSource source;
        try {
            source = sources.create(s);
        } catch (IllegalArgumentException | CaptureException e) {
            throw new UserError("stream " + s.id + ": " + e.getMessage(), e);
        }
        try {
            source.open(); // opened before the pipeline: the ring and the sinks are sized from its geometry
        } catch (CaptureException e) {
            source.close();
            throw new UserError("stream " + s.id + ": " + e.getMessage(), e);
        }
        String model = inference == null ? StreamRegistration.NONE : s.modelFor(source.modality());
        if (model.equals(StreamRegistration.GROUND_TRUTH) && !source.providesGroundTruth()) {
            source.close();
            throw new UserError("stream " + s.id + ": model ground-truth needs a synthetic source, not " + SourceUri.redact(s.source));
        }
        double spacingMm = s.pixelSpacingMm > 0 ? s.pixelSpacingMm : source.pixelSpacingMm();

        FrameSnapshots snapshots = new FrameSnapshots(source.geometry().maxFrameBytes(), SNAPSHOT_INTERVAL_MS);
        StreamPublisher publisher = hub.register(s.id);
        Recorder recorder = recordings.create(s, source, model, spacingMm);
        StreamPipeline.Context ctx = ModuleSettings.pipeline(config, s, index)
                .source(source)
                .videoSink(publisher.video())
                .videoSink(snapshots)
                .annotationListener(publisher.overlays())
                .readerAfterVideo("record-read", recorder);
        if (igtl != null) { // OpenIGTLink's output: a video sink and an annotation listener, neither gating anything
            IgtlStream out = igtl.stream(index, s.id, spacingMm);
            ctx.videoSink(out.frames()).annotationListener(out.annotations());
        }
        StreamPipeline pipeline;
        Replay replay = null;
        try {
            pipeline = new StreamPipeline(ctx.conclude());
            if (source instanceof RecordingSource recording) {
                replay = new Replay(recording, pipeline.annotations()); // the one writer of the exchange
                ctx.readerAfterVideo("replay-sync", replay.videoFollower());
            }
            if (inference != null) {
                // registered once the pipeline exists: the feed publishes into its exchange, counters and histograms
                InferenceFeed feed = inference.register(new StreamRegistration(s.id, index,
                        replay != null ? replay.modelExchange() : pipeline.annotations(),
                        pipeline.counters(), pipeline.latency(), spacingMm, model));
                ctx.inferenceFeed(replay != null ? replay.gate(feed) : feed);
            }
            publisher.attach(pipeline);
            watched.add(new EncoderGovernor.Watched(s.id, pipeline.counters(), publisher,
                    !model.equals(StreamRegistration.NONE) && !model.equals(StreamRegistration.GROUND_TRUTH)));
            recordings.streamStarted(s.id); // before the first frame: an always-on recording has the session's start
            pipeline.start();
        } catch (IllegalArgumentException e) {
            hub.unregister(s.id);
            source.close();
            throw new UserError("stream " + s.id + ": " + e.getMessage(), e);
        }
        LOG.info(() -> "stream " + s.id + ": " + SourceUri.redact(s.source) + " " + source.geometry().maxWidth() + "x"
                + source.geometry().maxHeight() + " " + source.geometry().format() + ", model " + model
                + (spacingMm > 0 ? String.format(java.util.Locale.ROOT, ", %.4g mm/px", spacingMm)
                        : ", pixel spacing unknown"));
        return new EngineStream(s, model, pipeline, snapshots, recorder, replay);
    }

    public IntravisConfig config() {
        return config;
    }

    public List<EngineStream> streams() {
        return List.copyOf(streams);
    }

    public Optional<EngineStream> stream(String id) {
        return streams.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    public StreamHub hub() {
        return hub;
    }

    /** The recorders and the recorded sessions. */
    public Recordings recordings() {
        return recordings;
    }

    /**
     * Keeps the recordings folder within {@code recording.keepGb} and {@code keepDays}, when set: a sweep now and every
     * minute, sparing the sessions being recorded or replayed; each session removed goes to {@code onRemoved}.
     */
    void startRetention(Consumer<RecordingRetention.Removed> onRemoved) {
        recordings.startRetention(this::sessionsReplayed, onRemoved, Duration.ofMinutes(1));
    }

    /** The recorded sessions the streams replay. */
    Set<Path> sessionsReplayed() {
        Set<Path> out = new HashSet<>();
        for (EngineStream s : streams) {
            if (s.replay() != null) {
                out.add(s.replay().source().session());
            }
        }
        return out;
    }

    /** The OpenIGTLink server, or empty when it is off. */
    public Optional<IgtlServer> igtl() {
        return Optional.ofNullable(igtl);
    }

    /** The encoders' step-down under load, or empty before {@link #start()}. */
    Optional<EncoderGovernor> encoderGovernor() {
        return Optional.ofNullable(encoderGovernor);
    }

    /** The encoders' step under load in words (for the test bench's report), e.g. {@code rate step 1 (3 of 4 frames), ...}. */
    public String encoderSteps() {
        EncoderGovernor g = encoderGovernor;
        return g == null ? "" : "rate step " + g.step() + " (" + EncoderGovernor.describe(g.step()) + "), "
                + g.stepDowns() + " steps down, " + g.stepUps() + " up" + g.pacer().map(p -> "; AI paced to "
                + AiPace.describe(p.step()) + ", " + p.stepDowns() + " steps down, " + p.stepUps() + " up").orElse("");
    }

    /** The models, or empty when inference is off. */
    public Optional<InferenceService> inference() {
        return Optional.ofNullable(inference);
    }

    /** Pipelines first (nothing offers frames any more), then the recordings (their last segments close), then the models. */
    @Override
    public void close() {
        if (encoderGovernor != null) {
            encoderGovernor.close();
        }
        for (EngineStream s : streams) {
            s.pipeline().close();
            hub.unregister(s.id());
        }
        if (igtl != null) {
            igtl.close();
        }
        recordings.close();
        for (EngineStream s : streams) {
            if (s.replay() != null) {
                s.replay().close();
            }
        }
        if (inference != null) {
            inference.close();
        }
    }

    /** A stream as the application holds it. */
    public record EngineStream(IntravisConfig.Stream settings, String model, StreamPipeline pipeline,
                               FrameSnapshots snapshots, Recorder recorder, Replay replay) {
        public String id() {
            return settings.id;
        }
    }
}
