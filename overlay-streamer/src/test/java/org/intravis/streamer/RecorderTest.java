package org.intravis.streamer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.PipelineClock;
import org.intravis.pipeline.RecordingLayout;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.testing.StandInSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
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
 * The recorder on a real pipeline: real FFmpeg encoders and Matroska files read back by the ffprobe and ffmpeg
 * command-line tools, the overlay the video branch attached recorded per frame, lossless pixels, de-identified
 * rectangles, and segments that a player reads one by one.
 */
class RecorderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int W = 320;
    static final int H = 240;

    @TempDir
    Path dir;
    StreamPipeline pipeline;
    Recorder recorder;
    Thread annotator;
    volatile boolean annotating = true;
    /** What the annotator published, by frame id: the tip's x. */
    final Map<Long, Float> publishedTipX = new ConcurrentHashMap<>();

    @AfterEach
    void stop() throws Exception {
        annotating = false;
        if (annotator != null) {
            annotator.join(2000);
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (recorder != null) {
            recorder.close();
        }
    }

    void start(RecordingSettings settings) {
        StandInSource source = TestFrames.source(W, H, 30);
        source.open();
        recorder = new Recorder("s1", settings.conclude(), source.geometry(), () -> new RecordingInfo("test:pattern",
                true, 30, 0.1, "test-model", List.of(new RecordingInfo.ModelFile("test-model", "memory", "00ff")),
                Map.of("pipeline", Map.of("ringSize", 16)), "intravis test"));
        StreamPipeline.Context ctx = new StreamPipeline.Context().streamId("s1").source(source)
                .readerAfterVideo("record-read", recorder).conclude();
        pipeline = new StreamPipeline(ctx);
        pipeline.start();
        annotator = new Thread(this::annotate, "test-annotator");
        annotator.start();
    }

    /** Stands in for a model: publishes a tip on the newest frame every 40 ms, with an alert every other time. */
    void annotate() {
        Annotations a = new Annotations();
        int n = 0;
        while (annotating) {
            long id = pipeline.cursor();
            if (id >= 0) {
                long now = System.nanoTime();
                a.clear();
                a.status(Annotations.Status.VALID).frameId(id).capturedNanos(now)
                        .captureEpochMicros(PipelineClock.epochMicros(now)).frameSize(W, H)
                        .model("test-model", "7", "cpu");
                float x = 10 + (id % 280);
                a.addTip(1, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, x, 100, 3, 0, 0.9f);
                int z = a.beginZone(5, Annotations.ZONE_VESSEL, false, 0.8f, 400);
                a.addZonePoint(100, 100);
                a.addZonePoint(140, 100);
                a.addZonePoint(120, 130);
                if (z >= 0 && (n++ & 1) == 0) {
                    a.addDistance(1, 0, 12.5f, 1.25f, -1);
                    a.addAlert(42, Annotations.ALERT_WARNING, Annotations.ALERT_KIND_PROXIMITY, 1, 0,
                            Annotations.ZONE_VESSEL, 1.25f, 12.5f);
                }
                a.publishedNanos(System.nanoTime());
                publishedTipX.put(id, x);
                pipeline.annotations().publish(a);
            }
            try {
                Thread.sleep(40);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static RecordingSettings settings(Path dir) {
        return new RecordingSettings().dir(dir).segmentSeconds(1).minFreeBytes(0);
    }

    static void waitFor(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    /** ffprobe: codec name and the number of frames decoded. */
    static String[] probe(Path video) throws Exception {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,nb_read_frames,width,height", "-of", "csv=p=0", video.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).as("ffprobe on %s: %s", video, out).isZero();
        return out.split(",");
    }

    static List<JsonNode> lines(Path p) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(p)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    static Path onlySession(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            List<Path> all = s.filter(Files::isDirectory).toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }

    @Test
    void segmentsPlayAndEveryFrameCarriesTheOverlayTheVideoShowed() throws Exception {
        start(settings(dir).deidentify("s1", List.of(new RecordingSettings.Region(0, 0, 64, 16))));
        RecordingStatus st = recorder.start();
        assertThat(st.state()).isEqualTo("recording");
        waitFor(4300);
        st = recorder.stop();
        assertThat(st.state()).isEqualTo("idle");
        assertThat(st.error()).isEmpty();
        Path session = onlySession(dir);
        assertThat(session.toString()).isEqualTo(st.directory());

        JsonNode manifest = JSON.readTree(session.resolve(RecordingLayout.MANIFEST).toFile());
        assertThat(manifest.get("format").asText()).isEqualTo(RecordingLayout.FORMAT);
        assertThat(manifest.get("state").asText()).isEqualTo("closed");
        assertThat(manifest.get("source").get("width").asInt()).isEqualTo(W);
        assertThat(manifest.get("model").get("files").get(0).get("sha256").asText()).isEqualTo("00ff");
        assertThat(manifest.get("video").get("codec").asText()).isEqualTo("ffvhuff");
        assertThat(manifest.get("deidentified").get(0).get("width").asInt()).isEqualTo(64);
        int segments = manifest.get("segments").size();
        assertThat(segments).as("1 s segments over 4.3 s").isGreaterThan(RecordingStatus.NAMED_SEGMENTS);
        // the status counts them all and names only the newest (pages poll it; the manifest lists them all)
        assertThat(st.segmentCount()).isEqualTo(segments);
        List<String> newest = new ArrayList<>();
        for (int i = segments - RecordingStatus.NAMED_SEGMENTS; i < segments; i++) {
            newest.add(manifest.get("segments").get(i).get("video").asText());
        }
        assertThat(st.segments()).containsExactlyElementsOf(newest);
        try (Stream<Path> s = Files.list(session)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(RecordingLayout.PARTIAL_SUFFIX));
        }

        long total = 0;
        long withOverlay = 0;
        long alerts = 0;
        long previousT = -1;
        OverlayJsonReader reader = new OverlayJsonReader();
        Annotations parsed = new Annotations();
        for (JsonNode seg : manifest.get("segments")) {
            int index = seg.get("index").asInt();
            String[] probe = probe(RecordingLayout.video(session, index));
            assertThat(probe[0]).isEqualTo("ffvhuff");
            List<JsonNode> frames = lines(RecordingLayout.frames(session, index));
            assertThat(Long.parseLong(probe[3])).as("pictures in segment %d = its frame lines", index)
                    .isEqualTo(frames.size()).isEqualTo(seg.get("frameCount").asLong());
            Map<Long, JsonNode> overlays = new HashMap<>();
            for (JsonNode o : lines(RecordingLayout.annotations(session, index))) {
                assertThat(o.get("type").asText()).isEqualTo("overlay");
                overlays.put(o.get("frameId").asLong(), o);
            }
            for (int i = 0; i < frames.size(); i++) {
                JsonNode f = frames.get(i);
                assertThat(f.get("i").asInt()).isEqualTo(i);
                assertThat(f.get("tUs").asLong()).isGreaterThanOrEqualTo(previousT);
                previousT = f.get("tUs").asLong();
                long ov = f.get("overlayFrameId").asLong();
                if (ov >= 0) {
                    withOverlay++;
                    assertThat(f.get("shown").asBoolean()).isTrue();
                    JsonNode o = overlays.get(ov);
                    assertThat(o).as("segment %d carries the overlay of frame %d", index, ov).isNotNull();
                    reader.read(o.toString(), parsed);
                    assertThat(parsed.tipX[0]).isEqualTo(publishedTipX.get(ov));
                    assertThat(parsed.modelName()).isEqualTo("test-model");
                    assertThat(ov).isLessThanOrEqualTo(f.get("frameId").asLong());
                    assertThat(f.get("overlayAgeMs").asLong()).isGreaterThanOrEqualTo(0);
                    if (f.get("alertLevel").asText().equals("warning")) {
                        alerts++;
                        assertThat(o.get("alerts").get(0).get("level").asText()).isEqualTo("warning");
                    }
                }
            }
            total += frames.size();
        }
        assertThat(total).isEqualTo(st.framesWritten()).isEqualTo(manifest.get("framesWritten").asLong());
        assertThat(total).as("about 30 fps for 2.6 s").isGreaterThan(40);
        assertThat(withOverlay).as("frames shown with an overlay").isGreaterThan(total / 2);
        assertThat(alerts).isPositive();
        assertThat(pipeline.counters().get(Counter.VIDEO_OUT)).isPositive();

        // lossless: the first recorded picture is exactly what the source drew, except the blanked rectangle
        JsonNode first = lines(RecordingLayout.frames(session, 1)).get(0);
        byte[] decoded = decodeFirstFrameGray(RecordingLayout.video(session, 1));
        ByteBuffer expected = ByteBuffer.allocate(W * H);
        TestFrames.draw(expected, first.get("frameId").asLong(), W, H);
        int mismatches = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int want = x < 64 && y < 16 ? 0 : expected.get(y * W + x) & 0xff;
                if ((decoded[y * W + x] & 0xff) != want) {
                    mismatches++;
                }
            }
        }
        assertThat(mismatches).as("pixels differing from the source (blanked rectangle expected black)").isZero();
        assertThat(expected.get(5 * W + 5) & 0xff).as("the live picture is not blanked").isGreaterThan(0);
    }

    static byte[] decodeFirstFrameGray(Path video) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-i", video.toString(), "-frames:v", "1",
                "-f", "rawvideo", "-pix_fmt", "gray", "-").start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor()).as("ffmpeg: %s", err).isZero();
        assertThat(out).hasSize(W * H);
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = VideoCodec.class, names = {"FFV1", "MJPEG", "H264"})
    void everyCodecWritesSegmentsAPlayerReads(VideoCodec codec) throws Exception {
        start(settings(dir).codec(codec).segmentSeconds(60));
        recorder.start();
        waitFor(900);
        RecordingStatus st = recorder.stop();
        assertThat(st.error()).isEmpty();
        assertThat(st.segments()).hasSize(1);
        assertThat(st.segmentCount()).isEqualTo(1);
        Path session = onlySession(dir);
        String[] probe = probe(RecordingLayout.video(session, 1));
        assertThat(probe[0]).isEqualTo(codec == VideoCodec.H264 ? "h264" : codec.configName());
        assertThat(Long.parseLong(probe[3])).isEqualTo(st.framesWritten())
                .isEqualTo(Files.readAllLines(RecordingLayout.frames(session, 1)).size());
        assertThat(st.framesWritten()).isGreaterThan(10);
    }

    @Test
    void aFolderThatCannotBeCreatedFailsAtStartAndTheVideoGoesOn() throws Exception {
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        start(settings(notADir.resolve("recordings")));
        waitFor(300);
        RecordingStatus st = recorder.start();
        assertThat(st.state()).isEqualTo("failed");
        assertThat(st.error()).contains(notADir.toString());
        long before = pipeline.counters().get(Counter.VIDEO_OUT);
        waitFor(400);
        assertThat(pipeline.counters().get(Counter.VIDEO_OUT)).as("the video goes on").isGreaterThan(before);
        assertThat(recorder.recording()).isFalse();
    }

    @Test
    void tooLittleFreeSpaceStopsCleanlyWithAClearStatus() throws Exception {
        start(settings(dir).minFreeBytes(Long.MAX_VALUE / 2));
        RecordingStatus st = recorder.start();
        assertThat(st.state()).isEqualTo("failed");
        assertThat(st.error()).contains("not enough free space").contains("recording.minFreeMb");
    }
}
