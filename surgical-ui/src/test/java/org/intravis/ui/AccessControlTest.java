package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.inference.StreamRegistration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The access rules against the real server with tokens (docs/security.md): 401 without a credential, the roles' 403s,
 * Bearer for REST and the WebSocket upgrade, the session cookie from the login route and from a viewer token in a
 * page's address, foreign Origins refused even with a valid token, revocation, and the audit trail by name.
 */
class AccessControlTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static final String ZONES = "[{\"id\": 1, \"label\": \"artery\", \"points\": [[10, 10], [100, 10], [55, 80]]}]";

    @TempDir
    static Path data;
    static Application app;
    static String viewer;
    static String operator;
    static String admin;

    @BeforeAll
    static void start() {
        TokenStore tokens = new TokenStore(data);
        viewer = tokens.create("or3-display", Role.VIEWER).token();
        operator = tokens.create("dr-lee", Role.OPERATOR).token();
        admin = tokens.create("it-admin", Role.ADMIN).token();
        app = Application.start(ModuleSettings.validate(TestApps.config(data, "us1",
                "synthetic:ultrasound?width=320&height=240&fps=15", StreamRegistration.GROUND_TRUTH)));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        return TestApps.call(app, method, path, body, headers);
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    /** Opens the stream's WebSocket with these headers: the first text message (hello), or the handshake's status. */
    static Object webSocket(String... headers) throws Exception {
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<WebSocket> ws = b.buildAsync(URI.create("ws://127.0.0.1:" + app.port()
                + "/ws/streams/us1?encoding=jpeg"), new WebSocket.Listener() {
                    @Override
                    public CompletableFuture<?> onText(WebSocket w, CharSequence data, boolean last) {
                        first.complete(data.toString());
                        return null;
                    }
                });
        Throwable t = catchThrowable(() -> ws.get(20, TimeUnit.SECONDS));
        if (t != null) {
            Throwable cause = t.getCause() instanceof CompletionException c ? c.getCause() : t.getCause();
            assertThat(cause).as("handshake failure").isInstanceOf(WebSocketHandshakeException.class);
            return ((WebSocketHandshakeException) cause).getResponse().statusCode();
        }
        try {
            return first.get(20, TimeUnit.SECONDS);
        } finally {
            ws.get().sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    @Test
    void withoutACredentialEverythingButHealthIs401() throws Exception {
        HttpResponse<String> streams = send("GET", "/api/streams", null);
        assertThat(streams.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(streams.body()).get("error").asText()).contains("Bearer").contains("/login");
        // RFC 6750: a 401 names the scheme it wants
        assertThat(streams.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"intravis\"");
        assertThat(webSocket()).isEqualTo(401);
        assertThat(send("GET", "/display.html", null).statusCode()).isEqualTo(401);

        HttpResponse<String> health = send("GET", "/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode h = JSON.readTree(health.body());
        assertThat(h.get("status").asText()).isIn("ok", "degraded");
        assertThat(h.has("streams")).as("health says up or down, nothing else: %s", h).isFalse();
        assertThat(send("GET", "/login", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/js/login.js", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aBrowserAskingForAPageIsSentToTheLoginPage() throws Exception {
        HttpResponse<String> r = send("GET", "/display?stream=us1", null, "Accept", "text/html,*/*");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("location")).hasValue("/login?next=%2Fdisplay%3Fstream%3Dus1");
    }

    @Test
    void aViewerWatchesButMayNotChangeAnything() throws Exception {
        HttpResponse<String> streams = send("GET", "/api/streams", null, "Authorization", bearer(viewer));
        assertThat(streams.statusCode()).isEqualTo(200);
        assertThat(streams.headers().firstValue("set-cookie")).as("a program's Bearer call opens no session").isEmpty();
        assertThat((String) webSocket("Authorization", bearer(viewer))).contains("\"type\":\"hello\"");

        HttpResponse<String> zones = send("PUT", "/api/streams/us1/zones", ZONES, "Authorization", bearer(viewer));
        assertThat(zones.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(zones.body()).get("error").asText()).contains("or3-display").contains("viewer")
                .contains("operator");
        assertThat(zones.headers().firstValue("www-authenticate")).as("a known token lacking a role is no 401").isEmpty();
        assertThat(send("POST", "/api/streams/us1/inference/pause", null, "Authorization", bearer(viewer))
                .statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/streams/us1/recording/start", null, "Authorization", bearer(viewer))
                .statusCode()).isEqualTo(403);
        assertThat(send("GET", "/api/audit", null, "Authorization", bearer(viewer)).statusCode()).isEqualTo(403);
    }

    @Test
    void anOperatorsZoneChangeIsAcceptedAndAuditedByName() throws Exception {
        HttpResponse<String> put = send("PUT", "/api/streams/us1/zones", ZONES, "Authorization", bearer(operator));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(204);
        assertThat(send("GET", "/api/audit", null, "Authorization", bearer(operator)).statusCode()).isEqualTo(403);

        HttpResponse<String> audit = send("GET", "/api/audit?limit=1000", null, "Authorization", bearer(admin));
        assertThat(audit.statusCode()).isEqualTo(200);
        List<JsonNode> changes = new ArrayList<>();
        JSON.readTree(audit.body()).get("entries").forEach(e -> {
            if (e.get("action").asText().equals("zones.replace")) {
                changes.add(e);
            }
        });
        assertThat(changes).isNotEmpty();
        JsonNode e = changes.get(changes.size() - 1);
        assertThat(e.get("user").asText()).isEqualTo("dr-lee");
        assertThat(e.get("role").asText()).isEqualTo("operator");
        assertThat(e.get("stream").asText()).isEqualTo("us1");
        assertThat(e.get("detail").get("after").get(0).get("label").asText()).isEqualTo("artery");
        assertThat(e.get("detail").has("before")).isTrue();
        assertThat(e.get("time").asText()).isNotEmpty();
    }

    @Test
    void inferencePauseAndResumeAndRecordingAreAuditedByName() throws Exception {
        for (String path : List.of("inference/pause", "inference/resume", "recording/start", "recording/stop")) {
            HttpResponse<String> r = send("POST", "/api/streams/us1/" + path, null, "Authorization", bearer(operator));
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        }
        // an acknowledged change is already audited, in the order the changes were made: read at once, no waiting
        List<String> mine = new ArrayList<>();
        JSON.readTree(send("GET", "/api/audit?limit=1000", null, "Authorization", bearer(admin)).body())
                .get("entries").forEach(e -> {
                    if (e.get("user").asText().equals("dr-lee") && e.get("stream").asText().equals("us1")) {
                        mine.add(e.get("action").asText());
                    }
                });
        assertThat(mine.subList(mine.size() - 4, mine.size())).containsExactly("inference.pause",
                "inference.resume", "recording.start", "recording.stop");
    }

    @Test
    void theAuditTrailIsPagedForAdmins() throws Exception {
        send("POST", "/api/streams/us1/inference/resume", null, "Authorization", bearer(operator));
        send("POST", "/api/streams/us1/inference/resume", null, "Authorization", bearer(operator));
        await("two entries at least").atMost(Duration.ofSeconds(10)).until(() -> JSON.readTree(send("GET",
                "/api/audit", null, "Authorization", bearer(admin)).body()).get("total").asLong() >= 2);
        JsonNode first = JSON.readTree(send("GET", "/api/audit?from=1&limit=1", null, "Authorization", bearer(admin)).body());
        assertThat(first.get("entries")).hasSize(1);
        assertThat(first.get("entries").get(0).get("seq").asLong()).isEqualTo(1);
        assertThat(first.get("next").asLong()).isEqualTo(2);
        JsonNode second = JSON.readTree(send("GET", "/api/audit?from=2&limit=1", null, "Authorization", bearer(admin)).body());
        assertThat(second.get("entries").get(0).get("prev").asText())
                .isEqualTo(TokenStore.sha256(JSON.writeValueAsString(first.get("entries").get(0))));
        long total = first.get("total").asLong();
        JsonNode last = JSON.readTree(send("GET", "/api/audit?from=" + total + "&limit=5", null, "Authorization",
                bearer(admin)).body());
        assertThat(last.get("next").isNull()).isTrue();
        assertThat(send("GET", "/api/audit?limit=0", null, "Authorization", bearer(admin)).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/api/audit?from=x", null, "Authorization", bearer(admin)).statusCode()).isEqualTo(400);
    }

    @Test
    void aForeignOriginIsRefusedEvenWithAValidToken() throws Exception {
        assertThat(webSocket("Authorization", bearer(operator), "Origin", "http://evil.example")).isEqualTo(403);
        HttpResponse<String> put = send("PUT", "/api/streams/us1/zones", ZONES, "Authorization", bearer(operator),
                "Origin", "http://evil.example");
        assertThat(put.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(put.body()).get("error").asText()).contains("http://evil.example")
                .contains("server.allowedOrigins");
        assertThat(send("POST", "/api/streams/us1/inference/pause", null, "Authorization", bearer(operator),
                "Origin", "null").statusCode()).isEqualTo(403);
        // the server's own origin, as a page of its own sends it, passes
        assertThat(send("PUT", "/api/streams/us1/zones", ZONES, "Authorization", bearer(operator),
                "Origin", "http://127.0.0.1:" + app.port()).statusCode()).isEqualTo(204);
        assertThat((String) webSocket("Authorization", bearer(viewer), "Origin", "http://127.0.0.1:" + app.port()))
                .contains("hello");
    }

    @Test
    void theLoginRouteGivesAStrictHttpOnlySessionCookie() throws Exception {
        HttpResponse<String> login = send("POST", "/api/login", "{\"token\": \"" + operator + "\"}",
                "Content-Type", "application/json");
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        assertThat(JSON.readTree(login.body()).get("user").asText()).isEqualTo("dr-lee");
        String setCookie = login.headers().firstValue("set-cookie").orElseThrow();
        assertThat(setCookie).startsWith(AccessRules.SESSION_COOKIE + "=").containsIgnoringCase("HttpOnly")
                .containsIgnoringCase("SameSite=Strict").doesNotContain("Secure"); // plain HTTP here
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(send("GET", "/api/streams", null, "Cookie", cookie).statusCode()).isEqualTo(200);
        assertThat((String) webSocket("Cookie", cookie)).contains("hello");
        assertThat(send("DELETE", "/api/streams/us1/zones/999", null, "Cookie", cookie).statusCode()).isEqualTo(404);

        assertThat(send("POST", "/api/logout", null, "Cookie", cookie).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/api/streams", null, "Cookie", cookie).statusCode()).isEqualTo(401);

        HttpResponse<String> bad = send("POST", "/api/login", "{\"token\": \"ivt_0000.nope\"}");
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(send("POST", "/api/login", "not json").statusCode()).isEqualTo(400);
        assertThat(setCookie).containsIgnoringCase("Max-Age=" + AccessRules.SESSION_TIMEOUT_MS / 1000);

        // both logins, the good and the bad, are in the audit trail
        await("the logins audited").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> logins = new ArrayList<>();
            JSON.readTree(send("GET", "/api/audit?limit=1000", null, "Authorization", bearer(admin)).body())
                    .get("entries").forEach(e -> {
                        if (e.get("action").asText().startsWith("login.")) {
                            logins.add(e.get("action").asText() + " " + e.get("user").asText() + " "
                                    + e.get("detail").get("via").asText());
                        }
                    });
            assertThat(logins).contains("login.success dr-lee login page", "login.failure ? login page");
        });
    }

    @Test
    void aViewerTokenInTheAddressBecomesTheCookieAndLeavesTheAddress() throws Exception {
        HttpResponse<String> r = send("GET", "/display?stream=us1&token=" + viewer, null, "Accept", "text/html");
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("location")).hasValue("/display?stream=us1");
        String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<String> page = send("GET", "/display?stream=us1", null, "Cookie", cookie);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("display.js");

        HttpResponse<String> wrong = send("GET", "/display?stream=us1&token=ivt_000000000000.wrong", null,
                "Accept", "text/html");
        assertThat(wrong.statusCode()).as("a wrong token: to the login page").isEqualTo(302);
        assertThat(wrong.headers().firstValue("location")).hasValue("/login?next=%2Fdisplay%3Fstream%3Dus1");

        HttpResponse<String> op = send("GET", "/display?stream=us1&token=" + operator, null);
        assertThat(op.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(op.body()).get("error").asText()).contains("only a viewer token");
    }

    @Test
    void aRevokedTokenStopsWorkingForItsSessionsToo() throws Exception {
        String temp = new TokenStore(data).create("temp-display", Role.VIEWER).token();
        // polled slowly: each try before the server has read the file is a failed login, and those are throttled
        await("the new token reaches the server").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(400)).until(() ->
                send("GET", "/api/streams", null, "Authorization", bearer(temp)).statusCode() == 200);
        HttpResponse<String> login = send("POST", "/api/login", "{\"token\": \"" + temp + "\"}");
        String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        assertThat(send("GET", "/api/streams", null, "Cookie", cookie).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/streams", null, "Authorization", bearer(temp)).statusCode()).isEqualTo(200);

        assertThat(new TokenStore(data).revoke("temp-display")).isTrue();
        await("revocation reaches the server").atMost(Duration.ofSeconds(10)).until(() ->
                send("GET", "/api/streams", null, "Authorization", bearer(temp)).statusCode() == 401);
        HttpResponse<String> session = send("GET", "/api/streams", null, "Cookie", cookie);
        assertThat(session.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(session.body()).get("error").asText()).as("the session's user is told why")
                .contains("'temp-display' was revoked");
        assertThat(send("GET", "/api/streams", null, "Authorization", bearer(viewer)).statusCode()).isEqualTo(200);
    }

    @Test
    void revokingATokenClosesTheStreamsItIsWatching() throws Exception {
        String temp = new TokenStore(data).create("temp-viewer", Role.VIEWER).token();
        await("the new token reaches the server").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(400)).until(() ->
                send("GET", "/api/streams", null, "Authorization", bearer(temp)).statusCode() == 200);
        // two clients on the stream: one let in with the token to revoke, one with another viewer's
        CompletableFuture<String> revokedClose = new CompletableFuture<>();
        CompletableFuture<String> otherClose = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger otherMessages = new java.util.concurrent.atomic.AtomicInteger();
        WebSocket watched = openWatching(temp, revokedClose, null);
        WebSocket other = openWatching(viewer, otherClose, otherMessages);
        try {
            assertThat(new TokenStore(data).revoke("temp-viewer")).isTrue();
            String closed = revokedClose.get(15, TimeUnit.SECONDS);
            assertThat(closed).startsWith("1008 ").contains("revoked");
            // the other viewer's stream goes on
            int before = otherMessages.get();
            await("the other client still receives").atMost(Duration.ofSeconds(10)).until(() -> otherMessages.get() > before + 5);
            assertThat(otherClose).isNotDone();
        } finally {
            other.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            if (!revokedClose.isDone()) {
                watched.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            }
        }
    }

    /** A WebSocket on the stream with this token; its close ("code reason") completes {@code closed}. */
    private static WebSocket openWatching(String token, CompletableFuture<String> closed,
                                          java.util.concurrent.atomic.AtomicInteger messages) throws Exception {
        return HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).header("Authorization", bearer(token))
                .buildAsync(URI.create("ws://127.0.0.1:" + app.port() + "/ws/streams/us1?encoding=jpeg"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletableFuture<?> onBinary(WebSocket w, java.nio.ByteBuffer data, boolean last) {
                                if (messages != null && last) {
                                    messages.incrementAndGet();
                                }
                                w.request(1);
                                return null;
                            }

                            @Override
                            public CompletableFuture<?> onText(WebSocket w, CharSequence data, boolean last) {
                                w.request(1);
                                return null;
                            }

                            @Override
                            public CompletableFuture<?> onClose(WebSocket w, int code, String reason) {
                                closed.complete(code + " " + reason);
                                return null;
                            }
                        }).get(20, TimeUnit.SECONDS);
    }
}
