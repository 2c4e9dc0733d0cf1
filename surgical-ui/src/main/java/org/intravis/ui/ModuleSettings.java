package org.intravis.ui;

import org.intravis.inference.AlertSettings;
import org.intravis.inference.BatchShape;
import org.intravis.inference.ConvAlgoSearch;
import org.intravis.inference.InferenceSettings;
import org.intravis.inference.StreamRegistration;
import org.intravis.inference.TipTracker;
import org.intravis.inference.ZoneSmoother;
import org.intravis.inference.remote.RemoteSettings;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.streamer.RecordingSettings;
import org.intravis.streamer.StreamPublisher;
import org.intravis.streamer.StreamerSettings;
import org.intravis.streamer.VideoCodec;
import org.intravis.ui.igtl.IgtlDeviceNames;
import org.intravis.ui.igtl.IgtlServerSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configuration ({@link IntravisConfig}, as read from YAML and the command line) translated into each module's
 * settings, in one place: the pipeline's {@link StreamPipeline.Context}, {@link StreamerSettings},
 * {@link InferenceSettings} and {@link RecordingSettings}. Each module checks its own settings when they are
 * concluded; a mistake becomes a {@link UserError} that names the configuration's key. {@link #validate} makes every
 * one of them once, so that a bad configuration is refused at start with one line, before anything runs.
 * <p>
 * A new configuration key is a field in {@link IntravisConfig} and a line here.
 */
public final class ModuleSettings {
    private ModuleSettings() {
    }

    /** Checks the whole configuration: what the types cannot say (ids, ports), and every module's settings. */
    public static IntravisConfig validate(IntravisConfig c) {
        if (c.server.port < 0 || c.server.port > 65535) {
            throw new UserError("server.port must be 0..65535, was " + c.server.port);
        }
        c.server.allowedOrigins.forEach(OriginCheck::validate);
        if (c.streaming.encoderStepDown < 0 || c.streaming.encoderStepDown > StreamPublisher.maxEncoderStep()) {
            throw new UserError("streaming.encoderStepDown must be 0.." + StreamPublisher.maxEncoderStep() + ", was "
                    + c.streaming.encoderStepDown);
        }
        if (!(c.streaming.overlayFloorHz >= 0) || c.streaming.overlayFloorHz > 1000) {
            throw new UserError("streaming.overlayFloorHz must be 0..1000 overlays a second, was " + c.streaming.overlayFloorHz);
        }
        if (!(c.recording.keepGb >= 0) || c.recording.keepGb > RecordingRetention.MAX_GB) {
            throw new UserError("recording.keepGb must be 0 (keep everything) or a size in GB, was "
                    + c.recording.keepGb);
        }
        if (!(c.recording.keepDays >= 0) || c.recording.keepDays > RecordingRetention.MAX_DAYS) {
            throw new UserError("recording.keepDays must be 0 (keep everything) or a number of days, was "
                    + c.recording.keepDays);
        }
        if (c.streams == null || c.streams.isEmpty()) {
            throw new UserError("no streams configured: give --source URI or a streams: section");
        }
        Set<String> ids = new HashSet<>();
        for (IntravisConfig.Stream s : c.streams) {
            if (s.id == null || !s.id.matches("[A-Za-z0-9_-]{1,32}")) {
                throw new UserError("stream id '" + s.id + "' must be 1-32 letters, digits, '-' or '_'");
            }
            if (!ids.add(s.id)) {
                throw new UserError("stream id '" + s.id + "' is used twice");
            }
            if (s.source == null || s.source.isBlank()) {
                throw new UserError("stream " + s.id + " has no source");
            }
        }
        try {
            pipelineSettings(c).checkSettings();
        } catch (IllegalArgumentException e) {
            throw new UserError("pipeline: " + e.getMessage(), e);
        }
        if (c.inference.maxBatch < 1) {
            throw new UserError("inference.maxBatch must be at least 1");
        }
        streamer(c);
        if (c.inference.enabled) { // with inference off its section is not used, so not held against the run
            inference(c);
        }
        recording(c); // the recording section's mistakes are found at start, not at the first recording
        igtl(c);
        return c;
    }

    /** A stream's pipeline as configured (ring, wait strategy, staleness); the caller adds its source and sinks. */
    static StreamPipeline.Context pipeline(IntravisConfig c, IntravisConfig.Stream s, int index) {
        return pipelineSettings(c).streamId(s.id).streamIndex(index);
    }

    private static StreamPipeline.Context pipelineSettings(IntravisConfig c) {
        return new StreamPipeline.Context()
                .ringSize(c.pipeline.ringSize)
                .waitStrategy(c.pipeline.waitStrategy)
                .staleAfterMillis(c.pipeline.staleAfterMs);
    }

    /** The streamer's settings from the streaming and pipeline sections. */
    public static StreamerSettings streamer(IntravisConfig c) {
        try {
            return new StreamerSettings()
                    .h264Encoder(c.streaming.h264Encoder)
                    .keyIntervalMillis(c.streaming.keyIntervalMs)
                    .jpegQuality(c.streaming.jpegQuality)
                    .staleAfterMillis(c.pipeline.staleAfterMs)
                    .maxClientsPerStream(c.streaming.maxClientsPerStream)
                    .conclude();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage().replace("streamer: ", "streaming."), e);
        }
    }

    /** The inference service's settings from the inference section. */
    public static InferenceSettings inference(IntravisConfig c) {
        IntravisConfig.Inference i = c.inference;
        IntravisConfig.Alerts a = i.alerts;
        try {
            TipTracker.Config d = TipTracker.Config.defaults();
            InferenceSettings s = new InferenceSettings()
                    .device(i.device)
                    .intraOpThreads(i.intraOpThreads)
                    .liveStreams((int) c.streams.stream().filter(st -> !StreamRegistration.NONE.equals(st.model)).count())
                    .budgetMs(i.budgetMs)
                    .overlayStaleAfterMs(c.pipeline.staleAfterMs)
                    .stepDown(i.stepDown)
                    .maxBatch(i.maxBatch)
                    .batchShape(BatchShape.parse(i.batchShape))
                    .postThreads(i.postThreads)
                    .convAlgoSearch(ConvAlgoSearch.parse(i.cudnnConvAlgoSearch))
                    .heatmapEvery(i.heatmapEvery)
                    .dataDir(Path.of(c.dataDir))
                    .alerts(new AlertSettings(a.cautionMm, a.warningMm, a.criticalMm, a.hysteresisMm, a.cautionPx,
                            a.warningPx, a.criticalPx, a.hysteresisPx, a.holdMs, a.lookAheadMs,
                            Annotations.ALERT_WARNING, a.minTipConfidence))
                    .tracker(new TipTracker.Config(d.confirmHits(), i.lostAfterMisses, d.measurementNoisePx(),
                            d.accelerationNoise(), d.gateChi2(), d.maxJumpPx(), d.initialSpeedSigma()))
                    .zoneSmoothing(zoneSmoothing(i.zoneSmoothing));
            if (!i.modelsDir.isBlank()) {
                s.modelsDir(Path.of(i.modelsDir));
            }
            i.thresholds.forEach(s::threshold);
            s.remote(remote(i));
            return s.conclude();
        } catch (IllegalArgumentException e) {
            throw new UserError("inference: " + e.getMessage(), e);
        }
    }

    private static ZoneSmoother.Config zoneSmoothing(IntravisConfig.ZoneSmoothing z) {
        return z.enabled ? new ZoneSmoother.Config(z.weight, z.resetBelowOverlap, z.maxGapMs) : ZoneSmoother.Config.OFF;
    }

    /** The inference server's settings when {@code inference.backend} is {@code remote}, else null. */
    static RemoteSettings remote(IntravisConfig.Inference i) {
        String backend = i.backend == null ? "" : i.backend.trim().toLowerCase(java.util.Locale.ROOT);
        if (backend.equals("local")) {
            return null;
        }
        if (!backend.equals("remote")) {
            throw new UserError("inference.backend must be local or remote, was '" + i.backend + "'");
        }
        IntravisConfig.Remote r = i.remote;
        String token = "";
        if (!r.tokenFile.isBlank()) {
            try {
                token = java.nio.file.Files.readString(Path.of(r.tokenFile)).trim();
            } catch (java.io.IOException e) {
                throw new UserError("cannot read inference.remote.tokenFile " + r.tokenFile + ": " + e.getMessage(), e);
            }
        } else if (System.getenv("INTRAVIS_INFERENCE_TOKEN") != null) {
            token = System.getenv("INTRAVIS_INFERENCE_TOKEN").trim();
        }
        Path trust = null;
        if (!r.trustCert.isBlank()) {
            trust = Path.of(r.trustCert);
            if (!java.nio.file.Files.isReadable(trust)) {
                throw new UserError("inference.remote.trustCert " + r.trustCert + " cannot be read");
            }
        }
        return new RemoteSettings(r.url, r.models, r.model, trust, token, r.maxInFlight, r.connectTimeoutMs,
                r.fallback, r.reconnectInitialMs, r.reconnectMaxMs);
    }

    /** The recorders' settings from the recording section. */
    public static RecordingSettings recording(IntravisConfig c) {
        IntravisConfig.Recording r = c.recording;
        try {
            RecordingSettings s = new RecordingSettings()
                    .dir(recordingsDir(c))
                    .segmentSeconds(r.segmentSeconds)
                    .codec(VideoCodec.byName(r.codec))
                    .bufferFrames(r.bufferFrames)
                    .minFreeBytes(r.minFreeMb << 20)
                    .encoderThreads(r.encoderThreads)
                    .h264BitrateBps(r.h264BitrateKbps * 1000)
                    .lowConfidence(Annotations.LOW_CONFIDENCE);
            for (Map.Entry<String, List<IntravisConfig.Rect>> e : r.deidentify.entrySet()) {
                List<RecordingSettings.Region> regions = new ArrayList<>();
                for (IntravisConfig.Rect rect : e.getValue()) {
                    regions.add(new RecordingSettings.Region(rect.x, rect.y, rect.width, rect.height));
                }
                s.deidentify(e.getKey(), regions);
            }
            return s.conclude();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage().startsWith("recording") ? e.getMessage()
                    : "recording: " + e.getMessage(), e);
        }
    }

    /** The recordings folder: {@code recording.dir}, under {@code dataDir} unless absolute. */
    static Path recordingsDir(IntravisConfig c) {
        Path d = Path.of(c.recording.dir);
        return (d.isAbsolute() ? d : Path.of(c.dataDir).resolve(d)).toAbsolutePath().normalize();
    }

    /** The OpenIGTLink server's settings, or null when it is off; stream ids must fit its device names then. */
    public static IgtlServerSettings igtl(IntravisConfig c) {
        IntravisConfig.OpenIgtLink o = c.openigtlink;
        if (o.port == -1) {
            return null;
        }
        try {
            for (IntravisConfig.Stream s : c.streams) {
                new IgtlDeviceNames(s.id);
            }
            return new IgtlServerSettings().host(o.host).port(o.port).protocol(o.protocol)
                    .allowedClients(o.allowedClients == null ? java.util.List.of() : o.allowedClients).conclude();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage().startsWith("openigtlink") ? e.getMessage() : "openigtlink: " + e.getMessage(), e);
        }
    }
}
