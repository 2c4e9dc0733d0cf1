package org.intravis.ui;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Configurations of the real application for tests (loopback, a free port, a data folder of the test's own), its
 * start and stop, and plain HTTP calls to it. */
final class TestApps {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestApps() {
    }

    /** One stream {@code id} from {@code source} with {@code model} ("none": inference off). */
    static IntravisConfig config(Path dataDir, String id, String source, String model) {
        IntravisConfig c = new IntravisConfig();
        c.server.host = "127.0.0.1";
        c.server.port = 0;
        c.dataDir = dataDir.toString();
        IntravisConfig.Stream s = new IntravisConfig.Stream();
        s.id = id;
        s.source = source;
        s.model = model;
        c.streams = new ArrayList<>(List.of(s));
        c.inference.enabled = !"none".equals(model);
        c.inference.maxBatch = 2;
        return c;
    }

    /** {@code yaml} written to a file in {@code dir}, read as {@code intravis run --config} reads it, and validated. */
    static IntravisConfig fromYaml(Path dir, String yaml) throws IOException {
        return ModuleSettings.validate(ConfigLoader.load(Files.writeString(dir.resolve("c.yaml"), yaml)));
    }

    /** The application started on {@code config} as {@code intravis run} starts it (validated first). */
    static Application start(IntravisConfig config) {
        return Application.start(ModuleSettings.validate(config));
    }

    /** Closes {@code app} if its start got that far (an {@code @AfterAll} runs after a failed {@code @BeforeAll} too). */
    static void stop(Application app) {
        if (app != null) {
            app.close();
        }
    }

    static HttpResponse<String> call(Application app, String method, String path, String body) throws Exception {
        // bounded: a request the server never answers fails the test instead of hanging the build
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(app, path))).timeout(Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A call with headers given as name, value, name, value...; redirects are not followed. */
    static HttpResponse<String> call(Application app, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(app, path))).timeout(Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A fuzzed JSON body sent as a browser's page sends it: the answer must come within 10 s (a request the server
     * never answers fails the property instead of hanging it).
     */
    static HttpResponse<String> sendJson(Application app, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(app, path))).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A WebSocket {@code path} on {@code app}: wss where it serves TLS, else ws. */
    static URI webSocket(Application app, String path) {
        return URI.create(url(app, path).replaceFirst("^http", "ws"));
    }

    /** {@code path} on {@code app}, over https where it serves TLS. */
    static String url(Application app, String path) {
        return app.scheme() + "://127.0.0.1:" + app.port() + path;
    }
}
