package org.intravis.ui;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks every route of the real server's router ({@code router.getRoutes()}) and asks each, with each of its methods,
 * without a credential and then as a viewer: every one answers 401 without a credential unless it is one of the few
 * public ones listed here, and every change answers 403 to a viewer. A route added later is walked too, so it cannot
 * be open by mistake; a route whose path this walk cannot fill in fails the test until it is taught here.
 */
class EveryRouteIsGuardedTest {
    /** What may be reached without a credential: health (up or down), the login page, its assets, login and logout. */
    private static final Set<String> PUBLIC = Set.of("GET /health", "GET /login", "POST /api/login",
            "POST /api/logout");
    /** A value for each path parameter the routes use. */
    private static final Map<String, String> PARAMS = Map.of(":id", "us1", ":zone", "1", ":action", "pause");
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    static Path data;
    static Application app;
    static String viewer;

    @BeforeAll
    static void start() {
        viewer = new TokenStore(data).create("walker", Role.VIEWER).token();
        app = Application.start(ModuleSettings.validate(TestApps.config(data, "us1",
                "synthetic:ultrasound?width=320&height=240&fps=15", "none")));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    /** A request to make of a route: its method and a concrete path. */
    record Probe(HttpMethod method, String path) {
        @Override
        public String toString() {
            return method.name() + " " + path;
        }
    }

    static List<Probe> probes() {
        List<Probe> out = new ArrayList<>();
        for (Route r : app.server().router().getRoutes()) {
            // a route with :params is held as a regex, its name the path as written
            String path = r.getPath() != null ? r.getPath() : r.isRegexPath() ? r.getName() : null;
            if (path == null) {
                path = "/walk/unrouted"; // a route for every path: the access rules themselves, and the kiosk login
            } else {
                for (Map.Entry<String, String> p : PARAMS.entrySet()) {
                    path = path.replace(p.getKey(), p.getValue());
                }
                assertThat(path).as("route %s: a parameter or a regex this walk cannot fill in; teach it", r.getName())
                        .matches("[A-Za-z0-9/._-]*");
                if (!r.isExactPath()) {
                    path = path + (path.endsWith("/") ? "" : "/") + "index.html"; // a prefix route: one file under it
                }
            }
            Set<HttpMethod> methods = r.methods() == null || r.methods().isEmpty()
                    ? Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE) : r.methods();
            for (HttpMethod m : methods) {
                out.add(new Probe(m, path));
            }
        }
        return out;
    }

    static int status(Probe p, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(TestApps.url(app, p.path())))
                .timeout(Duration.ofSeconds(20))
                .method(p.method().name(), HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void everyRouteButThePublicOnesNeedsACredential() throws Exception {
        List<Probe> probes = probes();
        assertThat(probes).as("the walk found the server's routes").hasSizeGreaterThan(20);
        assertThat(probes.stream().map(Probe::toString)).as("the needle marks are walked too").contains(
                "GET /api/streams/us1/replay/needle-marks", "POST /api/streams/us1/replay/needle-marks",
                "DELETE /api/streams/us1/replay/needle-marks");
        List<String> open = new ArrayList<>();
        for (Probe p : probes) {
            int s = status(p, null);
            if (PUBLIC.contains(p.toString())) {
                assertThat(s).as("%s is public", p).isNotIn(401, 403);
            } else if (s != 401) {
                open.add(p + " -> " + s);
            }
        }
        assertThat(open).as("routes reachable without a credential").isEmpty();
    }

    @Test
    void everyChangeIsRefusedToAViewer() throws Exception {
        List<String> allowed = new ArrayList<>();
        for (Probe p : probes()) {
            boolean change = p.method() != HttpMethod.GET && p.method() != HttpMethod.HEAD;
            if (change && !PUBLIC.contains(p.toString())) {
                int s = status(p, viewer);
                if (s != 403) {
                    allowed.add(p + " -> " + s);
                }
            }
        }
        assertThat(allowed).as("changes a viewer could make").isEmpty();
        assertThat(status(new Probe(HttpMethod.GET, "/api/audit"), viewer)).isEqualTo(403);
        assertThat(status(new Probe(HttpMethod.GET, "/api/streams"), viewer)).isEqualTo(200);
    }
}
