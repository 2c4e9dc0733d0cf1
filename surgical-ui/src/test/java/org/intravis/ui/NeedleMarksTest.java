package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.capture.RecordedFrames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.absdiff;
import static org.bytedeco.opencv.global.opencv_core.mean;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

/**
 * Needle marks on a paused replay, over the real server's REST routes (the page's part is in
 * {@link ReplayPageBrowserTest}): the frame kept is the recorded frame marked, checked against that frame cut from
 * the recording's video by the ffmpeg program (an independent decoder); the labels are written in the form the
 * needle training reads ({@code needle_data.load_clip}: frames/, labels.json with frame, file, split, needle, tip,
 * end, shaftWidthPx); a playing replay, a point off the frame and a malformed body are refused; marks survive a
 * restart of the store; removing takes the frame's picture too.
 */
class NeedleMarksTest {
    static final String STREAM = "r1";
    static final String MARKS = "/api/streams/" + STREAM + "/replay/needle-marks";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path session;
    static RecordedFrames frames;
    static Application app;

    @BeforeAll
    static void start() throws Exception {
        session = RecordReplayTest.record(dir, 3.0);
        frames = RecordedFrames.load(session);
        IntravisConfig c = TestApps.config(dir.resolve("app"), STREAM, "recording:" + session + "?loop=true", "none");
        app = Application.start(ModuleSettings.validate(c));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    static JsonNode replay() throws Exception {
        return JSON.readTree(TestApps.call(app, "GET", "/api/streams/" + STREAM + "/replay", null).body());
    }

    static void pauseAt(int position) throws Exception {
        TestApps.call(app, "POST", "/api/streams/" + STREAM + "/replay", "{\"action\":\"pause\"}");
        TestApps.call(app, "POST", "/api/streams/" + STREAM + "/replay",
                "{\"action\":\"seek\",\"position\":" + position + "}");
        org.awaitility.Awaitility.await("paused at " + position).atMost(java.time.Duration.ofSeconds(10))
                .until(() -> replay().path("paused").asBoolean() && replay().path("position").asInt() == position);
    }

    static HttpResponse<String> mark(String body) throws Exception {
        return TestApps.call(app, "POST", MARKS, body);
    }

    /** The recorded frame at {@code position}, cut from its segment's video by the ffmpeg program. */
    static Mat recordedFrame(int position) throws Exception {
        int k = frames.segmentOf(position);
        int i = position - frames.segmentStart(k);
        Path out = dir.resolve("ffmpeg-" + position + ".png");
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-i", frames.video(k).toString(),
                "-vf", "select=eq(n\\," + i + ")", "-frames:v", "1", "-pix_fmt", "gray", out.toString())
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("ffmpeg: %s", said).isZero();
        return imread(out.toString(), IMREAD_GRAYSCALE);
    }

    static double meanDifference(Mat a, Mat b) {
        try (Mat d = new Mat()) {
            absdiff(a, b, d);
            return mean(d).get(0);
        }
    }

    @Test
    void aMarkKeepsTheRecordedFrameAndItsTipInTheTrainingsForm() throws Exception {
        TestApps.call(app, "POST", "/api/streams/" + STREAM + "/replay", "{\"action\":\"play\"}");
        org.awaitility.Awaitility.await("playing").atMost(java.time.Duration.ofSeconds(10))
                .until(() -> !replay().path("paused").asBoolean());
        HttpResponse<String> playing = mark("{\"position\":0,\"tip\":[100,100],\"end\":[300,10]}");
        assertThat(playing.statusCode()).as(playing.body()).isEqualTo(409);
        assertThat(playing.body()).contains("pause the replay");

        int p = frames.count() / 2;
        pauseAt(p);
        HttpResponse<String> other = mark("{\"position\":" + (p + 1) + ",\"tip\":[100,100],\"end\":[300,10]}");
        assertThat(other.statusCode()).as("not the frame on screen").isEqualTo(409);
        HttpResponse<String> off = mark("{\"position\":" + p + ",\"tip\":[100,400],\"end\":[300,10]}");
        assertThat(off.statusCode()).isEqualTo(400);
        assertThat(off.body()).contains("not on the 320x240 frame");
        for (String bad : new String[] {"", "[]", "{\"tip\":[1,2],\"end\":[3,4]}", "{\"position\":-1,\"needle\":false}",
                "{\"position\":" + p + ",\"tip\":[1],\"end\":[3,4]}", "{\"position\":" + p + ",\"tip\":[1,2]}"}) {
            assertThat(mark(bad).statusCode()).as(bad).isEqualTo(400);
        }

        HttpResponse<String> ok = mark("{\"position\":" + p + ",\"tip\":[150.5,120.25],\"end\":[300,12]}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode listing = JSON.readTree(ok.body());
        assertThat(listing.path("frames").asInt()).isEqualTo(1);
        assertThat(listing.path("withNeedle").asInt()).isEqualTo(1);
        Path folder = Path.of(listing.path("folder").asText());
        assertThat(folder).isEqualTo(dir.resolve("app").resolve("needle-marks").resolve(session.getFileName()));

        // labels.json as needle_data.load_clip reads it
        JsonNode labels = JSON.readTree(folder.resolve("labels.json").toFile());
        assertThat(labels.path("shaftWidthPx").asDouble()).isEqualTo(6.0);
        JsonNode f = labels.path("frames").get(0);
        assertThat(f.path("frame").asInt()).isEqualTo(p + 1);
        assertThat(f.path("split").asText()).isEqualTo("tune");
        assertThat(f.path("needle").asBoolean()).isTrue();
        assertThat(f.path("tip").get(0).asDouble()).isEqualTo(150.5);
        assertThat(f.path("tip").get(1).asDouble()).isEqualTo(120.25);
        assertThat(f.path("end").get(0).asDouble()).isEqualTo(300.0);
        assertThat(f.path("file").asText()).matches(".*_\\d{5}\\.png").endsWith(String.format("_%05d.png", p + 1));

        // the picture kept is the recorded frame p: the same pixels as ffmpeg's cut of p (measured: a mean difference
        // of 0.00 grey levels), and its neighbours' differ (0.21-0.46: the phantom moves slowly)
        Mat kept = imread(folder.resolve("frames").resolve(f.path("file").asText()).toString(), IMREAD_GRAYSCALE);
        assertThat(kept.cols()).isEqualTo(320);
        assertThat(kept.rows()).isEqualTo(240);
        double same = meanDifference(kept, recordedFrame(p));
        List<Double> neighbours = new ArrayList<>();
        for (int q : new int[] {p - 2, p - 1, p + 1, p + 2}) {
            neighbours.add(meanDifference(kept, recordedFrame(q)));
        }
        assertThat(same).as("grey levels off frame %d's own picture", p).isLessThan(0.02);
        assertThat(neighbours).as("the neighbours differ (else this could not tell frames apart)")
                .allSatisfy(d -> assertThat(d).isGreaterThan(0.1));

        // a needle-free frame next, then the first frame's mark replaced
        pauseAt(p + 3);
        JsonNode two = JSON.readTree(mark("{\"position\":" + (p + 3) + ",\"needle\":false}").body());
        assertThat(two.path("frames").asInt()).isEqualTo(2);
        assertThat(two.path("withNeedle").asInt()).isEqualTo(1);
        pauseAt(p);
        JsonNode again = JSON.readTree(mark("{\"position\":" + p + ",\"tip\":[160,130],\"end\":[310,14]}").body());
        assertThat(again.path("frames").asInt()).as("marked again: replaced").isEqualTo(2);
        assertThat(again.path("marks").get(0).path("tip").get(0).asDouble()).isEqualTo(160.0);

        // the store reads its folder back (a restarted server keeps the marks)
        NeedleMarks reread = new NeedleMarks(folder, session.getFileName().toString());
        assertThat(reread.marks()).hasSize(2);
        assertThat(reread.marks().get(0).tip()).containsExactly(160.0, 130.0);
        assertThat(reread.marks().get(1).needle()).isFalse();

        // removing takes the frame's picture too; a second removal finds nothing
        String file = JSON.readTree(folder.resolve("labels.json").toFile()).path("frames").get(1).path("file").asText();
        assertThat(folder.resolve("frames").resolve(file)).exists();
        HttpResponse<String> removed = TestApps.call(app, "DELETE", MARKS + "?position=" + (p + 3), null);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(JSON.readTree(removed.body()).path("frames").asInt()).isEqualTo(1);
        assertThat(folder.resolve("frames").resolve(file)).doesNotExist();
        assertThat(TestApps.call(app, "DELETE", MARKS + "?position=" + (p + 3), null).statusCode()).isEqualTo(404);
        assertThat(TestApps.call(app, "DELETE", MARKS + "?position=x", null).statusCode()).isEqualTo(400);
        assertThat(Files.list(folder).map(x -> x.getFileName().toString()).toList())
                .as("nothing half-written left").noneMatch(n -> n.endsWith(".tmp"));

        // each change is in the audit trail
        JsonNode audit = JSON.readTree(TestApps.call(app, "GET", "/api/audit?limit=1000", null).body());
        List<String> actions = new ArrayList<>();
        audit.get("entries").forEach(e -> actions.add(e.get("action").asText()));
        assertThat(actions).contains("replay.needle-mark", "replay.needle-unmark");
    }

    /**
     * The page names the picture it shows by its frame id: the replay's position as the page last read it is a frame
     * behind right after a step. The mark lands on that picture's recorded frame; an id the server no longer knows, or
     * one that is not the position also given, is refused. Leaves no mark behind (the tests share the session).
     */
    @Test
    void aMarkNamesThePictureShownByItsFrameId() throws Exception {
        int q = frames.count() / 4;
        pauseAt(q);
        Engine.EngineStream s = app.engine().stream(STREAM).orElseThrow();
        long[] shown = new long[1];
        org.awaitility.Awaitility.await("a still of frame " + q).atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            FrameSnapshots.Snapshot snap = s.snapshots().read();
            shown[0] = snap == null ? -1 : snap.frameId();
            return snap != null && s.replay().positionOf(snap.frameId()) == q;
        });
        long f = shown[0];

        assertThat(mark("{\"frameId\":" + f + ",\"position\":" + (q + 1) + ",\"needle\":false}").statusCode())
                .as("the picture shown is not that position").isEqualTo(409);
        HttpResponse<String> unknown = mark("{\"frameId\":" + (f + 1_000_000) + ",\"needle\":false}");
        assertThat(unknown.statusCode()).isEqualTo(409);
        assertThat(unknown.body()).contains("mark again");
        for (String bad : new String[] {"{\"frameId\":-1,\"needle\":false}", "{\"frameId\":\"x\",\"needle\":false}",
                "{\"frameId\":" + f + ",\"position\":-3,\"needle\":false}"}) {
            assertThat(mark(bad).statusCode()).as(bad).isEqualTo(400);
        }

        HttpResponse<String> ok = mark("{\"frameId\":" + f + ",\"tip\":[150,120],\"end\":[300,12]}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        List<Integer> marked = new ArrayList<>();
        JSON.readTree(ok.body()).path("marks").forEach(m -> marked.add(m.path("position").asInt()));
        assertThat(marked).contains(q);
        assertThat(TestApps.call(app, "DELETE", MARKS + "?frameId=x", null).statusCode()).isEqualTo(400);
        HttpResponse<String> removed = TestApps.call(app, "DELETE", MARKS + "?frameId=" + f, null);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        List<Integer> left = new ArrayList<>();
        JSON.readTree(removed.body()).path("marks").forEach(m -> left.add(m.path("position").asInt()));
        assertThat(left).doesNotContain(q);

        // a step is answered once the replay shows the frame stepped to (the capture thread applies it with its next
        // frame): a mark sent on that answer finds the replay there, not a frame behind
        HttpResponse<String> stepped = TestApps.call(app, "POST", "/api/streams/" + STREAM + "/replay",
                "{\"action\":\"step\",\"frames\":1}");
        assertThat(JSON.readTree(stepped.body()).path("position").asInt()).isEqualTo(q + 1);
        assertThat(mark("{\"position\":" + (q + 1) + ",\"needle\":false}").statusCode()).isEqualTo(200);
        assertThat(TestApps.call(app, "DELETE", MARKS + "?position=" + (q + 1), null).statusCode()).isEqualTo(200);
    }

    @Test
    void anUnreadableLabelsFileIsKeptAsideAndMarkingGoesOn() throws Exception {
        Path folder = dir.resolve("damaged");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("labels.json"), "{\"frames\": [ {\"frame\": 3, \"needle\": tr");
        NeedleMarks store = new NeedleMarks(folder, "damaged");
        assertThat(store.marks()).isEmpty();
        assertThat(store.setAside()).contains("could not be read").contains("labels.json.unreadable-");
        List<Path> kept;
        try (var s = Files.list(folder)) {
            kept = s.filter(p -> p.getFileName().toString().startsWith("labels.json.unreadable-")).toList();
        }
        assertThat(kept).hasSize(1);
        assertThat(Files.readString(kept.get(0))).as("nothing lost").endsWith("\"needle\": tr");
        FrameSnapshots.Snapshot picture = new FrameSnapshots.Snapshot(1, 4, 3, org.intravis.pipeline.PixelFormat.GRAY8,
                new byte[12]);
        store.put(2, new double[] {1, 1}, new double[] {3, 2}, picture, "t");
        assertThat(new NeedleMarks(folder, "damaged").marks()).hasSize(1);
        assertThat(new NeedleMarks(folder, "damaged").setAside()).isNull();
    }

    @Test
    void aLiveStreamHasNoMarks() throws Exception {
        Path other = dir.resolve("live");
        Application live = Application.start(ModuleSettings.validate(TestApps.config(other, "us1",
                "synthetic:ultrasound?width=320&height=240&fps=15", "none")));
        try {
            HttpResponse<String> r = TestApps.call(live, "GET", "/api/streams/us1/replay/needle-marks", null);
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("is not a replay");
        } finally {
            live.close();
        }
    }
}
