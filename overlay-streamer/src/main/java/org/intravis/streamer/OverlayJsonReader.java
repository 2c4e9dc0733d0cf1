package org.intravis.streamer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.PipelineClock;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads an {@code overlay} message (docs/protocol.md, as {@link OverlayJson} writes it) back into
 * {@link Annotations}: status, provenance, tips, lines, zones, distances and alerts. The heat map is not part of
 * the message (it travels as binary) and is left empty. Used by replay and export to turn recorded JSON Lines
 * back into what the live path published.
 * <p>
 * Strict where it matters: a line that is not JSON, not an overlay, or has an unknown status or class name is
 * refused with an {@link IllegalArgumentException} saying what is wrong (callers count and skip it). Model name,
 * version and device strings are interned per reader, so repeated lines do not accumulate copies. Not thread-safe.
 */
public final class OverlayJsonReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, String> strings = new HashMap<>();

    /** Parses one overlay message into {@code into} (cleared first). */
    public void read(byte[] json, int offset, int length, Annotations into) {
        JsonNode root;
        try {
            root = JSON.readTree(json, offset, length);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        read(root, into);
    }

    public void read(String json, Annotations into) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        read(root, into);
    }

    public void read(JsonNode root, Annotations a) {
        if (root == null || !root.isObject() || !"overlay".equals(root.path("type").asText())) {
            throw new IllegalArgumentException("not an overlay message (type must be \"overlay\")");
        }
        a.clear();
        String status = root.path("status").asText("");
        switch (status) {
            case "NONE" -> {
                a.status(Annotations.Status.NONE);
                return;
            }
            case "VALID" -> a.status(Annotations.Status.VALID);
            case "FAILED" -> a.status(Annotations.Status.FAILED);
            default -> throw new IllegalArgumentException("unknown overlay status '" + status + "'");
        }
        a.frameId(root.path("frameId").asLong(-1));
        String origin = root.path("origin").asText("MODEL");
        a.origin(origin.equals("GROUND_TRUTH") ? Annotations.Origin.GROUND_TRUTH : Annotations.Origin.MODEL);
        long captureUs = root.path("captureUs").asLong(0);
        a.captureEpochMicros(captureUs);
        a.capturedNanos(captureUs == 0 ? 0 : PipelineClock.nanoTimeOf(captureUs));
        a.preprocessedNanos(nanos(root.path("preprocessedUs").asLong(0)));
        a.inferredNanos(nanos(root.path("inferredUs").asLong(0)));
        a.publishedNanos(nanos(root.path("publishedUs").asLong(0)));
        JsonNode model = root.path("model");
        a.model(intern(model.path("name").asText("")), intern(model.path("version").asText("")),
                intern(model.path("device").asText("")));
        a.batchSize(model.path("batch").asInt(0));
        a.modelVariant(intern(model.path("variant").asText("")));
        a.modelPace(intern(model.path("pace").asText("")));
        JsonNode frame = root.path("frame");
        a.frameSize(frame.path("width").asInt(0), frame.path("height").asInt(0));
        JsonNode mm = frame.path("mmPerPx");
        a.pixelSpacingMm(mm.isNumber() ? mm.asDouble() : 0);
        if (a.status() == Annotations.Status.FAILED) {
            a.failure(intern(root.path("failure").asText("")));
        }

        for (JsonNode t : root.path("tips")) {
            a.addTip(t.path("id").asInt(), code(OverlayJson.INSTRUMENT, t.path("kind").asText(), "instrument kind"),
                    code(OverlayJson.TRACK_STATE, t.path("state").asText(), "track state"),
                    f(t, "x"), f(t, "y"), f(t, "vx"), f(t, "vy"), f(t, "confidence"));
        }
        for (JsonNode l : root.path("lines")) {
            a.addLine(code(OverlayJson.INSTRUMENT, l.path("kind").asText(), "instrument kind"), l.path("tip").asInt(),
                    f(l, "x1"), f(l, "y1"), f(l, "x2"), f(l, "y2"), f(l, "confidence"));
        }
        for (JsonNode z : root.path("zones")) {
            int zi = a.beginZone(z.path("id").asInt(), code(OverlayJson.ZONE_CLASS, z.path("class").asText(), "zone class"),
                    z.path("drawn").asBoolean(false), f(z, "confidence"), f(z, "area"));
            if (zi < 0) {
                break;
            }
            for (JsonNode p : z.path("points")) {
                if (!a.addZonePoint((float) p.path(0).asDouble(), (float) p.path(1).asDouble())) {
                    break;
                }
            }
        }
        for (JsonNode d : root.path("distances")) {
            JsonNode enter = d.path("enterMs");
            a.addDistance(d.path("tip").asInt(), d.path("zoneIndex").asInt(-1), f(d, "px"), f(d, "mm"),
                    enter.isNumber() ? (float) enter.asDouble() : -1f);
        }
        for (JsonNode al : root.path("alerts")) {
            a.addAlert(al.path("id").asLong(), code(OverlayJson.ALERT_LEVEL, al.path("level").asText(), "alert level"),
                    code(OverlayJson.ALERT_KIND, al.path("kind").asText(), "alert kind"), al.path("tip").asInt(),
                    al.path("zoneIndex").asInt(-1),
                    code(OverlayJson.ZONE_CLASS, al.path("zoneClass").asText(), "zone class"), f(al, "mm"), f(al, "px"));
        }
    }

    private static long nanos(long epochMicros) {
        return epochMicros == 0 ? 0 : PipelineClock.nanoTimeOf(epochMicros);
    }

    /** A number field; {@code null} (how NaN is written) reads back as NaN. */
    private static float f(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isNumber() ? (float) v.asDouble() : Float.NaN;
    }

    private static byte code(String[] names, String name, String what) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return (byte) i;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + name + "'");
    }

    private String intern(String s) {
        return strings.computeIfAbsent(s, k -> k);
    }

    /** Parses the level name of an overlay's {@code alertLevel} ({@code none} .. {@code critical}); -1 if unknown. */
    public static int alertLevelCode(String name) {
        for (int i = 0; i < OverlayJson.ALERT_LEVEL.length; i++) {
            if (OverlayJson.ALERT_LEVEL[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
