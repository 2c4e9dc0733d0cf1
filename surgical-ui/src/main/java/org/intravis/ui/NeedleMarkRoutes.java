package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.intravis.capture.ReplayState;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Needle tips marked on a paused replay, for a site's own training frames ({@link NeedleMarks}; README, "Marking
 * needles for a site"; docs/protocol.md):
 * <pre>
 *   GET    /api/streams/ID/replay/needle-marks               the replayed session's marks and their folder
 *   POST   /api/streams/ID/replay/needle-marks               {"frameId": F, "tip": [x, y], "end": [x, y]} marks the
 *                                                            needle on the picture with frame id F (what the page
 *                                                            shows; or "position": P, the recorded frame from 0),
 *                                                            {"frameId": F, "needle": false} marks it needle-free; the
 *                                                            replay must be paused on that frame (409 otherwise)
 *   DELETE /api/streams/ID/replay/needle-marks?frameId=F     removes that frame's mark (or ?position=P)
 * </pre>
 * The picture kept is the one the pipeline received for frame P (the stream's still, matched to P through the
 * replay's frame ids), never the encoded video the browser shows. Marks are kept under the data folder's
 * {@code needle-marks/SESSION}, never in the recording. Each change is in the audit trail.
 */
final class NeedleMarkRoutes {
    static final String PATH = "/api/streams/:id/replay/needle-marks";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a mark waits for the paused frame's still (the paused replay sends its frame 5 times a second). */
    private static final long STILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final StreamRequests requests;
    private final Path root;
    private final Map<Path, NeedleMarks> stores = new ConcurrentHashMap<>();

    NeedleMarkRoutes(StreamRequests requests, Path dataDir) {
        this.requests = requests;
        this.root = dataDir.resolve("needle-marks");
    }

    void mount(Router router) {
        router.get(PATH).handler(ctx -> requests.replayed(ctx).ifPresent(s -> blocking(ctx, () -> {
            NeedleMarks store = store(s.replay());
            synchronized (store) {
                return new Answer(200, listing(store));
            }
        })));
        router.post(PATH).handler(BodyHandler.create().setBodyLimit(4096)).handler(this::mark);
        router.delete(PATH).handler(this::unmark);
    }

    /** A status and a JSON body, made on a worker thread. */
    private record Answer(int status, Object body) {
    }

    private interface Work {
        Answer run() throws Exception;
    }

    private void blocking(RoutingContext ctx, Work work) {
        requests.vertx().executeBlocking(work::run, false).onComplete(ar -> {
            if (ar.failed()) {
                IntravisServer.serverError(ctx, ar.cause());
            } else {
                IntravisServer.json(ctx, ar.result().status(), ar.result().body());
            }
        });
    }

    private NeedleMarks store(Replay replay) {
        Path session = replay.source().session().toAbsolutePath().normalize();
        String name = session.getFileName().toString();
        return stores.computeIfAbsent(session, k -> new NeedleMarks(root.resolve(name), name));
    }

    private void mark(RoutingContext ctx) {
        Optional<Engine.EngineStream> found = requests.replayed(ctx);
        if (found.isEmpty()) {
            return;
        }
        Engine.EngineStream s = found.get();
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body().asString());
        } catch (Exception e) {
            body = null;
        }
        String usage = "the body must be {\"frameId\": F or \"position\": P, \"tip\": [x, y], \"end\": [x, y]} or "
                + "{\"frameId\": F or \"position\": P, \"needle\": false}";
        boolean byPosition = body != null && body.path("position").canConvertToInt()
                && body.get("position").asInt() >= 0;
        boolean byFrame = body != null && body.path("frameId").canConvertToLong() && body.get("frameId").asLong() >= 0;
        if (body == null || !body.isObject() || !(byPosition || byFrame)
                || (body.has("position") && !byPosition) || (body.has("frameId") && !byFrame)) {
            IntravisServer.json(ctx, 400, Map.of("error", usage));
            return;
        }
        boolean needle = body.path("needle").asBoolean(true);
        double[] tip = needle ? point(body.path("tip")) : null;
        double[] end = needle ? point(body.path("end")) : null;
        if (needle && (tip == null || end == null)) {
            IntravisServer.json(ctx, 400, Map.of("error", usage));
            return;
        }
        int asked = byPosition ? body.get("position").asInt() : -1;
        long frameId = byFrame ? body.get("frameId").asLong() : -1;
        AuditTrail.Actor who = AccessRules.actor(ctx);
        blocking(ctx, () -> {
            Named at = named(s, frameId, asked);
            if (at.refused() != null) {
                return at.refused();
            }
            int position = at.position();
            ReplayState st = s.replay().state();
            if (!st.paused() || st.position() != position) {
                // "shown" and "paused" let a page whose picture is a step behind try again once the new one is drawn
                return new Answer(409, Map.of("error", "pause the replay on frame " + (position + 1) + " to mark it"
                        + " (it is " + (st.paused() ? "paused on frame " + (st.position() + 1) : "playing") + ")",
                        "shown", position, "paused", st.paused() ? st.position() : -1));
            }
            FrameSnapshots.Snapshot picture = stillOf(s, position);
            if (picture == null) {
                return new Answer(409, Map.of("error", "frame " + (position + 1) + " is not on screen yet; mark again"));
            }
            NeedleMarks store = store(s.replay());
            Map<String, Object> listing;
            synchronized (store) {
                try {
                    store.put(position, tip, end, picture, who.user());
                } catch (IllegalArgumentException e) {
                    return new Answer(400, Map.of("error", e.getMessage()));
                }
                listing = listing(store);
            }
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("position", position);
            detail.put("needle", needle);
            requests.trail().append(who, s.id(), "replay.needle-mark", detail);
            return new Answer(200, listing);
        });
    }

    private void unmark(RoutingContext ctx) {
        Optional<Engine.EngineStream> found = requests.replayed(ctx);
        if (found.isEmpty()) {
            return;
        }
        Engine.EngineStream s = found.get();
        int asked;
        long frameId;
        try {
            String p = ctx.queryParams().get("position");
            String f = ctx.queryParams().get("frameId");
            asked = p == null ? -1 : Integer.parseInt(p.trim());
            frameId = f == null ? -1 : Long.parseLong(f.trim());
            if ((p == null && f == null) || (p != null && asked < 0) || (f != null && frameId < 0)) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            IntravisServer.json(ctx, 400, Map.of("error", "say which frame: ?frameId=F (the picture shown) or "
                    + "?position=P (from 0)"));
            return;
        }
        AuditTrail.Actor who = AccessRules.actor(ctx);
        blocking(ctx, () -> {
            Named at = named(s, frameId, asked);
            if (at.refused() != null) {
                return at.refused();
            }
            int position = at.position();
            NeedleMarks store = store(s.replay());
            Map<String, Object> listing;
            synchronized (store) {
                if (!store.remove(position)) {
                    return new Answer(404, Map.of("error", "frame " + (position + 1) + " has no needle mark"));
                }
                listing = listing(store);
            }
            requests.trail().append(who, s.id(), "replay.needle-unmark", Map.of("position", position));
            return new Answer(200, listing);
        });
    }

    /** The recorded frame a request names ({@code position}), or the answer that refuses it ({@code refused}). */
    private record Named(int position, Answer refused) {
    }

    /**
     * The recorded frame named by {@code frameId}, the delivered frame a page shows (when {@code >= 0}), else by
     * {@code position}. A frame id the replay no longer knows (not one of the last frames sent), or one that is not
     * {@code position} when that was given too, is refused. A page names the picture it shows rather than the
     * replay's position as it last read it, which is a frame behind right after a step.
     */
    private static Named named(Engine.EngineStream s, long frameId, int position) {
        if (frameId < 0) {
            return new Named(position, null);
        }
        int p = s.replay().positionOf(frameId);
        if (p < 0) {
            return new Named(-1, new Answer(409, Map.of("error", "the picture shown (frame id " + frameId
                    + ") is no longer one of the last frames sent; mark again")));
        }
        if (position >= 0 && p != position) {
            return new Named(-1, new Answer(409, Map.of("error", "the picture shown is frame " + (p + 1)
                    + ", not frame " + (position + 1))));
        }
        return new Named(p, null);
    }

    /**
     * The stream's still when it shows the recorded frame {@code position}, waiting for the paused replay to send it
     * again (at most {@link #STILL_WAIT_NANOS}); null when it does not come.
     */
    private static FrameSnapshots.Snapshot stillOf(Engine.EngineStream s, int position) {
        long deadline = System.nanoTime() + STILL_WAIT_NANOS;
        while (true) {
            FrameSnapshots.Snapshot snap = s.snapshots().read();
            if (snap != null && s.replay().positionOf(snap.frameId()) == position) {
                return snap;
            }
            if (System.nanoTime() - deadline > 0) {
                return null;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(40));
        }
    }

    private static double[] point(JsonNode p) {
        if (!p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
            return null;
        }
        return new double[] {p.get(0).asDouble(), p.get(1).asDouble()};
    }

    private static Map<String, Object> listing(NeedleMarks store) {
        List<Map<String, Object>> marks = new ArrayList<>();
        int withNeedle = 0;
        for (NeedleMarks.Mark m : store.marks()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("position", m.position());
            e.put("needle", m.needle());
            if (m.needle()) {
                e.put("tip", m.tip());
                e.put("end", m.end());
                withNeedle++;
            }
            e.put("by", m.by());
            e.put("at", m.at());
            marks.add(e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("folder", store.dir().toString());
        out.put("frames", marks.size());
        out.put("withNeedle", withNeedle);
        out.put("marks", marks);
        if (store.setAside() != null) {
            out.put("warning", store.setAside());
        }
        return out;
    }
}
