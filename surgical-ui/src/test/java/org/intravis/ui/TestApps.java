package org.intravis.ui;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Configurations of the real application for tests (loopback, a free port, a data folder of the test's own), and
 * plain HTTP calls to it. */
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

    static HttpResponse<String> call(Application app, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A call with headers given as name, value, name, value...; redirects are not followed. */
    static HttpResponse<String> call(Application app, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(app, path))).timeout(java.time.Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String url(Application app, String path) {
        return "http://127.0.0.1:" + app.port() + path;
    }
}
