package org.intravis.ui;

import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import org.intravis.capture.SourceUri;

import java.util.Map;
import java.util.Optional;

/**
 * What the routes on one stream ({@code /api/streams/ID/...}) work with: the engine whose streams the path names, the
 * Vert.x whose worker threads take the blocking work (never the event loop), and the audit trail. {@link
 * IntravisServer} builds one and hands it to each route group ({@link ZoneRoutes}, {@link RecordingRoutes}), and uses
 * it for its own stream routes.
 */
record StreamRequests(Engine engine, Vertx vertx, AuditTrail trail) {
    /** The path's stream, or empty with the 404 answered. */
    Optional<Engine.EngineStream> stream(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Optional<Engine.EngineStream> s = engine.stream(id);
        if (s.isEmpty()) {
            IntravisServer.json(ctx, 404, Map.of("error", "no stream '" + id + "'"));
        }
        return s;
    }

    /** The path's stream with the replay it plays, or empty with the 404 answered (no such stream, or not a replay). */
    Optional<Engine.EngineStream> replayed(RoutingContext ctx) {
        Optional<Engine.EngineStream> s = stream(ctx);
        if (s.isPresent() && s.get().replay() == null) {
            IntravisServer.json(ctx, 404, Map.of("error", "stream '" + s.get().id() + "' is not a replay (its source is "
                    + SourceUri.redact(s.get().settings().source) + "; replay with --source recording:DIR)"));
            return Optional.empty();
        }
        return s;
    }

    /**
     * Appends to the audit trail on a worker thread (a file write), after the action took effect, and only then
     * answers: an acknowledged change is already in the trail, so a client's sequence of changes is audited in its
     * order (answering first let the next request's entry overtake this one).
     */
    void auditThenAnswer(RoutingContext ctx, String stream, String action, Object detail, Runnable answer) {
        AuditTrail.Actor who = AccessRules.actor(ctx);
        vertx.executeBlocking(() -> {
            trail.append(who, stream, action, detail);
            return null;
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                IntravisServer.serverError(ctx, ar.cause());
            } else {
                answer.run();
            }
        });
    }
}
