package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;
import org.intravis.inference.ZoneStore;

import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The no-go zone API's limits over generated requests, against the real server ({@link ZoneRoutes} over the
 * {@link ZoneStore} of a running {@link Application}): polygons of 3 to 256 points of finite numbers are stored and
 * read back as sent; fewer or more points, a coordinate that is not a finite JSON number (a string, NaN, null, a
 * number too large for a double), a label longer than 64 characters or not a string, more than 32 zones, all answer
 * 400 with the reason and leave the stored zones as they were; a body over 64 KiB answers 413.
 */
class ZoneApiLimitsTest extends TempDataAppContainer {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ZONES = "/api/streams/us1/zones";
    static final String KEPT = "[{\"id\":1,\"label\":\"kept\",\"points\":[[1.0,1.0],[9.0,1.0],[9.0,9.0]]}]";

    @BeforeContainer
    static void start() throws Exception {
        server = TempDataApp.start("zone-limits", "us1", "synthetic:ultrasound?width=320&height=240&fps=10");
    }

    /** Every try starts from one known zone, so a refused request can be seen to leave it as it was. */
    @BeforeTry
    void oneZoneStored() throws Exception {
        assertThat(put(KEPT).statusCode()).isEqualTo(204);
    }

    static HttpResponse<String> put(String body) throws Exception {
        return TestApps.call(server.app, "PUT", ZONES, body);
    }

    static JsonNode stored() throws Exception {
        return JSON.readTree(TestApps.call(server.app, "GET", ZONES, null).body());
    }

    static void assertRefused(HttpResponse<String> r, String why) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains(why);
        JsonNode now = stored();
        for (JsonNode z : now) {
            ((ObjectNode) z).remove(List.of("streamId", "createdAt")); // what the store adds to what was sent
        }
        assertThat(now).as("all or nothing: the stored zones stay").isEqualTo(JSON.readTree(KEPT));
    }

    static ObjectNode zone(int id, String label, double[][] points) {
        ObjectNode z = JSON.createObjectNode().put("id", id).put("label", label);
        ArrayNode pts = z.putArray("points");
        for (double[] p : points) {
            pts.addArray().add(p[0]).add(p[1]);
        }
        return z;
    }

    @Provide
    Arbitrary<double[][]> polygons() {
        Arbitrary<double[]> point = Arbitraries.doubles().between(-5000, 5000).array(double[].class).ofSize(2);
        return point.array(double[][].class).ofMinSize(3).ofMaxSize(ZoneStore.MAX_VERTICES);
    }

    @Provide
    Arbitrary<String> labels() {
        return Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\u024f').withCharRange('\u4e00', '\u4e40')
                .ofMaxLength(100);
    }

    @Property(tries = 40)
    void polygonsOf3To256FinitePointsAreStoredAndReadBackAsSent(@ForAll("polygons") double[][] points,
                                                                @ForAll("labels") String label) throws Exception {
        String body = JSON.createArrayNode().add(zone(7, label, points)).toString();
        HttpResponse<String> r = put(body);
        if (label.length() > ZoneStore.MAX_LABEL_LENGTH) {
            assertRefused(r, "at most " + ZoneStore.MAX_LABEL_LENGTH + " characters");
            return;
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        JsonNode back = stored();
        assertThat(back).hasSize(1);
        assertThat(back.get(0).get("label").asText()).isEqualTo(label);
        assertThat(back.get(0).get("points")).hasSize(points.length);
        for (int i = 0; i < points.length; i++) {
            assertThat(back.get(0).get("points").get(i).get(0).asDouble()).isEqualTo(points[i][0]);
            assertThat(back.get(0).get("points").get(i).get(1).asDouble()).isEqualTo(points[i][1]);
        }
    }

    @Property(tries = 20)
    void moreThan256PointsAreRefused(@ForAll @IntRange(min = 257, max = 600) int n) throws Exception {
        double[][] pts = new double[n][];
        for (int i = 0; i < n; i++) {
            pts[i] = new double[] {Math.cos(i) * 100 + 150, Math.sin(i) * 100 + 120};
        }
        assertRefused(put(JSON.createArrayNode().add(zone(2, "big", pts)).toString()), "at most 256 points, got " + n);
        assertRefused(TestApps.call(server.app, "POST", ZONES, zone(2, "big", pts).toString()), "at most 256 points, got " + n);
    }

    @Property(tries = 10)
    void fewerThan3PointsAreRefused(@ForAll @IntRange(min = 0, max = 2) int n) throws Exception {
        double[][] pts = new double[n][];
        for (int i = 0; i < n; i++) {
            pts[i] = new double[] {i, i};
        }
        assertRefused(put(JSON.createArrayNode().add(zone(2, "small", pts)).toString()), "at least 3 points, got " + n);
    }

    @Property(tries = 60)
    void aCoordinateThatIsNotAFiniteJsonNumberIsRefused(@ForAll("notFiniteNumbers") String bad,
                                                       @ForAll @IntRange(min = 0, max = 3) int at,
                                                       @ForAll @IntRange(min = 0, max = 1) int axis) throws Exception {
        String[][] pts = {{"10", "10"}, {"90", "10"}, {"90", "70"}, {"10", "70"}};
        pts[at][axis] = bad;
        StringBuilder p = new StringBuilder("[");
        for (int i = 0; i < pts.length; i++) {
            p.append(i == 0 ? "" : ",").append('[').append(pts[i][0]).append(',').append(pts[i][1]).append(']');
        }
        p.append(']');
        String why = bad.equals("1e400") || bad.equals("-1e400") ? "finite numbers" : "point " + at + " must be [x, y]";
        assertRefused(put("[{\"id\":2,\"label\":\"x\",\"points\":" + p + "}]"), why);
        assertRefused(TestApps.call(server.app, "POST", ZONES, "{\"label\":\"x\",\"points\":" + p + "}"), why);
    }

    @Provide
    Arbitrary<String> notFiniteNumbers() {
        return Arbitraries.oneOf(Arbitraries.of("\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "null", "true", "[1]", "{}",
                        "1e400", "-1e400", "\"\""),
                Arbitraries.integers().between(-9999, 9999).map(i -> "\"" + i + "\""));
    }

    @Example
    void aLabelThatIsNotAStringIsRefused() throws Exception {
        assertRefused(put("[{\"id\":2,\"label\":12,\"points\":[[0,0],[5,0],[5,5]]}]"), "a label must be a string");
        assertRefused(put("[{\"id\":2,\"label\":{\"x\":1},\"points\":[[0,0],[5,0],[5,5]]}]"), "a label must be a string");
    }

    @Property(tries = 15)
    void upTo32ZonesPerStream(@ForAll @IntRange(min = 0, max = 45) int n) throws Exception {
        ArrayNode list = JSON.createArrayNode();
        for (int i = 1; i <= n; i++) {
            list.add(zone(i, "z" + i, new double[][] {{i, 0}, {i + 5, 0}, {i + 5, 5}}));
        }
        HttpResponse<String> r = put(list.toString());
        if (n > ZoneStore.MAX_ZONES_PER_STREAM) {
            assertRefused(r, "at most 32 no-go zones per stream, got " + n);
            return;
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(stored()).hasSize(n);
        // one more by POST: refused at 32, else added
        HttpResponse<String> added = TestApps.call(server.app, "POST", ZONES, "{\"label\":\"one more\",\"points\":[[0,0],[5,0],[5,5]]}");
        if (n == ZoneStore.MAX_ZONES_PER_STREAM) {
            assertThat(added.statusCode()).as(added.body()).isEqualTo(400);
            assertThat(added.body()).contains("already has 32 no-go zones");
            assertThat(stored()).hasSize(n);
        } else {
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            assertThat(stored()).hasSize(n + 1);
        }
    }

    @Example
    void aBodyOver64KiBIsRefusedAndOneJustUnderIsRead() throws Exception {
        String head = "[{\"id\":2,\"label\":\"pad\",\"points\":[[0,0],[5,0],[5,5]],\"note\":\"";
        String tail = "\"}]";
        String under = head + "x".repeat(64 * 1024 - head.length() - tail.length()) + tail;
        assertThat(under.length()).isEqualTo(64 * 1024);
        // read (not refused for its size): an unknown field is ignored, the zone stored
        assertThat(put(under).statusCode()).isEqualTo(204);
        assertThat(stored()).hasSize(1);
        String over = head + "x".repeat(64 * 1024 + 1 - head.length() - tail.length()) + tail;
        HttpResponse<String> r = put(over);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(stored().get(0).get("label").asText()).isEqualTo("pad");
        assertThat(List.of(TestApps.call(server.app, "POST", ZONES, over).statusCode())).containsExactly(413);
    }
}
