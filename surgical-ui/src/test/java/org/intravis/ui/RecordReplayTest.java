package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.lmax.disruptor.EventHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.intravis.capture.FrameSources;
import org.intravis.capture.RecordedFrames;
import org.intravis.capture.SourceUri;
import org.intravis.capture.ffmpeg.RecordingSource;
import org.intravis.inference.InferenceService;
import org.intravis.inference.StreamRegistration;
import org.intravis.inference.ZoneStore;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.RecordingLayout;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.VideoSink;
import org.intravis.streamer.OverlayJson;
import org.intravis.streamer.Recorder;
import org.intravis.streamer.RecordingInfo;
import org.intravis.streamer.RecordingSettings;
import org.intravis.streamer.RecordingStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session recorded from the synthetic ultrasound phantom with its ground-truth overlay (tips, zones, distances,
 * alerts, through the real inference service) replays through a real pipeline with the same frames, in order,
 * each shown with the same overlay, of the same age and freshness, as the live video branch showed it.
 */
class RecordReplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** What a video branch showed with one frame. */
    record Shown(String overlay, long ageMs, boolean fresh) {
    }

    /** The overlay attached to a slot, without what differs between live and replay (frame ids, clock times). */
    static String normalised(Annotations a) {
        ByteBuf buf = Unpooled.buffer(4096);
        new OverlayJson("s", 0.5).writeOverlay(buf, a);
        try {
            ObjectNode n = (ObjectNode) JSON.readTree(buf.toString(java.nio.charset.StandardCharsets.UTF_8));
            for (String f : List.of("frameId", "captureUs", "preprocessedUs", "inferredUs", "publishedUs", "sentUs", "heatmap")) {
                n.remove(f);
            }
            return n.toString();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            buf.release();
        }
    }

    /** Records {@code seconds} of the phantom (counted in its frames at 30 fps) with its ground-truth overlay. */
    static Path record(Path root, double seconds) throws Exception {
        IntravisConfig cfg = new IntravisConfig();
        cfg.dataDir = root.toString();
        // a no-go zone over most of the picture: the phantom's needle (in from about 2 s) raises alerts in it
        ZoneStore zones = new ZoneStore(null);
        zones.add("us1", "test zone", new double[][]{{20, 20}, {300, 20}, {300, 220}, {20, 220}});
        InferenceService inference = new InferenceService(ModuleSettings.inference(cfg), zones);
        FrameSource source = FrameSources.create("synthetic:ultrasound?width=320&height=240&fps=30");
        source.open();
        Recorder recorder = new Recorder("us1", new RecordingSettings().dir(root.resolve("rec")).segmentSeconds(1)
                .minFreeBytes(0).conclude(), source.geometry(), () -> new RecordingInfo(source.uri(), false, 30,
                source.pixelSpacingMm(), "ground-truth", List.of(), Map.of(), "intravis test"));
        Map<Long, Shown> live = new ConcurrentHashMap<>();
        VideoSink liveSink = slot -> live.put(slot.frameId(),
                new Shown(normalised(slot.annotations()), slot.overlayAgeMillis(), slot.overlayFresh()));
        StreamPipeline.Context ctx = new StreamPipeline.Context().streamId("us1").source(source).videoSink(liveSink)
                .readerAfterVideo("record-read", recorder);
        StreamPipeline pipeline = new StreamPipeline(ctx.conclude());
        ctx.inferenceFeed(inference.register(new StreamRegistration("us1", 0, pipeline.annotations(),
                pipeline.counters(), pipeline.latency(), source.pixelSpacingMm(), StreamRegistration.GROUND_TRUTH)));
        RecordingStatus st;
        try {
            pipeline.start();
            org.awaitility.Awaitility.await("frames flowing").atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> live.size() >= 5);
            assertThat(recorder.start().state()).isEqualTo("recording");
            // as many frames as the phantom makes in that time, however long the machine takes to write them
            long wanted = Math.round(seconds * 30);
            org.awaitility.Awaitility.await(wanted + " frames recorded").atMost(java.time.Duration.ofSeconds(120))
                    .until(() -> recorder.status().framesWritten() >= wanted);
            st = recorder.stop();
        } finally {
            pipeline.close();
            recorder.close();
            inference.close();
        }
        assertThat(st.error()).isEmpty();
        LIVE.put(Path.of(st.directory()), live);
        return Path.of(st.directory());
    }

    static final Map<Path, Map<Long, Shown>> LIVE = new ConcurrentHashMap<>();

    @Test
    void aRecordingReplaysWithTheSameFramesAndTheSameOverlays() throws Exception {
        Path session = record(dir, 3.5);
        Map<Long, Shown> live = LIVE.get(session);
        JsonNode manifest = JSON.readTree(session.resolve(RecordingLayout.MANIFEST).toFile());
        long recordedFrames = manifest.get("framesWritten").asLong();
        assertThat(recordedFrames).isGreaterThan(60);
        assertThat(manifest.get("segments").size()).isGreaterThanOrEqualTo(3);

        RecordingSource source = new RecordingSource(SourceUri.parse("recording:" + session + "?speed=2"));
        source.open();
        RecordedFrames frames = source.frames();
        assertThat((long) frames.count()).as("frames in the closed segments").isEqualTo(recordedFrames);
        Map<Long, Integer> positionOfTime = new HashMap<>();
        for (int i = 0; i < frames.count(); i++) {
            positionOfTime.put(frames.tUs(i), i);
        }
        List<Integer> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Shown> replayed = new ConcurrentHashMap<>();
        VideoSink replaySink = slot -> {
            Integer p = positionOfTime.get(slot.sourcePtsMicros());
            if (p != null) {
                replayed.putIfAbsent(p, new Shown(normalised(slot.annotations()), slot.overlayAgeMillis(), slot.overlayFresh()));
            }
        };
        // counts every frame the source delivers (a reader sees them all; the video branch may skip when behind)
        EventHandler<FrameSlot> counter = (slot, seq, end) -> {
            Integer p = positionOfTime.get(slot.sourcePtsMicros());
            delivered.add(p == null ? -1 : p);
        };
        StreamPipeline.Context ctx = new StreamPipeline.Context().streamId("r1").source(source).videoSink(replaySink)
                .reader("count", counter);
        StreamPipeline pipeline = new StreamPipeline(ctx.conclude());
        Replay replay = new Replay(source, pipeline.annotations());
        ctx.readerAfterVideo("replay-sync", replay.videoFollower());
        try {
            pipeline.start();
            org.awaitility.Awaitility.await("the replay reaching the end").atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> source.state().ended());
            // the last frame is held: delivered again while it shows (5 a second), which the checks below expect
            int end = frames.count() - 1;
            org.awaitility.Awaitility.await("the last frame delivered again").atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> new ArrayList<>(delivered).stream().filter(p -> p == end).count() >= 2);
        } finally {
            pipeline.close();
            replay.close();
        }
        // every recorded frame once, in order; at the end the last one is held (delivered again while it shows)
        List<Integer> order = new ArrayList<>(delivered);
        int firstRepeat = order.indexOf(frames.count() - 1) + 1;
        List<Integer> played = order.subList(0, firstRepeat);
        assertThat(played).hasSize(frames.count());
        for (int i = 0; i < played.size(); i++) {
            assertThat(played.get(i)).isEqualTo(i);
        }
        assertThat(order.subList(firstRepeat, order.size())).allMatch(p -> p == frames.count() - 1);

        int compared = 0;
        int sameAge = 0;
        int withElements = 0;
        int alerts = 0;
        for (int p = 0; p < frames.count(); p++) {
            Shown was = live.get(frames.frameId(p));
            Shown now = replayed.get(p);
            if (was == null || now == null || !frames.shown(p)) {
                continue;
            }
            compared++;
            assertThat(now.overlay()).as("overlay of recorded frame %d (position %d)", frames.frameId(p), p)
                    .isEqualTo(was.overlay());
            assertThat(now.fresh()).as("freshness at position %d", p).isEqualTo(was.fresh());
            // the replay stamps the overlay so that it is the recorded age at the frame's capture stamp, taken a
            // few microseconds later: never younger, and the same to the millisecond unless the capture thread
            // was preempted in between (a loaded machine does that to a few frames, not to most)
            assertThat(now.ageMs()).as("age at position %d", p).isGreaterThanOrEqualTo(was.ageMs());
            if (now.ageMs() == was.ageMs()) {
                sameAge++;
            }
            if (was.overlay().contains("\"zones\":[{")) {
                withElements++;
            }
            if (!was.overlay().contains("\"alerts\":[]")) {
                alerts++;
            }
        }
        assertThat(compared).as("frames compared").isGreaterThan(frames.count() * 3 / 4);
        assertThat(sameAge).as("frames replayed with exactly their recorded overlay age").isGreaterThan(compared / 2);
        assertThat(withElements).as("frames whose overlay has zones").isGreaterThan(compared / 2);
        assertThat(alerts).as("frames shown with an alert (the needle in the no-go zone)").isPositive();
        System.out.println("record/replay: " + frames.count() + " frames, " + compared + " overlays compared, "
                + alerts + " with alerts");
    }

    @Test
    void aRecordingThatCannotBeReadIsAClearError() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        RecordingSource s = new RecordingSource(SourceUri.parse("recording:" + dir.resolve("empty")));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(s::open))
                .hasMessageContaining("has no closed segment");
        s.close();
        RecordingSource missing = new RecordingSource(SourceUri.parse("recording:" + dir.resolve("nope")));
        assertThat(org.assertj.core.api.Assertions.catchThrowable(missing::open)).hasMessageContaining("does not exist");
        missing.close();
        try (Stream<Path> ignored = Files.list(dir)) {
            assertThat(ignored.count()).isEqualTo(1);
        }
    }
}
