package org.intravis.ui;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authorization.Authorization;
import io.vertx.ext.auth.authorization.RoleBasedAuthorization;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthorizationHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
import io.vertx.ext.web.sstore.LocalSessionStore;
import org.intravis.streamer.StreamHub;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may reach what (docs/security.md), mounted in front of every route of the server: the {@link OriginCheck},
 * Vert.x's session handler (the browsers' cookie: HttpOnly, SameSite=Strict, Secure under TLS), the login routes,
 * then for every request but the public ones a credential (the session's user, or {@code Authorization: Bearer}
 * through Vert.x's {@link SimpleAuthenticationHandler}) and the role {@link RequiredRole} asks for (Vert.x's
 * {@link AuthorizationHandler} over role-based authorizations). 401 without a credential (a browser asking for a page
 * is sent to the login page instead), 403 for a role that may not, 429 while an address is throttled.
 * <p>
 * Without tokens, and only while the server is on loopback, everything is open: a fresh install on one machine works
 * as before. Tokens created or revoked while the server runs take effect within {@link #REFRESH_MS}.
 */
final class AccessRules {
    static final String SESSION_COOKIE = "intravis.session";
    /**
     * A session is only a handle on its token (revoking the token ends it at its next request), so it may idle long:
     * an OR display connected for weeks must still be let in when it reconnects, also after its browser restarted.
     */
    static final long SESSION_TIMEOUT_MS = 30L * 24 * 3600 * 1000;
    static final long REFRESH_MS = 1000;
    /** Reachable without a credential: health (up or down only) and the login page with its own assets. */
    static final Set<String> PUBLIC_GET = Set.of("/health", "/login", "/login.html", "/js/login.js", "/css/login.css");
    /** Reachable without a credential: logging in and out. */
    static final Set<String> PUBLIC_POST = Set.of("/api/login", "/api/logout");
    private static final String SKIP = "intravis.access.open";
    private static final String NEEDS = "intravis.access.needs";

    private final Vertx vertx;
    private final TokenStore tokens;
    private final AuditTrail audit;
    private final LoginThrottle throttle = new LoginThrottle();
    private final boolean loopbackOnly;
    private final OriginCheck origins;
    private final SessionHandler sessions;
    private final SimpleAuthenticationHandler bearer;
    private final Map<Role, AuthorizationHandler> roles = new EnumMap<>(Role.class);

    AccessRules(Vertx vertx, TokenStore tokens, AuditTrail audit, List<String> allowedOrigins, boolean loopbackOnly,
                boolean secureCookies) {
        this.vertx = vertx;
        this.tokens = tokens;
        this.audit = audit;
        this.loopbackOnly = loopbackOnly;
        this.origins = new OriginCheck(allowedOrigins);
        this.sessions = SessionHandler.create(LocalSessionStore.create(vertx))
                .setSessionCookieName(SESSION_COOKIE)
                .setCookieHttpOnlyFlag(true)
                .setCookieSameSite(CookieSameSite.STRICT)
                .setCookieSecureFlag(secureCookies)
                .setNagHttps(false) // plain HTTP on loopback is the supported open mode; TLS is the other
                .setLazySession(true) // no session for anonymous requests, so they cannot fill the store
                .setSessionTimeout(SESSION_TIMEOUT_MS)
                .setCookieMaxAge(SESSION_TIMEOUT_MS / 1000);
        this.bearer = SimpleAuthenticationHandler.create().authenticate(this::fromBearer);
        for (Role r : Role.values()) {
            roles.put(r, AuthorizationHandler.create(RoleBasedAuthorization.create(r.id())));
        }
    }

    /** Open: no tokens exist and nothing but this machine can connect. */
    boolean open() {
        return loopbackOnly && tokens.isEmpty();
    }

    AuditTrail audit() {
        return audit;
    }

    SessionHandler sessions() {
        return sessions;
    }

    Vertx vertx() {
        return vertx;
    }

    /**
     * Mounts the rules first on {@code router}: every route mounted after them is behind them. The streams' clients
     * ({@code hub}) outlive the request that let them in, so a revoked token's are closed when the file is re-read.
     */
    void mount(Router router, StreamHub hub) {
        vertx.setPeriodic(REFRESH_MS, t -> vertx.executeBlocking(() -> {
            tokens.refresh();
            hub.closeClients(id -> tokens.byId(id).isEmpty(), "the token was revoked: log in again");
            return null;
        }, false));
        router.route().handler(origins);
        // a program's Bearer call carries its credential each time: no session (nor cookie) is made for it
        router.route().handler(ctx -> {
            if (ctx.request().headers().contains(HttpHeaders.AUTHORIZATION)) {
                ctx.next();
            } else {
                sessions.handle(ctx);
            }
        });
        new LoginRoutes(this).mount(router);
        router.route().handler(this::authenticate).handler(this::stillValid).handler(this::authorize);
        for (int status : new int[] {401, 403, 429}) {
            router.errorHandler(status, this::refuse);
        }
    }

    private boolean isPublic(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        HttpMethod m = ctx.request().method();
        return ((m == HttpMethod.GET || m == HttpMethod.HEAD) && PUBLIC_GET.contains(path))
                || (m == HttpMethod.POST && PUBLIC_POST.contains(path));
    }

    private void authenticate(RoutingContext ctx) {
        if (open() || isPublic(ctx)) {
            ctx.put(SKIP, true);
            ctx.next();
        } else {
            bearer.handle(ctx); // a session's user passes at once; otherwise the Authorization header is checked
        }
    }

    /** A session outlives nothing: its token must still exist, with the same role. */
    private void stillValid(RoutingContext ctx) {
        if (ctx.get(SKIP) != null) {
            ctx.next();
            return;
        }
        JsonObject p = ctx.user().principal();
        String tokenId = p.getString("tokenId", "");
        Optional<TokenStore.Entry> e = tokens.byId(tokenId);
        if (e.isEmpty() || !e.get().role().id().equals(p.getString("role"))) {
            if (ctx.session() != null) {
                ctx.session().destroy();
            }
            ctx.fail(401, new HttpException(401, "the token '" + p.getString("username") + "' was revoked: log in again"));
            return;
        }
        ctx.put(StreamHub.CREDENTIAL, tokenId); // a stream's client remembers it: revoking the token closes it
        ctx.next();
    }

    private void authorize(RoutingContext ctx) {
        if (ctx.get(SKIP) != null) {
            ctx.next();
            return;
        }
        Role needs = RequiredRole.of(ctx.request().method(), ctx.normalizedPath());
        ctx.put(NEEDS, needs);
        roles.get(needs).handle(ctx);
    }

    private Future<User> fromBearer(RoutingContext ctx) {
        String h = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Future.failedFuture(new HttpException(401, "a credential is needed: send 'Authorization: Bearer "
                    + "TOKEN', or log in at /login (docs/security.md)"));
        }
        return check(ctx, h.substring(7).trim(), "bearer");
    }

    /**
     * Checks a token on a worker thread (the first check of a token is a slow hash): the user, or a failed future
     * with 401 (recorded in the audit trail and counted against the address) or 429 (throttled).
     */
    Future<User> check(RoutingContext ctx, String token, String via) {
        String address = address(ctx);
        long wait = throttle.retryAfterSeconds(address);
        if (wait > 0) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait));
            return Future.failedFuture(new HttpException(429, "too many failed logins from " + address
                    + ": try again in " + wait + " s"));
        }
        return vertx.executeBlocking(() -> {
            Optional<TokenStore.Entry> e = tokens.verify(token);
            if (e.isEmpty()) {
                throttle.failed(address);
                audit.append(new AuditTrail.Actor("?", "none", address), null, "login.failure", Map.of("via", via));
            }
            return e;
        }, false).compose(e -> e.isPresent() ? Future.succeededFuture(user(e.get()))
                : Future.failedFuture(new HttpException(401, "the token is not valid (revoked, or mistyped)")));
    }

    static User user(TokenStore.Entry e) {
        User u = User.create(new JsonObject().put("username", e.name()).put("role", e.role().id())
                .put("tokenId", e.id()));
        Set<Authorization> granted = e.role().included().stream()
                .map(r -> (Authorization) RoleBasedAuthorization.create(r.id())).collect(Collectors.toSet());
        u.authorizations().put("intravis", granted);
        return u;
    }

    /** Who a request is, for the audit trail: its token's name and role, or {@code local} on an open server. */
    static AuditTrail.Actor actor(RoutingContext ctx) {
        User u = ctx.user();
        if (u == null) {
            return new AuditTrail.Actor("local", "open", address(ctx));
        }
        return new AuditTrail.Actor(u.principal().getString("username"), u.principal().getString("role"), address(ctx));
    }

    static String address(RoutingContext ctx) {
        return ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
    }

    /** The answer to a refusal: a browser asking for a page goes to the login page; everything else gets JSON. */
    private void refuse(RoutingContext ctx) {
        int status = ctx.statusCode();
        String message = ctx.failure() instanceof HttpException he && he.getPayload() != null ? he.getPayload() : null;
        if (status == 401 && message == null) {
            message = "a credential is needed: send 'Authorization: Bearer TOKEN', or log in at /login";
        }
        if (status == 403 && message == null) {
            Role needs = ctx.get(NEEDS);
            User u = ctx.user();
            message = (u == null ? "this" : "token '" + u.principal().getString("username") + "' is a "
                    + u.principal().getString("role") + ": this") + " needs the "
                    + (needs == null ? "right" : needs.id()) + " role";
        }
        if (ctx.response().headWritten()) {
            ctx.response().reset();
            return;
        }
        boolean pageWanted = status == 401 && ctx.request().method() == HttpMethod.GET
                && !ctx.request().canUpgradeToWebSocket() // a WebSocket handshake gets its 401 (another Upgrade is no sign)
                && String.valueOf(ctx.request().getHeader(HttpHeaders.ACCEPT)).contains("text/html");
        if (pageWanted) {
            String next = LoginRoutes.withoutToken(ctx); // a refused token in the address is not carried on
            ctx.response().setStatusCode(302).putHeader(HttpHeaders.LOCATION, "/login?next="
                    + URLEncoder.encode(next, StandardCharsets.UTF_8)).end();
            return;
        }
        if (status == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"intravis\"");
        }
        IntravisServer.json(ctx, status, Map.of("error", message == null ? "refused" : message));
    }
}
