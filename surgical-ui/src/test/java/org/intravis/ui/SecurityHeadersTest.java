package org.intravis.ui;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every response of the real application carries the security headers: each page and asset in the jar's webroot,
 * every API route (answers, 4xx and 404 alike), health, metrics, the MJPEG stream; and the pages contain no inline
 * script, inline style or inline event handler that the Content-Security-Policy would block.
 */
class SecurityHeadersTest {
    @TempDir
    static Path data;
    static Application app;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        app = Application.start(ModuleSettings.validate(TestApps.config(data, "us1",
                "synthetic:ultrasound?width=320&height=240&fps=30&seed=3", "none")));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    /**
     * The server speaks HTTP/1.1 in clear text and never switches to HTTP/2 there (h2c): an upgrade request is
     * answered as HTTP/1.1, and HTTP/2 with prior knowledge gets no HTTP/2 frames back.
     */
    @Test
    void cleartextHttp2IsNotSpoken() throws Exception {
        String upgrade = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n";
        assertThat(firstBytes(upgrade)).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("upgrade: h2c");
        String answer = firstBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        // an HTTP/2 server answers the preface with a SETTINGS frame (type 4 in the frame's fourth byte)
        assertThat(answer.length() >= 4 && answer.charAt(3) == 4).as("an HTTP/2 SETTINGS frame: %s", answer).isFalse();
    }

    /** What the server sends first (up to 300 bytes, until it stops for a second) on a new connection after
     * {@code request}. */
    private static String firstBytes(String request) throws Exception {
        java.net.URI u = java.net.URI.create(TestApps.url(app, "/"));
        try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(1000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            byte[] buf = new byte[300];
            int n = 0;
            try {
                int r;
                while (n < buf.length && (r = s.getInputStream().read(buf, n, buf.length - n)) > 0) {
                    n += r;
                }
            } catch (java.net.SocketTimeoutException e) {
                // the server said what it had to say
            }
            return new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /** Every file the pages are served from, by its address. */
    static List<String> webrootFiles() throws Exception {
        Path root = Path.of(SecurityHeadersTest.class.getResource("/webroot/index.html").toURI()).getParent();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> "/" + root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    @Test
    void everyPageAssetAndApiResponseCarriesTheHeaders() throws Exception {
        List<String[]> requests = new ArrayList<>();
        for (String f : webrootFiles()) {
            requests.add(new String[]{"GET", f});
        }
        assertThat(requests).extracting(r -> r[1]).contains("/index.html", "/display.html", "/js/display.js",
                "/css/display.css");
        for (String path : List.of("/", "/display", "/surgeon", "/health", "/metrics", "/api/streams", "/api/streams/us1",
                "/api/streams/nope", "/api/inference", "/api/streams/us1/zones", "/api/streams/us1/clients",
                "/api/streams/us1/recording", "/api/recordings", "/api/streams/us1/replay", "/api/streams/us1/snapshot.jpg",
                "/no/such/page", "/ws/streams/us1")) { // the WebSocket's address without an upgrade
            requests.add(new String[]{"GET", path});
        }
        requests.add(new String[]{"POST", "/api/streams/us1/inference/sideways"});
        requests.add(new String[]{"PUT", "/api/streams/us1/zones"}); // no body: refused, with the headers
        requests.add(new String[]{"DELETE", "/api/streams/nope/zones"});
        List<String> statuses = new ArrayList<>();
        for (String[] r : requests) {
            HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create(TestApps.url(app, r[1])))
                    .timeout(java.time.Duration.ofSeconds(10)).method(r[0], HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            statuses.add(r[0] + " " + r[1] + " " + res.statusCode());
            assertHeaders(r[0] + " " + r[1] + " (" + res.statusCode() + ")", res.headers());
        }
        // the answers are real ones, good and bad: not one catch-all
        assertThat(statuses).contains("GET /api/streams 200", "GET /no/such/page 404", "GET /api/streams/nope 404",
                "POST /api/streams/us1/inference/sideways 409",
                "GET /ws/streams/us1 400"); // a GET without an upgrade is refused at once (it used to hang)
    }

    @Test
    void theMjpegStreamCarriesTheHeaders() throws Exception {
        HttpResponse<InputStream> res = HTTP.send(HttpRequest.newBuilder(URI.create(TestApps.url(app,
                "/streams/us1/burned.mjpeg"))).timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = res.body()) {
            assertThat(res.statusCode()).isEqualTo(200);
            assertHeaders("MJPEG", res.headers());
        }
    }

    @Test
    void thePagesHaveNoInlineScriptStyleOrEventHandler() throws Exception {
        for (String f : webrootFiles()) {
            if (!f.endsWith(".html")) {
                continue;
            }
            String html = TestApps.call(app, "GET", f, null).body();
            assertThat(html).as(f).doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>")
                    .doesNotContainPattern("(?i)\\son[a-z]+\\s*=").doesNotContain("<style").doesNotContain(" style=")
                    .doesNotContainPattern("(?i)(src|href)=\"(https?:)?//");
        }
    }

    static void assertHeaders(String what, HttpHeaders h) {
        String csp = h.firstValue("content-security-policy").orElse(null);
        assertThat(csp).as(what + ": Content-Security-Policy").isEqualTo(SecurityHeaders.CONTENT_SECURITY_POLICY)
                .contains("frame-ancestors 'none'").contains("script-src 'self'").doesNotContain("unsafe-inline")
                .doesNotContainPattern("https?:|\\*");
        assertThat(h.firstValue("x-content-type-options")).as(what).hasValue("nosniff");
        assertThat(h.firstValue("referrer-policy")).as(what).hasValue("no-referrer");
    }
}
