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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed replay controls ({@code POST /api/streams/ID/replay}) against the real server replaying a real recording:
 * each is carried out (200) or refused with 400/409 and an error that says why, within seconds, never a 500; and the
 * replay's state stays sane (a position inside the recording, a speed in its range).
 */
class ReplayControlsFuzzTest extends TempDataAppContainer {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REPLAY = "/api/streams/r1/replay";
    static final List<String> VALID = List.of("{\"action\":\"play\"}", "{\"action\":\"pause\"}",
            "{\"action\":\"step\",\"frames\":3}", "{\"action\":\"seek\",\"position\":5}",
            "{\"action\":\"seek\",\"timeUs\":400000}", "{\"action\":\"speed\",\"speed\":2.5}",
            "{\"action\":\"annotations\",\"source\":\"recorded\"}");

    @BeforeContainer
    static void start() throws Exception {
        server = TempDataApp.start("replay-fuzz", "r1",
                data -> "recording:" + RecordReplayTest.record(data.resolve("recorded"), 1.0) + "?pace=fast&loop=true");
    }

    /** The unmutated samples are carried out: the fuzzed ones start from controls that work. */
    @net.jqwik.api.Example
    void theSamplesAreCarriedOut() throws Exception {
        samplesAreAccepted(REPLAY, VALID);
    }

    @Provide
    Arbitrary<String> controls() {
        return Mutations.withNesting(VALID, "{\"action\":", "}");
    }

    @Property(tries = 400)
    void everyControlIsCarriedOutOrRefusedWithAReason(@ForAll("controls") String body) throws Exception {
        postedAndAnsweredWithAReason(REPLAY, body);
        String shown = Mutations.abbreviate(body);
        HttpResponse<String> state = TestApps.call(server.app, "GET", REPLAY, null);
        assertThat(state.statusCode()).isEqualTo(200);
        JsonNode s = JSON.readTree(state.body());
        assertThat(s.path("position").asLong()).as(shown).isBetween(0L, Math.max(0, s.path("frames").asLong() - 1));
        assertThat(s.path("speed").asDouble()).as(shown).isBetween(0.05, 64.0);
    }
}
