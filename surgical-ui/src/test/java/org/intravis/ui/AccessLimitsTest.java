package org.intravis.ui;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Failed logins throttled per address (429 with Retry-After, even for the right token, until the window passes), and
 * {@code server.allowedOrigins}: a listed site's page may call the server (CORS with credentials), others may not.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the throttling test last: it locks this machine's address out
class AccessLimitsTest {
    @TempDir
    static Path data;
    static Application app;
    static String operator;

    @BeforeAll
    static void start() {
        operator = new TokenStore(data).create("dr-lee", Role.OPERATOR).token();
        IntravisConfig c = TestApps.config(data, "us1", "synthetic:ultrasound?width=320&height=240&fps=15", "none");
        c.server.allowedOrigins = List.of("https://pacs.example:8443");
        app = TestApps.start(c);
    }

    @AfterAll
    static void stop() {
        TestApps.stop(app);
    }

    @Test
    void aListedOriginGetsCorsAndAnUnlistedOneIs403() throws Exception {
        HttpResponse<String> listed = TestApps.call(app, "GET", "/api/streams", null,
                "Authorization", "Bearer " + operator, "Origin", "https://pacs.example:8443");
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.headers().firstValue("access-control-allow-origin")).hasValue("https://pacs.example:8443");
        assertThat(listed.headers().firstValue("access-control-allow-credentials")).hasValue("true");
        assertThat(TestApps.call(app, "GET", "/api/streams", null, "Authorization", "Bearer " + operator,
                "Origin", "https://pacs.example:9999").statusCode()).isEqualTo(403);
        // a listed site's zone editor may store against the zones it read: If-Match allowed, ETag readable
        HttpResponse<String> preflight = TestApps.call(app, "OPTIONS", "/api/streams/us1/zones", null,
                "Origin", "https://pacs.example:8443", "Access-Control-Request-Method", "PUT",
                "Access-Control-Request-Headers", "if-match,content-type");
        assertThat(preflight.statusCode()).isIn(200, 204);
        assertThat(preflight.headers().firstValue("access-control-allow-headers").orElse("").toLowerCase())
                .contains("if-match");
        HttpResponse<String> zones = TestApps.call(app, "GET", "/api/streams/us1/zones", null,
                "Authorization", "Bearer " + operator, "Origin", "https://pacs.example:8443");
        assertThat(zones.headers().firstValue("access-control-expose-headers").orElse("").toLowerCase())
                .contains("etag");
    }

    @Test
    void aBadAllowedOriginIsRefusedAtStart() {
        IntravisConfig c = TestApps.config(data, "us1", "synthetic:ultrasound", "none");
        c.server.allowedOrigins = List.of("https://pacs.example/viewer");
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("server.allowedOrigins").hasMessageContaining("no path");
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void failedLoginsFromOneAddressAreThrottled() throws Exception {
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            assertThat(TestApps.call(app, "POST", "/api/login", "{\"token\": \"ivt_00.wrong" + i + "\"}")
                    .statusCode()).isEqualTo(401);
        }
        HttpResponse<String> refused = TestApps.call(app, "POST", "/api/login", "{\"token\": \"" + operator + "\"}");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after").map(Long::parseLong)).hasValueSatisfying(s ->
                assertThat(s).isBetween(1L, 60L));
        assertThat(refused.body()).contains("too many failed logins");
        assertThat(TestApps.call(app, "GET", "/api/streams", null, "Authorization", "Bearer " + operator)
                .statusCode()).as("Bearer tries count too").isEqualTo(429);
    }

    @Test
    void theThrottleForgetsFailuresOnceTheWindowPasses() {
        AtomicLong now = new AtomicLong();
        LoginThrottle t = new LoginThrottle(3, 1000, now::get);
        t.failed("10.0.0.1");
        t.failed("10.0.0.1");
        assertThat(t.retryAfterSeconds("10.0.0.1")).isZero();
        now.set(500);
        t.failed("10.0.0.1");
        assertThat(t.retryAfterSeconds("10.0.0.1")).isPositive();
        assertThat(t.retryAfterSeconds("10.0.0.2")).as("per address").isZero();
        now.set(1000); // the first failure leaves the window
        assertThat(t.retryAfterSeconds("10.0.0.1")).isZero();
    }
}
