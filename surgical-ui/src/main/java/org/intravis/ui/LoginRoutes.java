package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The browsers' ways in: {@code POST /api/login} with {@code {"token": "..."}} (the login page) and a viewer token in
 * a page's address once ({@code /display?stream=us1&token=...}, for a kiosk display that nobody types into); either
 * becomes the session's user and the cookie, and the address is sent back without the token so that it leaves the
 * address bar and the history. {@code POST /api/logout} ends the session. Each login, good or bad, is audited.
 */
final class LoginRoutes {
    static final String TOKEN_PARAM = "token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AccessRules rules;

    LoginRoutes(AccessRules rules) {
        this.rules = rules;
    }

    void mount(Router router) {
        router.post("/api/login").handler(BodyHandler.create().setBodyLimit(4096)).handler(this::login);
        router.post("/api/logout").handler(this::logout);
        router.get().handler(this::tokenInAddress);
    }

    private void login(RoutingContext ctx) {
        String token;
        try {
            JsonNode body = JSON.readTree(ctx.body().asString());
            if (body == null || !body.path("token").isTextual()) {
                throw new IllegalArgumentException();
            }
            token = body.get("token").asText().trim();
        } catch (Exception e) {
            IntravisServer.json(ctx, 400, Map.of("error", "the body must be {\"token\": \"...\"}"));
            return;
        }
        rules.check(ctx, token, "login page").onSuccess(u -> start(ctx, u, "login page", () ->
                IntravisServer.json(ctx, 200, Map.of("user", u.principal().getString("username"),
                        "role", u.principal().getString("role"))))).onFailure(ctx::fail);
    }

    private void logout(RoutingContext ctx) {
        if (ctx.session() != null) {
            ctx.session().destroy();
        }
        ctx.response().setStatusCode(204).end();
    }

    /** A page asked for with {@code ?token=}: only a viewer token, since an address is seen and kept by others. */
    private void tokenInAddress(RoutingContext ctx) {
        String token = ctx.request().getParam(TOKEN_PARAM);
        if (token == null || ctx.request().canUpgradeToWebSocket()) {
            ctx.next();
            return;
        }
        rules.check(ctx, token, "address").onSuccess(u -> {
            if (!Role.VIEWER.id().equals(u.principal().getString("role"))) {
                ctx.fail(403, new HttpException(403, "only a viewer token may be given in an address (it is kept in "
                        + "histories and logs); log in at /login with this " + u.principal().getString("role") + " token"));
                return;
            }
            start(ctx, u, "address", () -> ctx.response().setStatusCode(303)
                    .putHeader(HttpHeaders.LOCATION, withoutToken(ctx)).putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .end());
        }).onFailure(ctx::fail);
    }

    /** The session's user is {@code u} from now on (a new session id: no fixation); then {@code answer}. */
    private void start(RoutingContext ctx, User u, String via, Runnable answer) {
        if (ctx.session() != null) {
            ctx.session().regenerateId();
        }
        rules.sessions().setUser(ctx, u).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(500, ar.cause());
                return;
            }
            AuditTrail.Actor who = AccessRules.actor(ctx);
            rules.vertx().executeBlocking(() -> {
                rules.audit().append(who, null, "login.success", Map.of("via", via));
                return null;
            }, false);
            answer.run();
        });
    }

    /** The address asked for, less its {@code token} parameter, on this server. */
    static String withoutToken(RoutingContext ctx) {
        String query = ctx.queryParams().entries().stream().filter(e -> !e.getKey().equals(TOKEN_PARAM))
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        // a path starting "//" would be read as another host: the redirect stays on this one
        String path = "/" + ctx.request().path().replaceFirst("^[/\\\\]+", "");
        return path + (query.isEmpty() ? "" : "?" + query);
    }
}
