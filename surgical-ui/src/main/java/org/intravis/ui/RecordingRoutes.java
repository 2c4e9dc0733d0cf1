package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.intravis.capture.ReplayState;
import org.intravis.streamer.Recorder;
import org.intravis.streamer.RecordingStatus;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Recording and replay over REST (README, docs/protocol.md):
 * <pre>
 *   POST /api/streams/ID/recording/start   starts recording the stream -&gt; 200 and its status; 409 and the status
 *                                          with {@code error} when it cannot (read-only folder, full disk)
 *   POST /api/streams/ID/recording/stop    stops it (the open segment is closed) -&gt; 200 and its status
 *   GET  /api/streams/ID/recording         state, folder, segments, frames written/dropped, bytes, error
 *   GET  /api/recordings                   the recorded sessions with their manifests' summaries
 *   GET  /api/streams/ID/replay            a replayed stream's position, speed, annotation source, alert marks
 *   POST /api/streams/ID/replay            {"action": "play" | "pause" | "step" | "seek" | "speed" | "annotations"
 *                                          | "keep", ...}; {"action": "keep", "keep": true} keeps the replayed session
 *                                          as a teaching case (recording retention never removes it), false releases it
 * </pre>
 * Starting and stopping touch the disk, so they run on a worker thread, never on the event loop. Each start, stop
 * and replay control is in the audit trail.
 */
final class RecordingRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StreamRequests requests;

    RecordingRoutes(StreamRequests requests) {
        this.requests = requests;
    }

    void mount(Router router) {
        router.post("/api/streams/:id/recording/:action").handler(this::recordingAction);
        router.get("/api/streams/:id/recording").handler(ctx -> recorder(ctx).ifPresent(r ->
                IntravisServer.json(ctx, 200, r.status())));
        router.get("/api/recordings").handler(ctx -> requests.vertx().executeBlocking(() -> requests.engine().recordings().sessions(), false)
                .onComplete(ar -> IntravisServer.json(ctx, ar.succeeded() ? 200 : 500,
                        ar.succeeded() ? ar.result() : Map.of("error", String.valueOf(ar.cause())))));
        router.get("/api/streams/:id/replay").handler(ctx -> replay(ctx).ifPresent(r ->
                IntravisServer.json(ctx, 200, replayState(r))));
        router.post("/api/streams/:id/replay").handler(BodyHandler.create().setBodyLimit(4096)).handler(this::replayAction);
    }

    private Optional<Recorder> recorder(RoutingContext ctx) {
        return requests.stream(ctx).map(Engine.EngineStream::recorder);
    }

    private void recordingAction(RoutingContext ctx) {
        String action = ctx.pathParam("action");
        if (!action.equals("start") && !action.equals("stop")) {
            IntravisServer.json(ctx, 400, Map.of("error", "action must be start or stop"));
            return;
        }
        AuditTrail.Actor who = AccessRules.actor(ctx);
        String stream = ctx.pathParam("id");
        recorder(ctx).ifPresent(r -> requests.vertx().executeBlocking(() -> {
                    RecordingStatus st = action.equals("start") ? r.start() : r.stop();
                    requests.trail().append(who, stream, "recording." + action, Map.of("state", st.state()));
                    return st;
                }, false)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        IntravisServer.serverError(ctx, ar.cause());
                        return;
                    }
                    RecordingStatus st = ar.result();
                    IntravisServer.json(ctx, st.state().equals("failed") ? 409 : 200, st);
                }));
    }

    private Optional<Replay> replay(RoutingContext ctx) {
        return requests.replayed(ctx).map(Engine.EngineStream::replay);
    }

    static Map<String, Object> replayState(Replay r) {
        ReplayState st = r.state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recording", r.source().session().toString());
        m.put("state", st.ended() ? "ended" : st.paused() ? "paused" : "playing");
        m.put("paused", st.paused());
        m.put("ended", st.ended());
        m.put("speed", st.speed());
        m.put("position", st.position());
        m.put("frames", st.frames());
        m.put("recordedFrameId", st.recordedFrameId());
        m.put("timeUs", st.timeUs());
        m.put("durationUs", st.durationUs());
        m.put("segment", st.segment());
        m.put("annotations", r.mode());
        m.put("modelAvailable", r.modelAvailable());
        m.put("alerts", r.alertMarks());
        m.put("kept", r.kept());
        return m;
    }

    private static final long SETTLE_NANOS = 1_000_000_000L;

    private void replayAction(RoutingContext ctx) {
        Optional<Replay> found = replay(ctx);
        if (found.isEmpty()) {
            return;
        }
        Replay r = found.get();
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body().asString());
        } catch (Exception e) {
            body = null;
        }
        if (body == null || !body.isObject() || !body.path("action").isTextual()) {
            IntravisServer.json(ctx, 400, Map.of("error",
                    "the body must be {\"action\": \"play|pause|step|seek|speed|annotations|keep\", ...}"));
            return;
        }
        if (body.get("action").asText().equals("keep")) {
            keep(ctx, r, body);
            return;
        }
        ReplayState before = r.state();
        long target = -1; // the position a step or seek shows, answered once it does
        try {
            switch (body.get("action").asText()) {
                case "play" -> r.source().play();
                case "pause" -> r.source().pause();
                case "step" -> {
                    int n = body.path("frames").asInt(1);
                    r.source().step(n);
                    if (before.paused() && !before.ended() && before.frames() > 0) {
                        target = Math.min(before.position() + Math.max(0, Math.min(n, 1000)), before.frames() - 1);
                    }
                }
                case "seek" -> {
                    if (body.path("position").canConvertToLong()) {
                        r.source().seekPosition(body.get("position").asLong());
                        target = before.frames() > 0
                                ? Math.max(0, Math.min(body.get("position").asLong(), before.frames() - 1)) : -1;
                    } else if (body.path("timeUs").canConvertToLong()) {
                        r.source().seekMicros(body.get("timeUs").asLong());
                    } else {
                        throw new IllegalArgumentException("seek needs \"position\" (frame, from 0) or \"timeUs\"");
                    }
                }
                case "speed" -> {
                    if (!body.path("speed").isNumber()) {
                        throw new IllegalArgumentException("speed needs a number, e.g. {\"action\":\"speed\",\"speed\":2}");
                    }
                    r.source().speed(body.get("speed").asDouble());
                }
                case "annotations" -> r.mode(body.path("source").asText(""));
                default -> throw new IllegalArgumentException("unknown action '" + body.get("action").asText()
                        + "' (play, pause, step, seek, speed, annotations, keep)");
            }
        } catch (IllegalArgumentException e) {
            IntravisServer.json(ctx, 400, Map.of("error", e.getMessage()));
            return;
        } catch (IllegalStateException e) {
            IntravisServer.json(ctx, 409, Map.of("error", e.getMessage()));
            return;
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        for (String f : new String[] {"frames", "position", "timeUs", "speed", "source"}) {
            if (body.hasNonNull(f) && body.get(f).isValueNode()) {
                detail.put(f, body.get(f).isNumber() ? body.get(f).numberValue() : body.get(f).asText());
            }
        }
        long shows = target;
        requests.auditThenAnswer(ctx, ctx.pathParam("id"), "replay." + body.get("action").asText(), detail,
                () -> whenAt(r, shows, System.nanoTime() + SETTLE_NANOS,
                        () -> IntravisServer.json(ctx, 200, replayState(r))));
    }

    /**
     * {@code {"action": "keep", "keep": true|false}}: the replayed session kept as a teaching case or released, on a
     * worker thread (file work), then in the audit trail; 409 when its folder cannot be written.
     */
    private void keep(RoutingContext ctx, Replay r, JsonNode body) {
        if (!body.path("keep").isBoolean()) {
            IntravisServer.json(ctx, 400, Map.of("error",
                    "keep needs true or false, e.g. {\"action\":\"keep\",\"keep\":true}"));
            return;
        }
        boolean keep = body.get("keep").asBoolean();
        AuditTrail.Actor who = AccessRules.actor(ctx);
        String stream = ctx.pathParam("id");
        requests.vertx().executeBlocking(() -> {
            r.keep(keep, who.user());
            requests.trail().append(who, stream, "replay.keep", Map.of("keep", keep,
                    "recording", r.source().session().getFileName().toString()));
            return null;
        }, false).onComplete(ar -> {
            if (ar.failed() && ar.cause() instanceof IllegalStateException e) {
                IntravisServer.json(ctx, 409, Map.of("error", e.getMessage()));
            } else if (ar.failed()) {
                IntravisServer.serverError(ctx, ar.cause());
            } else {
                IntravisServer.json(ctx, 200, replayState(r));
            }
        });
    }

    /**
     * Runs {@code answer} once the replay is at {@code position} (-1: at once), at the latest at {@code deadline}: the
     * capture thread applies a step or seek with its next frame, and a page that acts on the answer (marks the frame it
     * was stepped to) must find the replay there, not a frame behind. Polls on the event loop's timer, never blocks.
     */
    private void whenAt(Replay r, long position, long deadline, Runnable answer) {
        ReplayState st = r.state();
        if (position < 0 || st.position() == position || st.ended() || System.nanoTime() - deadline > 0) {
            answer.run();
            return;
        }
        requests.vertx().setTimer(5, id -> whenAt(r, position, deadline, answer));
    }
}
