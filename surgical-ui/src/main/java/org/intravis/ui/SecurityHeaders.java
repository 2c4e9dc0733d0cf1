package org.intravis.ui;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The headers every HTTP response carries, whatever answers it (a page, the API, an error): a Content-Security-Policy
 * that lets the pages load and connect to this server only, with no inline script and no framing by another site;
 * no MIME sniffing; no Referer (a stream's address can name a patient's case). Mounted as the router's first route,
 * and set when the headers are written, so a later handler's 401, 404 or 500 carries them too.
 */
final class SecurityHeaders {
    /**
     * Everything from this origin only; {@code data:} images for the pages' empty favicon ({@code href="data:,"});
     * {@code connect-src 'self'} covers the WebSocket on the same host and port (ws: or wss:).
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    private SecurityHeaders() {
    }

    /** Adds the headers to every response the router sends. Call before any other route is added. */
    static void mount(Router router) {
        router.route().handler(SecurityHeaders::onRequest);
    }

    private static void onRequest(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> apply(ctx.response()));
        ctx.next();
    }

    static void apply(HttpServerResponse response) {
        response.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY"); // frame-ancestors for browsers without CSP level 2
    }
}
