package org.intravis.ui;

import org.intravis.capture.FrameSources;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.streamer.StreamHub;
import org.intravis.streamer.StreamPublisher;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Assembles and owns the streams. The path of a frame, in the order it is wired here:
 * <ol>
 *   <li>a {@link FrameSource} made from the stream's URI ({@link FrameSources});</li>
 *   <li>its {@link StreamPipeline}: the capture thread fills the ring;</li>
 *   <li>the video branch hands each newest frame, with the newest completed annotations attached, to the video
 *       sinks (snapshots for HTTP stills);</li>
 *   <li>the inference branch offers the newest frame to the model.</li>
 * </ol>
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Engine.class.getName());
    private static final long SNAPSHOT_INTERVAL_MS = 100;

    private final IntravisConfig config;
    private final StreamHub hub;
    private final List<EngineStream> streams = new ArrayList<>();

    public Engine(IntravisConfig config, StreamHub hub) {
        this.config = config;
        this.hub = hub;
    }

    /** Creates, opens and starts every configured stream; any failure stops those already started. */
    public void start() {
        try {
            int index = 0;
            for (IntravisConfig.Stream s : config.streams) {
                streams.add(startStream(index++, s));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private EngineStream startStream(int index, IntravisConfig.Stream s) {
        FrameSource source;
        try {
            source = FrameSources.create(SourceUri.parse(s.source).withDefaults(s.options));
        } catch (IllegalArgumentException e) {
            throw new UserError("stream " + s.id + ": " + e.getMessage(), e);
        }
        try {
            source.open(); // opened here so that geometry (and thus snapshot buffers) is known before the ring
        } catch (CaptureException e) {
            source.close();
            throw new UserError("stream " + s.id + ": " + e.getMessage(), e);
        }
        FrameSnapshots snapshots = new FrameSnapshots(source.geometry().maxFrameBytes(), SNAPSHOT_INTERVAL_MS);
        StreamPipeline.Context ctx = new StreamPipeline.Context()
                .streamId(s.id)
                .streamIndex(index)
                .source(source)
                .ringSize(config.pipeline.ringSize)
                .waitStrategy(config.pipeline.waitStrategy)
                .staleAfterMillis(config.pipeline.staleAfterMs)
                .videoSink(snapshots);
        StreamPublisher publisher = hub.register(s.id); // WebSocket/MJPEG streaming: video sink + overlay listener
        ctx.videoSink(publisher).annotationListener(publisher);
        StreamPipeline pipeline;
        try {
            pipeline = new StreamPipeline(ctx.conclude());
            publisher.attach(pipeline);
            pipeline.start();
        } catch (IllegalArgumentException e) {
            source.close();
            throw new UserError("stream " + s.id + ": " + e.getMessage(), e);
        }
        LOG.info(() -> "stream " + s.id + ": " + s.source + " " + source.geometry().maxWidth() + "x"
                + source.geometry().maxHeight() + " " + source.geometry().format());
        return new EngineStream(s, pipeline, snapshots);
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

    @Override
    public void close() {
        for (EngineStream s : streams) {
            s.pipeline().close();
            hub.unregister(s.id());
        }
    }

    public StreamHub hub() {
        return hub;
    }

    /** A stream as the application holds it. */
    public record EngineStream(IntravisConfig.Stream settings, StreamPipeline pipeline, FrameSnapshots snapshots) {
        public String id() {
            return settings.id;
        }
    }
}
