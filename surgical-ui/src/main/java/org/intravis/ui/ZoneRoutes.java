package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.intravis.inference.NoGoZone;
import org.intravis.inference.ZoneStore;

import java.util.Map;

/**
 * The surgeon's no-go zones over REST, per stream (polygons in frame pixels):
 * <pre>
 *   GET    /api/streams/ID/zones            the stream's zones
 *   PUT    /api/streams/ID/zones            [{"id": 1, "label": "...", "points": [[x,y], ...]}, ...] replaces them
 *                                           (the surgeon's page; docs/protocol.md) -&gt; 204, or 400 and why; with
 *                                           If-Match (the ETag of a GET or PUT), only if no other change came
 *                                           since, else 412 with the zones as they are now
 *   POST   /api/streams/ID/zones            {"label": "...", "points": [[x,y], ...]} -&gt; 201 and the zone
 *   DELETE /api/streams/ID/zones/ZONE       one zone (204, or 404)
 *   DELETE /api/streams/ID/zones            all of the stream's zones ({"removed": n})
 * </pre>
 * Writes persist to the data folder, so they run on a worker thread, never on the event loop. The inference
 * workers see a change with their next frame. Limits (400 with the reason): 3 to {@value ZoneStore#MAX_VERTICES}
 * points, each {@code [x, y]} with two finite JSON numbers (not strings); a label, when given, a string of at most
 * {@value ZoneStore#MAX_LABEL_LENGTH} characters; {@value ZoneStore#MAX_ZONES_PER_STREAM} zones per stream; a body
 * of at most 64 KiB (413 beyond). Every change is in the audit trail with the stream's zones before and after it.
 */
final class ZoneRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    private final ZoneStore zones;
    private final StreamRequests requests;

    ZoneRoutes(ZoneStore zones, StreamRequests requests) {
        this.zones = zones;
        this.requests = requests;
    }

    /** Records a change with the zones before and after it (on the worker thread that made it). */
    private void audited(AuditTrail.Actor who, String id, String action, java.util.List<NoGoZone> before) {
        Map<String, Object> detail = new java.util.LinkedHashMap<>();
        detail.put("before", before);
        detail.put("after", zones.list(id));
        requests.trail().append(who, id, action, detail);
    }

    void mount(Router router) {
        router.get("/api/streams/:id/zones").handler(this::list);
        router.put("/api/streams/:id/zones").handler(BodyHandler.create().setBodyLimit(MAX_BODY)).handler(this::replace);
        router.post("/api/streams/:id/zones").handler(BodyHandler.create().setBodyLimit(MAX_BODY)).handler(this::add);
        router.delete("/api/streams/:id/zones/:zone").handler(this::remove);
        router.delete("/api/streams/:id/zones").handler(this::clear);
    }

    private void list(RoutingContext ctx) {
        if (requests.stream(ctx).isPresent()) {
            ZoneStore.Snapshot now = zones.snapshot(ctx.pathParam("id"));
            ctx.response().putHeader("ETag", quoted(now.tag()));
            IntravisServer.json(ctx, 200, now.zones());
        }
    }

    private void add(RoutingContext ctx) {
        if (requests.stream(ctx).isEmpty()) {
            return;
        }
        String id = ctx.pathParam("id");
        String label;
        double[][] points;
        try {
            JsonNode body = JSON.readTree(ctx.body().asString());
            if (body == null || !body.isObject() || !body.has("points")) {
                throw new IllegalArgumentException("the body must be {\"label\": \"...\", \"points\": [[x, y], ...]}");
            }
            label = label(body);
            points = points(body.get("points"));
        } catch (Exception e) {
            IntravisServer.json(ctx, 400, Map.of("error", "bad zone: " + e.getMessage()));
            return;
        }
        AuditTrail.Actor who = AccessRules.actor(ctx);
        requests.vertx().executeBlocking(() -> {
            java.util.List<NoGoZone> before = zones.list(id);
            NoGoZone added = zones.add(id, label, points);
            audited(who, id, "zones.add", before);
            return added;
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                IntravisServer.json(ctx, 201, ar.result());
            } else if (ar.cause() instanceof IllegalArgumentException) {
                IntravisServer.json(ctx, 400, Map.of("error", "bad zone: " + ar.cause().getMessage()));
            } else {
                IntravisServer.serverError(ctx, ar.cause());
            }
        });
    }

    private void replace(RoutingContext ctx) {
        if (requests.stream(ctx).isEmpty()) {
            return;
        }
        String id = ctx.pathParam("id");
        java.util.List<NoGoZone> list = new java.util.ArrayList<>();
        try {
            JsonNode body = JSON.readTree(ctx.body().asString());
            if (body == null || !body.isArray()) {
                throw new IllegalArgumentException("the body must be a list [{\"id\": 1, \"label\": \"...\", "
                        + "\"points\": [[x, y], ...]}, ...]");
            }
            for (JsonNode z : body) {
                if (!z.isObject() || !z.has("id") || !z.get("id").canConvertToInt() || !z.has("points")) {
                    throw new IllegalArgumentException("every zone needs a whole-number id and points");
                }
                list.add(new NoGoZone(z.get("id").asInt(), id, label(z), points(z.get("points")), 0));
            }
        } catch (Exception e) {
            IntravisServer.json(ctx, 400, Map.of("error", "bad zones: " + e.getMessage()));
            return;
        }
        String readTag = readTag(ctx.request().getHeader("If-Match"));
        AuditTrail.Actor who = AccessRules.actor(ctx);
        requests.vertx().executeBlocking(() -> {
            java.util.List<NoGoZone> before = zones.list(id);
            zones.replace(id, list, readTag);
            audited(who, id, "zones.replace", before);
            return zones.snapshot(id).tag();
        }, false).onComplete(ar -> {
            if (ar.succeeded()) {
                ctx.response().putHeader("ETag", quoted(ar.result())).setStatusCode(204).end();
            } else if (ar.cause() instanceof ZoneStore.ChangedElsewhere changed) {
                ctx.response().putHeader("ETag", quoted(changed.current().tag()));
                IntravisServer.json(ctx, 412,
                        Map.of("error", changed.getMessage(), "zones", changed.current().zones()));
            } else if (ar.cause() instanceof IllegalArgumentException) {
                IntravisServer.json(ctx, 400, Map.of("error", "bad zones: " + ar.cause().getMessage()));
            } else {
                IntravisServer.serverError(ctx, ar.cause());
            }
        });
    }

    private static String quoted(String tag) {
        return '"' + tag + '"';
    }

    /** The tag an If-Match header names (null without one, or for "*": any zones will do). */
    private static String readTag(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return null;
        }
        String t = ifMatch.trim();
        if (t.startsWith("W/")) {
            t = t.substring(2);
        }
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    /** The zone's label: absent is empty; anything but a string is refused. */
    private static String label(JsonNode zone) {
        JsonNode l = zone.get("label");
        if (l == null || l.isNull()) {
            return "";
        }
        if (!l.isTextual()) {
            throw new IllegalArgumentException("a label must be a string");
        }
        return l.asText();
    }

    /**
     * The points as numbers: Jackson would turn {@code "12"} into 12 and {@code "NaN"} into NaN; a coordinate must be
     * a JSON number. (Counts and finiteness are the store's to check.)
     */
    private static double[][] points(JsonNode points) {
        if (points == null || !points.isArray()) {
            throw new IllegalArgumentException("points must be a list [[x, y], ...]");
        }
        double[][] out = new double[points.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonNode p = points.get(i);
            if (!p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
                throw new IllegalArgumentException("point " + i + " must be [x, y] with two numbers, was " + p);
            }
            out[i] = new double[] {p.get(0).asDouble(), p.get(1).asDouble()};
        }
        return out;
    }

    private void remove(RoutingContext ctx) {
        if (requests.stream(ctx).isEmpty()) {
            return;
        }
        String id = ctx.pathParam("id");
        int zone;
        try {
            zone = Integer.parseInt(ctx.pathParam("zone"));
        } catch (NumberFormatException e) {
            IntravisServer.json(ctx, 400, Map.of("error", "zone id '" + ctx.pathParam("zone") + "' is not a number"));
            return;
        }
        AuditTrail.Actor who = AccessRules.actor(ctx);
        requests.vertx().executeBlocking(() -> {
            java.util.List<NoGoZone> before = zones.list(id);
            boolean removed = zones.remove(id, zone);
            if (removed) {
                audited(who, id, "zones.remove", before);
            }
            return removed;
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                IntravisServer.serverError(ctx, ar.cause());
            } else if (ar.result()) {
                ctx.response().setStatusCode(204).end();
            } else {
                IntravisServer.json(ctx, 404, Map.of("error", "stream '" + id + "' has no zone " + zone));
            }
        });
    }

    private void clear(RoutingContext ctx) {
        if (requests.stream(ctx).isEmpty()) {
            return;
        }
        String id = ctx.pathParam("id");
        AuditTrail.Actor who = AccessRules.actor(ctx);
        requests.vertx().executeBlocking(() -> {
            java.util.List<NoGoZone> before = zones.list(id);
            int removed = zones.clear(id);
            audited(who, id, "zones.clear", before);
            return removed;
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                IntravisServer.serverError(ctx, ar.cause());
            } else {
                IntravisServer.json(ctx, 200, Map.of("removed", ar.result()));
            }
        });
    }
}
