package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trainer keeps a replayed session as a teaching case over the real server's REST route (the page's box is in
 * {@link ReplayPageBrowserTest}): the file that spares it from recording retention is written, the replay state and
 * the recordings list say so, the keep is in the audit trail with the trainer's name, retention passes it by while
 * kept and removes it once released; a viewer may not keep, a malformed keep is refused.
 */
class KeptCaseTest {
    static final String STREAM = "r1";
    static final String REPLAY = "/api/streams/" + STREAM + "/replay";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path session;
    static Application app;
    static String trainer;
    static String viewer;

    @BeforeAll
    static void start() throws Exception {
        session = RecordReplayTest.record(dir, 1.0);
        Path data = dir.resolve("app");
        TokenStore tokens = new TokenStore(data);
        trainer = "Bearer " + tokens.create("dr-trainer", Role.OPERATOR).token();
        viewer = "Bearer " + tokens.create("or3-display", Role.VIEWER).token();
        IntravisConfig c = TestApps.config(data, STREAM, "recording:" + session + "?loop=true", "none");
        c.recording.dir = session.getParent().toString(); // the recordings list is of this folder
        app = TestApps.start(c);
    }

    @AfterAll
    static void stop() {
        TestApps.stop(app);
    }

    static HttpResponse<String> keep(String who, String body) throws Exception {
        return TestApps.call(app, "POST", REPLAY, body, "Authorization", who, "content-type", "application/json");
    }

    static JsonNode get(String path) throws Exception {
        return JSON.readTree(TestApps.call(app, "GET", path, null, "Authorization", viewer).body());
    }

    @Test
    void aKeptCaseOutlivesRetentionUntilReleased() throws Exception {
        assertThat(get(REPLAY).path("kept").isBoolean()).isTrue();
        assertThat(get(REPLAY).path("kept").asBoolean()).isFalse();

        HttpResponse<String> byViewer = keep(viewer, "{\"action\":\"keep\",\"keep\":true}");
        assertThat(byViewer.statusCode()).isEqualTo(403);
        assertThat(session.resolve(KeptCase.FILE)).doesNotExist();
        for (String bad : new String[] {"{\"action\":\"keep\"}", "{\"action\":\"keep\",\"keep\":\"yes\"}",
                "{\"action\":\"keep\",\"keep\":1}"}) {
            HttpResponse<String> r = keep(trainer, bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).as(bad).contains("keep needs true or false");
        }
        assertThat(session.resolve(KeptCase.FILE)).doesNotExist();

        HttpResponse<String> kept = keep(trainer, "{\"action\":\"keep\",\"keep\":true}");
        assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
        assertThat(JSON.readTree(kept.body()).path("kept").asBoolean()).isTrue();
        assertThat(Files.readString(session.resolve(KeptCase.FILE))).contains("dr-trainer");
        assertThat(get(REPLAY).path("kept").asBoolean()).isTrue();
        assertThat(row(get("/api/recordings")).path("kept").asBoolean()).isTrue();

        // a month on, with keepDays 7: the kept case stays (the sweep is run here, not waited for)
        Instant monthOn = Instant.now().plus(Duration.ofDays(30));
        RecordingRetention retention = new RecordingRetention(session.getParent(), 0, 7);
        assertThat(retention.sweep(Set.of(), monthOn)).isEmpty();
        assertThat(session).isDirectory();

        HttpResponse<String> released = keep(trainer, "{\"action\":\"keep\",\"keep\":false}");
        assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
        assertThat(JSON.readTree(released.body()).path("kept").asBoolean()).isFalse();
        assertThat(session.resolve(KeptCase.FILE)).doesNotExist();
        assertThat(row(get("/api/recordings")).path("kept").asBoolean()).isFalse();

        // a keep the disk refuses is a clear 409 (a folder in the way stands in for a read-only archive: root, which
        // runs the build, may write anywhere)
        Path inTheWay = Files.createDirectories(session.resolve(KeptCase.FILE).resolve("x"));
        HttpResponse<String> refused = keep(trainer, "{\"action\":\"keep\",\"keep\":false}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).path("error").asText()).startsWith("cannot release this case: ");
        Files.delete(inTheWay);
        Files.delete(inTheWay.getParent());

        List<String> keeps = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("app").resolve(AuditTrail.FILE))) {
            JsonNode e = JSON.readTree(line);
            if (e.path("action").asText().equals("replay.keep")) {
                assertThat(e.path("user").asText()).isEqualTo("dr-trainer");
                assertThat(e.toString()).contains(session.getFileName().toString());
                keeps.add(e.path("detail").path("keep").asText());
            }
        }
        assertThat(keeps).as("the keep and the release, nothing for the refused ones").containsExactly("true", "false");

        app.close(); // released: the next sweep removes it (not while it is replayed: the application is closed first)
        app = null;
        assertThat(retention.sweep(Set.of(), monthOn)).hasSize(1);
        assertThat(session).doesNotExist();
    }

    /** The recordings list's row of the replayed session. */
    static JsonNode row(JsonNode list) {
        for (JsonNode r : list) {
            if (r.path("name").asText().equals(session.getFileName().toString())) {
                return r;
            }
        }
        throw new AssertionError("the session is not in the list: " + list);
    }
}
