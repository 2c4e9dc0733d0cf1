package org.intravis.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.lifecycle.AfterContainer;
import org.intravis.pipeline.testing.Mutations;

import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A jqwik container whose properties run against one real application ({@link TempDataApp}): the subclass starts it
 * into {@link #server} in its own {@code @BeforeContainer} (each serves its own stream), and this stops it after the
 * container, once the subclass's own {@code @AfterContainer} methods have run (jqwik runs a superclass's last). jqwik
 * has no per-class fixture like JUnit's {@code @TempDir}; it runs containers one at a time, so one field serves all.
 * The fuzz properties share its two checks of a posted body: the samples work, every answer is a 200 or a reason.
 */
abstract class TempDataAppContainer {
    static TempDataApp server;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Each unmutated sample is accepted (200): the fuzzed bodies start from requests that work. */
    static void samplesAreAccepted(String path, List<String> samples) throws Exception {
        for (String body : samples) {
            HttpResponse<String> r = TestApps.call(server.app, "POST", path, body);
            assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(200);
        }
    }

    /**
     * Posts a fuzzed body as a page would: it is accepted (200) or refused with 400 or 409 and a reason (413 for one
     * too large), never a 500 or silence.
     */
    static void postedAndAnsweredWithAReason(String path, String body) throws Exception {
        HttpResponse<String> r = TestApps.sendJson(server.app, "POST", path, body);
        String shown = Mutations.abbreviate(body);
        assertThat(r.statusCode()).as(shown + " -> " + r.body()).isIn(200, 400, 409, 413);
        if (r.statusCode() == 400 || r.statusCode() == 409) {
            assertThat(JSON.readTree(r.body()).path("error").asText()).as(shown).isNotBlank();
        }
    }

    @AfterContainer
    static void stopServer() throws Exception {
        try {
            TempDataApp.stop(server);
        } finally {
            server = null;
        }
    }
}
