package org.intravis.ui;

import org.intravis.ui.testing.CommandRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The application as a user starts it: real synthetic source, real server, real HTTP. */
class ApplicationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    static Path data;
    private static Application app;

    @BeforeAll
    static void start() {
        app = TestApps.start(TestApps.config(data, "us1", "synthetic:ultrasound?width=640&height=360&fps=30", "none"));
    }

    @AfterAll
    static void stop() {
        TestApps.stop(app);
    }

    static HttpResponse<String> get(String path) throws Exception {
        return TestApps.call(app, "GET", path, null);
    }

    @Test
    void streamsReportFramesFlowing() throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        JsonNode s;
        do {
            Thread.sleep(200);
            HttpResponse<String> r = get("/api/streams");
            assertThat(r.statusCode()).isEqualTo(200);
            s = JSON.readTree(r.body()).get(0);
        } while ((s.get("fpsOut").asDouble() <= 0 || s.get("counters").get("frames_in").asLong() < 30)
                && System.nanoTime() < deadline);
        assertThat(s.get("id").asText()).isEqualTo("us1");
        assertThat(s.get("status").asText()).isEqualTo("STREAMING");
        assertThat(s.get("resolution").asText()).isEqualTo("640x360");
        assertThat(s.get("fpsIn").asDouble()).isPositive();
        assertThat(s.get("fpsOut").asDouble()).isPositive();
        assertThat(s.get("counters").get("video_out").asLong()).isPositive();
    }

    @Test
    void metricsAreInPrometheusFormat() throws Exception {
        // the sampler reports once a second: wait for a report that counted frames
        HttpResponse<String> r = org.awaitility.Awaitility.await("metrics with frames counted")
                .atMost(java.time.Duration.ofSeconds(30)).until(() -> get("/metrics"),
                        m -> m.body().lines().anyMatch(l -> l.matches("intravis_frames_in_total\\{stream=\"us1\"} [1-9].*")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        List<String> lines = r.body().lines().toList();
        assertThat(lines).anyMatch(l -> l.startsWith("intravis_source_up{stream=\"us1\"} 1"));
        // every sample line is "name{labels} number"
        assertThat(lines.stream().filter(l -> !l.startsWith("#")))
                .allMatch(l -> l.matches("[a-z_]+(\\{[^}]*})? -?[0-9.]+(E-?[0-9]+)?"));
    }

    @Test
    void healthAndStillFrame() throws Exception {
        assertThat(JSON.readTree(get("/health").body()).get("streams").get("us1").asText()).isEqualTo("STREAMING");
        HttpResponse<byte[]> jpeg = HTTP.send(HttpRequest.newBuilder(
                URI.create(TestApps.url(app, "/api/streams/us1/snapshot.jpg")))
                        .timeout(java.time.Duration.ofSeconds(30)).build(), // a hang fails here, not at the 5-min limit
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(jpeg.statusCode()).isEqualTo(200);
        assertThat(jpeg.body()).startsWith((byte) 0xFF, (byte) 0xD8); // JPEG SOI
        assertThat(get("/api/streams/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void aBusyPortIsAClearError() throws Exception {
        // the port is taken on every interface, so loopback (where a server without tokens listens) is busy too
        try (ServerSocket taken = new ServerSocket(0)) {
            CommandRun.Result r = CommandLineErrorsTest.run("run", "--source",
                    "synthetic:ultrasound?width=320&height=240", "--no-inference",
                    "--port", String.valueOf(taken.getLocalPort()), "--duration", "1");
            assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
            assertThat(r.err()).contains("port " + taken.getLocalPort()).contains("already in use")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aMissingFileIsAClearError() {
        CommandRun.Result r = CommandLineErrorsTest.run("run", "--source",
                "file:" + Path.of("no", "such", "video.mp4").toAbsolutePath(), "--port", "0", "--duration", "1");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("video.mp4").doesNotContain("\tat ");
    }

    @Test
    void anUnreadableVideoIsAClearError(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.mp4");
        java.nio.file.Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        CommandRun.Result r = CommandLineErrorsTest.run("run", "--source", "file:" + junk,
                "--port", "0", "--duration", "1");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("junk.mp4").doesNotContain("\tat ");
    }
}
