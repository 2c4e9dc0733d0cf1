package org.intravis.ui;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/audit?from=N&limit=M}: the audit trail a page at a time (admins only, by {@link RequiredRole}):
 * entries from line {@code from} (default 1), at most {@code limit} (default 100, at most {@value #MAX_LIMIT}),
 * the total, and {@code next}, the {@code from} of the following page (null at the end).
 */
final class AuditRoutes {
    static final int MAX_LIMIT = 1000;

    private final AuditTrail audit;
    private final Vertx vertx;

    AuditRoutes(AuditTrail audit, Vertx vertx) {
        this.audit = audit;
        this.vertx = vertx;
    }

    void mount(Router router) {
        router.get("/api/audit").handler(this::page);
    }

    private void page(RoutingContext ctx) {
        long from;
        int limit;
        try {
            from = number(ctx, "from", 1);
            limit = (int) number(ctx, "limit", 100);
            if (from < 1 || limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            IntravisServer.json(ctx, 400, Map.of("error", "from must be a line number from 1 and limit 1.." + MAX_LIMIT));
            return;
        }
        vertx.executeBlocking(() -> audit.page(from, limit), false).onComplete(ar -> {
            if (ar.failed()) {
                IntravisServer.serverError(ctx, ar.cause());
                return;
            }
            AuditTrail.Page p = ar.result();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("from", from);
            body.put("total", p.total());
            long after = from + p.entries().size();
            body.put("next", after <= p.total() ? after : null);
            body.put("entries", p.entries());
            IntravisServer.json(ctx, 200, body);
        });
    }

    private static long number(RoutingContext ctx, String name, long fallback) {
        String v = ctx.request().getParam(name);
        return v == null ? fallback : Long.parseLong(v.trim());
    }
}
