package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.pipeline.RecordingLayout;
import org.intravis.pipeline.testing.SharedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A recording that cannot be written stops with a clear status over the API while the live stream goes on: a
 * read-only folder, a disk that fills up (a real 2 MB tmpfs when the tests run as root and may mount one), and the
 * clean stop before the disk is full ({@code recording.minFreeMb}).
 */
class RecordingFailureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    Application app;
    final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        for (Path m : mounts) {
            if (run("umount", m.toString()) != 0) {
                run("umount", "-l", m.toString()); // never leave a mount behind, even if a file is still open
            }
        }
    }

    static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Mounts a tmpfs (root only); false when this machine does not allow it. */
    boolean tmpfs(Path where, String options) throws Exception {
        Files.createDirectories(where);
        if (!root() || run("mount", "-t", "tmpfs", "-o", options, "tmpfs", where.toString()) != 0) {
            return false;
        }
        mounts.add(where);
        return true;
    }

    void start(Path recordings, long minFreeMb) {
        IntravisConfig c = new IntravisConfig();
        c.server.port = 0;
        c.server.host = "127.0.0.1";
        c.dataDir = dir.resolve("data").toString();
        c.streams.get(0).source = "synthetic:ultrasound?width=320&height=240&fps=30";
        c.inference.enabled = false;
        c.recording.dir = recordings.toString();
        c.recording.segmentSeconds = 1;
        c.recording.minFreeMb = minFreeMb;
        app = Application.start(ModuleSettings.validate(c));
    }

    HttpResponse<String> call(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    long framesIn() throws Exception {
        return JSON.readTree(call("GET", "/api/streams/us1").body()).get("counters").get("frames_in").asLong();
    }

    JsonNode awaitRecording(Predicate<JsonNode> until, long millis) throws Exception {
        long end = System.nanoTime() + millis * 1_000_000L;
        JsonNode s;
        do {
            Thread.sleep(100);
            s = JSON.readTree(call("GET", "/api/streams/us1/recording").body());
        } while (!until.test(s) && System.nanoTime() < end);
        return s;
    }

    void assertLiveGoesOn() throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (framesIn() == 0 && System.nanoTime() < end) {
            Thread.sleep(100); // the stats are sampled once a second
        }
        long before = framesIn();
        org.awaitility.Awaitility.await("the live stream going on").atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(200)).until(() -> framesIn() > before + 10);
        assertThat(JSON.readTree(call("GET", "/health").body()).get("streams").get("us1").asText()).isEqualTo("STREAMING");
    }

    static void assertClosedSegmentsPlay(Path session) throws Exception {
        try (Stream<Path> s = Files.list(session)) {
            for (Path p : s.filter(p -> RecordingLayout.segmentIndexOf(p.getFileName().toString()) > 0).toList()) {
                int index = RecordingLayout.segmentIndexOf(p.getFileName().toString());
                assertThat(Long.parseLong(RecorderProbe.probe(p)[1]))
                        .isEqualTo(Files.readAllLines(RecordingLayout.frames(session, index)).size());
            }
        }
    }

    @Test
    void aReadOnlyFolderIsRefusedWithAClearStatus() throws Exception {
        Path ro = dir.resolve("ro");
        if (!tmpfs(ro, "ro,size=1m")) {
            if (!root()) { // permissions do the job (they do not stop root)
                Files.createDirectories(ro);
                ro.toFile().setWritable(false, false);
            } else { // root that may not mount: the project's shared data folder, read-only where it exists
                Path shared = SharedData.require(".");
                Assumptions.assumeTrue(!Files.isWritable(shared),
                        "skipped: root without mount rights, and the shared data " + shared + " is writable");
                ro = shared;
            }
        }
        start(ro.resolve("recordings"), 0);
        HttpResponse<String> r = call("POST", "/api/streams/us1/recording/start");
        assertThat(r.statusCode()).isEqualTo(409);
        JsonNode st = JSON.readTree(r.body());
        assertThat(st.get("state").asText()).isEqualTo("failed");
        assertThat(st.get("error").asText()).containsAnyOf("Read-only file system", "permission denied")
                .contains(ro.toString());
        assertThat(JSON.readTree(call("GET", "/api/streams/us1/recording").body()).get("state").asText())
                .isEqualTo("failed");
        assertLiveGoesOn();
    }

    @Test
    void aFullDiskStopsTheRecordingWhileTheStreamGoesOn() throws Exception {
        Path small = dir.resolve("small");
        Assumptions.assumeTrue(tmpfs(small, "size=2m"),
                "mounting a 2 MB tmpfs needs root; the minFreeMb guard test covers the rest");
        start(small, 0); // no guard: the disk really fills up
        HttpResponse<String> r = call("POST", "/api/streams/us1/recording/start");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode st = awaitRecording(s -> s.get("state").asText().equals("failed"), 20_000);
        assertThat(st.get("state").asText()).isEqualTo("failed");
        assertThat(st.get("error").asText()).contains("No space left on device");
        assertLiveGoesOn();
        assertClosedSegmentsPlay(Path.of(st.get("directory").asText()));
    }

    @Test
    void recordingStopsCleanlyBeforeTheDiskIsFull() throws Exception {
        Path disk = dir.resolve("disk");
        long minFreeMb;
        if (tmpfs(disk, "size=6m")) {
            minFreeMb = 3;
        } else { // not root: the real disk, with the threshold just under its free space
            Files.createDirectories(disk);
            minFreeMb = Files.getFileStore(disk).getUsableSpace() / (1 << 20) - 2;
        }
        start(disk, minFreeMb);
        assertThat(call("POST", "/api/streams/us1/recording/start").statusCode()).isEqualTo(200);
        JsonNode st = awaitRecording(s -> s.get("state").asText().equals("failed"), 30_000);
        assertThat(st.get("state").asText()).isEqualTo("failed");
        assertThat(st.get("error").asText()).contains("disk nearly full").contains("recording.minFreeMb=" + minFreeMb);
        Path session = Path.of(st.get("directory").asText());
        try (Stream<Path> s = Files.list(session)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("the open segment was closed, not lost")
                    .noneMatch(n -> n.endsWith(RecordingLayout.PARTIAL_SUFFIX));
        }
        assertThat(st.get("segments").size()).isPositive();
        assertClosedSegmentsPlay(session);
        JsonNode manifest = JSON.readTree(session.resolve(RecordingLayout.MANIFEST).toFile());
        assertThat(manifest.get("state").asText()).isEqualTo("failed");
        assertThat(manifest.get("error").asText()).contains("disk nearly full");
        assertThat(st.get("segmentCount").asInt()).isEqualTo(manifest.get("segments").size());
        assertLiveGoesOn();
    }
}
