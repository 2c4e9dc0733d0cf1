package org.intravis.ui;

import org.intravis.ui.testing.CommandRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.pipeline.RecordingLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream whose source URI holds credentials (an RTSP camera with a user and password, a token in its query, a
 * passphrase among its options; the camera's port is closed, so it stays RECONNECTING) never shows them: not in
 * {@code /api/streams}, the recording manifest and {@code /api/recordings}, the start-up banner, a command-line
 * error, or the log.
 */
class SourceRedactionTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String URI = "rtsp://admin:hunter2@127.0.0.1:1/cam?timeoutMs=300&width=160&height=120&token=tk77";
    static final String SHOWN = "rtsp://***@127.0.0.1:1/cam?timeoutMs=300&width=160&height=120&token=***";
    static final List<String> SECRETS = List.of("hunter2", "tk77", "pp9");

    @TempDir
    static Path dir;
    static Application app;
    static final List<String> logged = new CopyOnWriteArrayList<>();
    static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(new SimpleFormatter().formatMessage(r));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() {
        Logger.getLogger("org.intravis").addHandler(capture);
        IntravisConfig c = TestApps.config(dir.resolve("data"), "cam", URI, "none");
        c.streams.get(0).options.put("passphrase", "pp9");
        app = Application.start(ModuleSettings.validate(c));
    }

    @AfterAll
    static void stop() {
        Logger.getLogger("org.intravis").removeHandler(capture);
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theStreamsApiShowsTheUriMasked() throws Exception {
        for (String path : List.of("/api/streams", "/api/streams/cam")) {
            HttpResponse<String> r = TestApps.call(app, "GET", path, null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains(SHOWN).doesNotContain(SECRETS);
        }
    }

    @Test
    void theRecordingManifestAndTheRecordingsListShowItMasked() throws Exception {
        HttpResponse<String> started = TestApps.call(app, "POST", "/api/streams/cam/recording/start", null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        try {
            Path manifest;
            try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
                manifest = files.filter(p -> p.getFileName().toString().equals(RecordingLayout.MANIFEST)).findFirst()
                        .orElseThrow();
            }
            String text = Files.readString(manifest);
            assertThat(text).doesNotContain(SECRETS);
            JsonNode m = JSON.readTree(text);
            assertThat(m.path("source").path("uri").asText()).isEqualTo(SHOWN);
            JsonNode stream = m.path("configuration").path("streams").get(0);
            assertThat(stream.path("source").asText()).isEqualTo(SHOWN);
            assertThat(stream.path("options").path("passphrase").asText()).isEqualTo("***");
            HttpResponse<String> list = TestApps.call(app, "GET", "/api/recordings", null);
            assertThat(list.body()).contains(SHOWN).doesNotContain(SECRETS);
        } finally {
            TestApps.call(app, "POST", "/api/streams/cam/recording/stop", null);
        }
    }

    @Test
    void theLogShowsItMasked() {
        assertThat(logged).anySatisfy(line -> assertThat(line).contains("stream cam: rtsp://***@127.0.0.1:1/cam"));
        assertThat(logged).allSatisfy(line -> assertThat(line).doesNotContain(SECRETS));
        // and the console handler masks what any library logs with a URI in it
        LogSetup.apply();
        Handler console = Logger.getLogger("").getHandlers()[0];
        assertThat(console.getFormatter()).isInstanceOf(LogSetup.Redacting.class);
        String line = console.getFormatter().format(new LogRecord(Level.WARNING, "failed to open " + URI));
        assertThat(line).contains("failed to open " + SHOWN).doesNotContain(SECRETS);
    }

    @Test
    void theBannerAndCommandLineErrorsShowItMasked() {
        CommandRun.Result ok = CommandLineErrorsTest.run("run", "--source", "cam=" + URI, "--no-inference",
                "--host", "127.0.0.1", "--port", "0", "--duration", "0.5", "--data-dir", dir.resolve("cli").toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("cam      " + SHOWN).doesNotContain(SECRETS);
        assertThat(ok.err()).doesNotContain(SECRETS);
        CommandRun.Result bad = CommandLineErrorsTest.run("run", "--source",
                "rtsp://admin:hunter2@127.0.0.1:1/cam?timeoutMs=soon&token=tk77", "--port", "0", "--duration", "0.5");
        assertThat(bad.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(bad.err()).contains("timeoutMs=soon").contains("rtsp://***@127.0.0.1:1/cam").doesNotContain(SECRETS);
    }
}
