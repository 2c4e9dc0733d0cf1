package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.intravis.pipeline.testing.Mutations;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed needle marks ({@code POST /api/streams/ID/replay/needle-marks}) against the real server, its replay paused on
 * frame 0 of a real recording: each is kept (200) or refused with 400/409/413 and a reason, never a 500; and what is
 * on disk stays what the training can read: a labels.json that parses, every needle's tip and far end on the
 * 320x240 frame, every listed frame's picture there.
 */
class NeedleMarksFuzzTest extends TempDataAppContainer {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MARKS = "/api/streams/r1/replay/needle-marks";
    static final List<String> VALID = List.of("{\"position\":0,\"tip\":[150,120],\"end\":[300,10]}",
            "{\"position\":0,\"needle\":false}", "{\"position\":0,\"tip\":[0,0],\"end\":[319,239]}");

    @BeforeContainer
    static void start() throws Exception {
        server = TempDataApp.start("marks-fuzz", "r1",
                data -> "recording:" + RecordReplayTest.record(data.resolve("recorded"), 1.0) + "?paused=true");
    }

    @net.jqwik.api.Example
    void theSamplesAreKept() throws Exception {
        samplesAreAccepted(MARKS, VALID);
    }

    /** Found by the property below: a sent -0 (here -0e309) is the frame's edge, kept as 0, not as -0.0. */
    @net.jqwik.api.Example
    void aNegativeZeroIsKeptAsZero() throws Exception {
        HttpResponse<String> r = TestApps.call(server.app, "POST", MARKS,
                "{\"position\":0,\"tip\":[150,120],\"end\":[-0e309,-0.0]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Path folder = Path.of(JSON.readTree(r.body()).path("folder").asText());
        JsonNode end = JSON.readTree(folder.resolve("labels.json").toFile()).path("frames").get(0).path("end");
        assertThat(Double.compare(end.get(0).asDouble(), 0.0)).isZero();
        assertThat(Double.compare(end.get(1).asDouble(), 0.0)).isZero();
    }

    @Provide
    Arbitrary<String> marks() {
        return Mutations.withNesting(VALID, "{\"position\":", "}");
    }

    @Property(tries = 200)
    void everyMarkIsKeptOrRefusedWithAReason(@ForAll("marks") String body) throws Exception {
        postedAndAnsweredWithAReason(MARKS, body);
        String shown = Mutations.abbreviate(body);
        HttpResponse<String> listing = TestApps.call(server.app, "GET", MARKS, null);
        assertThat(listing.statusCode()).isEqualTo(200);
        Path folder = Path.of(JSON.readTree(listing.body()).path("folder").asText());
        if (!folder.resolve("labels.json").toFile().exists()) {
            return; // nothing kept yet
        }
        JsonNode labels = JSON.readTree(folder.resolve("labels.json").toFile());
        for (JsonNode f : labels.path("frames")) {
            assertThat(folder.resolve("frames").resolve(f.path("file").asText())).as(shown).exists();
            if (f.path("needle").asBoolean()) {
                for (String p : new String[] {"tip", "end"}) {
                    assertThat(f.path(p).get(0).asDouble()).as(shown).isBetween(0.0, 319.0);
                    assertThat(f.path(p).get(1).asDouble()).as(shown).isBetween(0.0, 239.0);
                }
            }
        }
    }
}
