package org.intravis.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A server without tokens: open, on loopback only, as a fresh install is; other sites' pages are still refused; and
 * the first token created while it runs closes it.
 */
class OpenServerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;
    static Application app;

    @BeforeAll
    static void start() {
        IntravisConfig c = TestApps.config(data, "us1", "synthetic:ultrasound?width=320&height=240&fps=15", "none");
        c.server.host = ""; // the default: chosen by whether tokens exist
        app = TestApps.start(c);
    }

    @AfterAll
    static void stop() {
        TestApps.stop(app);
    }

    @Test
    void openOnLoopbackUntilTheFirstTokenExists() throws Exception {
        assertThat(TestApps.call(app, "GET", "/api/streams", null).statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(TestApps.call(app, "GET", "/health", null).body()).get("streams").has("us1")).isTrue();
        assertThat(TestApps.call(app, "POST", "/api/streams/us1/recording/stop", null, "Origin", "http://evil.example")
                .statusCode()).as("another site's page, even on an open server").isEqualTo(403);

        String token = new TokenStore(data).create("first", Role.VIEWER).token();
        await("the server closed").atMost(Duration.ofSeconds(10)).until(() ->
                TestApps.call(app, "GET", "/api/streams", null).statusCode() == 401);
        assertThat(JSON.readTree(TestApps.call(app, "GET", "/health", null).body()).has("streams")).isFalse();
        await("the token accepted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(400)).until(() ->
                TestApps.call(app, "GET", "/api/streams", null, "Authorization", "Bearer " + token).statusCode() == 200);
    }
}
