package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.inference.ZoneStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The no-go zone routes against the real server, persisted in the data folder. */
class ZoneRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path data;
    private static Application app;

    @BeforeAll
    static void start() {
        app = TestApps.start(TestApps.config(data, "us1", "synthetic:ultrasound?width=320&height=240&fps=15", "none"));
    }

    @AfterAll
    static void stop() {
        TestApps.stop(app);
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return TestApps.call(app, method, path, body);
    }

    @Test
    void zonesAreAddedListedRemovedAndKept() throws Exception {
        HttpResponse<String> created = send("POST", "/api/streams/us1/zones",
                "{\"label\": \"plexus\", \"points\": [[10, 10], [100, 10], [55, 80]]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode zone = JSON.readTree(created.body());
        int id = zone.get("id").asInt();
        assertThat(zone.get("label").asText()).isEqualTo("plexus");
        assertThat(zone.get("points").get(2).get(1).asDouble()).isEqualTo(80.0);

        JsonNode list = JSON.readTree(send("GET", "/api/streams/us1/zones", null).body());
        assertThat(list).hasSize(1);
        assertThat(new ZoneStore(data).list("us1")).hasSize(1); // on disk: survives a restart

        assertThat(send("DELETE", "/api/streams/us1/zones/" + id, null).statusCode()).isEqualTo(204);
        assertThat(send("DELETE", "/api/streams/us1/zones/" + id, null).statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(send("GET", "/api/streams/us1/zones", null).body())).isEmpty();

        send("POST", "/api/streams/us1/zones", "{\"points\": [[0, 0], [5, 0], [5, 5]]}");
        send("POST", "/api/streams/us1/zones", "{\"points\": [[0, 0], [6, 0], [6, 6]]}");
        HttpResponse<String> cleared = send("DELETE", "/api/streams/us1/zones", null);
        assertThat(JSON.readTree(cleared.body()).get("removed").asInt()).isEqualTo(2);
    }

    /**
     * Two screens edit the same stream's zones: each stores against the tag it read (If-Match), so the screen that
     * read before the other's change is refused with the zones as they are now, and nothing of the other's is undone.
     */
    @Test
    void aReplacementReadBeforeAnotherScreensChangeIsRefusedWithTheZonesAsTheyAreNow() throws Exception {
        String path = "/api/streams/us1/zones";
        assertThat(send("PUT", path, "[]").statusCode()).isEqualTo(204);
        HttpResponse<String> read = send("GET", path, null);
        String tag = read.headers().firstValue("ETag").orElseThrow();
        assertThat(tag).matches("\"[0-9a-f]{24}\"");
        String zoneA = "[{\"id\": 1, \"label\": \"A\", \"points\": [[10, 10], [90, 10], [50, 60]]}]";
        String zoneB = "[{\"id\": 1, \"label\": \"B\", \"points\": [[200, 10], [290, 10], [250, 60]]}]";

        // screen A stores against what it read, and gets the new tag
        HttpResponse<String> a = TestApps.call(app, "PUT", path, zoneA, "If-Match", tag);
        assertThat(a.statusCode()).as(a.body()).isEqualTo(204);
        String tagA = a.headers().firstValue("ETag").orElseThrow();
        assertThat(tagA).isNotEqualTo(tag)
                .isEqualTo(send("GET", path, null).headers().firstValue("ETag").orElseThrow());

        // screen B read before A stored: refused, told what is there now, and A's zone is still stored
        HttpResponse<String> b = TestApps.call(app, "PUT", path, zoneB, "If-Match", tag);
        assertThat(b.statusCode()).as(b.body()).isEqualTo(412);
        assertThat(b.headers().firstValue("ETag")).contains(tagA);
        JsonNode now = JSON.readTree(b.body());
        assertThat(now.get("error").asText()).contains("changed since they were read");
        assertThat(now.get("zones")).hasSize(1);
        assertThat(now.get("zones").get(0).get("label").asText()).isEqualTo("A");
        assertThat(new ZoneStore(data).list("us1")).extracting(z -> z.label()).containsExactly("A");

        // B, with the tag it was given, stores its change on top of A's (a weak tag and "*" are taken too)
        String both = "[{\"id\": 1, \"label\": \"A\", \"points\": [[10, 10], [90, 10], [50, 60]]},"
                + " {\"id\": 2, \"label\": \"B\", \"points\": [[200, 10], [290, 10], [250, 60]]}]";
        assertThat(TestApps.call(app, "PUT", path, both, "If-Match", "W/" + tagA).statusCode()).isEqualTo(204);
        assertThat(JSON.readTree(send("GET", path, null).body())).hasSize(2);
        assertThat(TestApps.call(app, "PUT", path, "[]", "If-Match", "*").statusCode()).isEqualTo(204);
        // without If-Match a PUT replaces whatever is there, as before (API clients that read nothing)
        assertThat(send("PUT", path, zoneA).statusCode()).isEqualTo(204);
        assertThat(send("PUT", path, "[]").statusCode()).isEqualTo(204);
    }

    @Test
    void theSurgeonsPageReplacesTheWholeListWithPut() throws Exception {
        HttpResponse<String> put = send("PUT", "/api/streams/us1/zones",
                "[{\"id\": 1, \"label\": \"no-go 1\", \"points\": [[412, 188], [560, 190], [566, 300], [405, 296]]},"
                        + " {\"id\": 2, \"label\": \"no-go 2\", \"points\": [[0, 0], [9, 0], [9, 9]]}]");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(204);
        JsonNode list = JSON.readTree(send("GET", "/api/streams/us1/zones", null).body());
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("id").asInt()).isEqualTo(1);
        assertThat(list.get(0).get("label").asText()).isEqualTo("no-go 1");
        assertThat(list.get(0).get("points").get(3).get(0).asDouble()).isEqualTo(405.0);
        HttpResponse<String> duplicate = send("PUT", "/api/streams/us1/zones",
                "[{\"id\": 3, \"points\": [[0, 0], [9, 0], [9, 9]]}, {\"id\": 3, \"points\": [[0, 0], [8, 0], [8, 8]]}]");
        assertThat(duplicate.statusCode()).isEqualTo(400);
        assertThat(duplicate.body()).contains("unique");
        assertThat(JSON.readTree(send("GET", "/api/streams/us1/zones", null).body())).hasSize(2); // all or nothing
        assertThat(send("PUT", "/api/streams/us1/zones", "[]").statusCode()).isEqualTo(204);
        assertThat(JSON.readTree(send("GET", "/api/streams/us1/zones", null).body())).isEmpty();
    }

    @Test
    void badZonesAndUnknownStreamsAreRefusedClearly() throws Exception {
        HttpResponse<String> twoPoints = send("POST", "/api/streams/us1/zones", "{\"points\": [[0, 0], [1, 1]]}");
        assertThat(twoPoints.statusCode()).isEqualTo(400);
        assertThat(twoPoints.body()).contains("at least 3 points");
        HttpResponse<String> notJson = send("POST", "/api/streams/us1/zones", "{points");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("bad zone");
        assertThat(send("GET", "/api/streams/nope/zones", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/api/streams/us1/zones/abc", null).statusCode()).isEqualTo(400);
    }
}
