package org.intravis.ui;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The access rules over HTTPS: the session cookie is marked Secure, and the server's own origin is its https one.
 */
class SecureCookieTest {
    @TempDir
    static Path dir;
    static Application app;
    static HttpClient https;
    static String operator;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "server");
        Path data = dir.resolve("data");
        operator = new TokenStore(data).create("dr-lee", Role.OPERATOR).token();
        app = Application.start(ModuleSettings.validate(certs.withTls(TestApps.config(data, "us1",
                "synthetic:ultrasound?width=320&height=240&fps=15", "none"))));
        https = HttpClient.newBuilder().sslContext(certs.trusting()).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSessionCookieIsSecureUnderTls() throws Exception {
        assertThat(send("GET", "/api/streams", null).statusCode()).isEqualTo(401);
        HttpResponse<String> login = send("POST", "/api/login", "{\"token\": \"" + operator + "\"}");
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String setCookie = login.headers().firstValue("set-cookie").orElseThrow();
        assertThat(setCookie).contains("Secure").containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(send("GET", "/api/streams", null, "Cookie", cookie).statusCode()).isEqualTo(200);

        String zones = "[{\"id\": 1, \"label\": \"a\", \"points\": [[1, 1], [50, 1], [25, 40]]}]";
        assertThat(send("PUT", "/api/streams/us1/zones", zones, "Cookie", cookie,
                "Origin", "https://127.0.0.1:" + app.port()).statusCode()).as("its own https origin").isEqualTo(204);
        assertThat(send("PUT", "/api/streams/us1/zones", zones, "Cookie", cookie,
                "Origin", "http://127.0.0.1:" + app.port()).statusCode()).as("the http origin is another").isEqualTo(403);
    }
}
