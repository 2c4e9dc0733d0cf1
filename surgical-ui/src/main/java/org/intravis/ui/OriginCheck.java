package org.intravis.ui;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.HttpException;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses (403) a request whose {@code Origin} is present and is neither this server's own (the scheme and
 * {@code Host} the request came with) nor listed in {@code server.allowedOrigins}: a page of another site in the
 * OR display's browser must not open the video WebSocket or change zones, even where the browser would send a
 * credential. A listed origin gets Vert.x's {@link CorsHandler} (credentials allowed, its preflights answered).
 * Requests without an {@code Origin} (programs, same-origin page loads) pass: the credential rules still apply.
 */
final class OriginCheck implements Handler<RoutingContext> {
    private final Set<String> allowed;
    private final CorsHandler cors;

    OriginCheck(List<String> allowedOrigins) {
        this.allowed = Set.copyOf(allowedOrigins.stream().map(OriginCheck::normalise).toList());
        this.cors = allowed.isEmpty() ? null : CorsHandler.create().addOrigins(List.copyOf(allowed))
                .allowCredentials(true)
                .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE))
                .allowedHeader("Authorization").allowedHeader("Content-Type")
                .allowedHeader("If-Match").exposedHeader("ETag"); // a zones client stores against what it read
    }

    @Override
    public void handle(RoutingContext ctx) {
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        if (origin == null || normalise(origin).equals(own(ctx))) {
            ctx.next();
        } else if (allowed.contains(normalise(origin))) {
            cors.handle(ctx);
        } else {
            ctx.fail(403, new HttpException(403, "Origin " + origin + " is not this server's (" + own(ctx)
                    + "): requests from other sites' pages are refused; list it in server.allowedOrigins to allow it"));
        }
    }

    /** This server's origin as the client addressed it. */
    private static String own(RoutingContext ctx) {
        String host = ctx.request().getHeader(HttpHeaders.HOST);
        if (host == null && ctx.request().authority() != null) {
            host = ctx.request().authority().toString();
        }
        return normalise(ctx.request().scheme() + "://" + host);
    }

    static String normalise(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }

    /** Checks one {@code server.allowedOrigins} entry: {@code scheme://host[:port]}, nothing after. */
    static void validate(String origin) {
        java.net.URI u;
        try {
            u = java.net.URI.create(origin);
        } catch (IllegalArgumentException e) {
            throw new UserError("server.allowedOrigins: '" + origin + "' is not an origin such as https://pacs.example:8443");
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null
                || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
                || u.getRawQuery() != null || u.getRawUserInfo() != null) {
            throw new UserError("server.allowedOrigins: '" + origin + "' is not an origin: http(s)://host[:port], "
                    + "no path, e.g. https://pacs.example:8443");
        }
    }
}
