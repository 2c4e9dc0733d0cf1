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
 * Fuzzed zones JSON sent to the real server ({@code PUT} a list, {@code POST} one zone): every body is stored or
 * refused with 400/413 and an error that says why, answered within seconds, never a 500; a refused body leaves the
 * stored zones as they were; and what is stored always reads back as a list of zones.
 */
class ZonesFuzzTest extends TempDataAppContainer {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ZONES = "/api/streams/us1/zones";
    static final List<String> LISTS = List.of(
            "[{\"id\":1,\"label\":\"carotid\",\"points\":[[10.5,20],[200,20],[200,120],[10,120]]}]",
            "[{\"id\":1,\"label\":\"a\",\"points\":[[1,1],[9,1],[9,9]]},{\"id\":2,\"label\":\"b\",\"points\":[[0,0],[5,0],[5,5]]}]",
            "[]");
    static final List<String> ONES = List.of("{\"label\":\"nerve\",\"points\":[[100,100],[140,100],[120,150]]}",
            "{\"label\":\"\",\"points\":[[0,0],[319,0],[319,239],[0,239]]}");

    @BeforeContainer
    static void start() throws Exception {
        server = TempDataApp.start("zones-fuzz", "us1", "synthetic:ultrasound?width=320&height=240&fps=10");
    }

    /** The unmutated samples are stored: the fuzzed ones start from bodies that work. */
    @net.jqwik.api.Example
    void theSamplesAreStored() throws Exception {
        for (String body : LISTS) {
            assertThat(TestApps.call(server.app, "PUT", ZONES, body).statusCode()).as(body).isEqualTo(204);
        }
        for (String body : ONES) {
            assertThat(TestApps.call(server.app, "POST", ZONES, body).statusCode()).as(body).isIn(200, 201);
        }
    }

    @Provide
    Arbitrary<String> lists() {
        return Mutations.withNesting(LISTS, "[", "]");
    }

    @Provide
    Arbitrary<String> ones() {
        return Mutations.withNesting(ONES, "{\"a\":", "}");
    }

    @Property(tries = 400)
    void aReplacedListIsStoredOrRefusedWithAReason(@ForAll("lists") String body) throws Exception {
        check("PUT", body);
    }

    @Property(tries = 300)
    void anAddedZoneIsStoredOrRefusedWithAReason(@ForAll("ones") String body) throws Exception {
        check("POST", body);
    }

    static void check(String method, String body) throws Exception {
        String before = get();
        HttpResponse<String> r = TestApps.sendJson(server.app, method, ZONES, body);
        String shown = Mutations.abbreviate(body);
        assertThat(r.statusCode()).as(shown + " -> " + r.body()).isIn(200, 201, 204, 400, 413);
        if (r.statusCode() >= 400) {
            if (r.statusCode() == 400) {
                assertThat(JSON.readTree(r.body()).path("error").asText()).as(shown).isNotBlank();
            }
            assertThat(get()).as("a refused body changes nothing: " + shown).isEqualTo(before);
        }
        JsonNode stored = JSON.readTree(get());
        assertThat(stored.isArray()).isTrue();
        stored.forEach(z -> assertThat(z.path("points").size()).as(z.toString()).isGreaterThanOrEqualTo(3));
    }

    static String get() throws Exception {
        HttpResponse<String> r = TestApps.call(server.app, "GET", ZONES, null);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
