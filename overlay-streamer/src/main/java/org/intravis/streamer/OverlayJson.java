package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.PipelineClock;

/**
 * Writes overlay and alert messages as JSON text (schema in docs/protocol.md). One instance per producing
 * thread; the names of enum values are constants, so a message costs no allocation beyond its buffer.
 * Public so that recordings and offline analysis write annotations in the very schema the live overlay uses
 * ({@link OverlayJsonReader} reads it back).
 */
public final class OverlayJson {
    static final String[] INSTRUMENT = {"needle", "wire", "catheter"};
    static final String[] TRACK_STATE = {"tentative", "confirmed", "coasting", "lost"};
    static final String[] ZONE_CLASS = {"unknown", "nerve", "vessel", "nogo"};
    static final String[] ALERT_LEVEL = {"none", "caution", "warning", "critical"};
    static final String[] ALERT_KIND = {"proximity", "trajectory", "inside"};
    static final String GROUND_TRUTH_LABEL = "ground truth stand-in (not a model)";

    private final JsonOut json = new JsonOut();
    private final String streamId;
    private final double lowConfidence;
    /** The live stream's encoder rate step (null: not a live stream, the field is left out). */
    private java.util.function.IntSupplier encoderStep;

    /**
     * @param streamId      the {@code stream} field of every message
     * @param lowConfidence the threshold below which elements are marked {@code low}
     */
    public OverlayJson(String streamId, double lowConfidence) {
        this.streamId = streamId;
        this.lowConfidence = lowConfidence;
    }

    /** Live streams: every overlay says the encoders' rate step under load ({@code encoderStep}, 0: every frame). */
    OverlayJson encoderStep(java.util.function.IntSupplier step) {
        this.encoderStep = step;
        return this;
    }

    static String name(String[] names, int code) {
        return code >= 0 && code < names.length ? names[code] : "unknown";
    }

    private static long epochOrZero(long nanos) {
        return nanos == 0 ? 0 : PipelineClock.epochMicros(nanos);
    }

    /** The full overlay of one frame: status, provenance, every element, alerts and heat map reference. */
    public void writeOverlay(ByteBuf out, Annotations a) {
        JsonOut j = json.reset(out);
        j.beginObject();
        j.field("type", "overlay");
        j.field("stream", streamId);
        j.field("status", a.status().name());
        j.field("frameId", a.status() == Annotations.Status.NONE ? -1 : a.frameId());
        if (a.status() == Annotations.Status.NONE) {
            j.field("sentUs", PipelineClock.epochMicrosNow());
            j.endObject();
            return;
        }
        j.field("origin", a.origin().name());
        if (encoderStep != null) {
            j.field("encoderStep", encoderStep.getAsInt());
        }
        if (a.origin() == Annotations.Origin.GROUND_TRUTH) {
            j.field("originLabel", GROUND_TRUTH_LABEL);
        }
        j.field("captureUs", a.captureEpochMicros());
        j.field("preprocessedUs", epochOrZero(a.preprocessedNanos()));
        j.field("inferredUs", epochOrZero(a.inferredNanos()));
        j.field("publishedUs", epochOrZero(a.publishedNanos()));
        j.field("sentUs", PipelineClock.epochMicrosNow());
        j.name("model").beginObject()
                .field("name", a.modelName()).field("version", a.modelVersion()).field("device", a.device())
                .field("batch", a.batchSize()).field("variant", a.modelVariant());
        if (!a.modelPace().isEmpty()) { // paced to leave the CPU to the picture: the share of frames it takes
            j.field("pace", a.modelPace());
        }
        j.endObject();
        j.name("frame").beginObject().field("width", a.frameWidth()).field("height", a.frameHeight());
        j.name("mmPerPx");
        if (a.pixelSpacingMm() > 0) {
            j.number(a.pixelSpacingMm(), 6);
        } else {
            j.nullValue();
        }
        j.endObject();
        j.field("lowConfidence", lowConfidence, 2);
        if (a.status() == Annotations.Status.FAILED) {
            j.field("failure", a.failure());
        }

        j.name("tips").beginArray();
        for (int i = 0; i < a.tipCount(); i++) {
            j.beginObject()
                    .field("id", a.tipId[i])
                    .field("kind", name(INSTRUMENT, a.tipKind[i]))
                    .field("x", a.tipX[i], 1).field("y", a.tipY[i], 1)
                    .field("vx", a.tipVx[i], 1).field("vy", a.tipVy[i], 1)
                    .field("confidence", a.tipConfidence[i], 3)
                    .field("low", a.tipConfidence[i] < lowConfidence)
                    .field("state", name(TRACK_STATE, a.tipState[i]))
                    .endObject();
        }
        j.endArray();

        j.name("lines").beginArray();
        for (int i = 0; i < a.lineCount(); i++) {
            j.beginObject()
                    .field("kind", name(INSTRUMENT, a.lineKind[i]))
                    .field("tip", a.lineTipId[i])
                    .field("x1", a.lineX1[i], 1).field("y1", a.lineY1[i], 1)
                    .field("x2", a.lineX2[i], 1).field("y2", a.lineY2[i], 1)
                    .field("confidence", a.lineConfidence[i], 3)
                    .field("low", a.lineConfidence[i] < lowConfidence)
                    .endObject();
        }
        j.endArray();

        j.name("zones").beginArray();
        for (int z = 0; z < a.zoneCount(); z++) {
            j.beginObject()
                    .field("id", a.zoneId[z])
                    .field("class", name(ZONE_CLASS, a.zoneClass[z]))
                    .field("drawn", a.zoneDrawn[z])
                    .field("confidence", a.zoneConfidence[z], 3)
                    .field("low", !a.zoneDrawn[z] && a.zoneConfidence[z] < lowConfidence)
                    .field("area", a.zoneArea[z], 0);
            j.name("points").beginArray();
            for (int k = 0; k < a.zonePointCount[z]; k++) {
                j.beginArray().number(a.zonePointX(z, k), 1).number(a.zonePointY(z, k), 1).endArray();
            }
            j.endArray();
            j.endObject();
        }
        j.endArray();

        j.name("distances").beginArray();
        for (int i = 0; i < a.distanceCount(); i++) {
            int zi = a.distZoneIndex[i];
            j.beginObject().field("tip", a.distTipId[i]);
            zoneRef(j, a, zi);
            j.field("px", a.distPx[i], 1).field("mm", a.distMm[i], 2);
            j.name("enterMs");
            if (a.distEnterMs[i] >= 0) {
                j.number(a.distEnterMs[i], 0);
            } else {
                j.nullValue();
            }
            j.endObject();
        }
        j.endArray();

        j.field("alertLevel", name(ALERT_LEVEL, a.alertLevel()));
        j.name("alerts").beginArray();
        for (int i = 0; i < a.alertCount(); i++) {
            j.beginObject();
            alertBody(j, a.alertId[i], a.alertLevels[i], a.alertKind[i], a.alertTipId[i], a, a.alertZoneIndex[i],
                    a.alertZoneClass[i], a.alertDistanceMm[i], a.alertDistancePx[i]);
            j.endObject();
        }
        j.endArray();

        if (a.heatmapClasses() > 0) {
            j.name("heatmap").beginObject()
                    .field("frameId", a.heatmapFrameId())
                    .field("classes", a.heatmapClasses())
                    .field("width", a.heatmapWidth()).field("height", a.heatmapHeight())
                    .endObject();
        }
        j.endObject();
    }

    private static void zoneRef(JsonOut j, Annotations a, int zoneIndex) {
        j.field("zoneIndex", zoneIndex);
        if (zoneIndex >= 0 && zoneIndex < a.zoneCount()) {
            j.field("zone", a.zoneId[zoneIndex]);
        } else {
            j.name("zone").nullValue();
        }
    }

    private static void alertBody(JsonOut j, long id, int level, int kind, int tip, Annotations zones, int zoneIndex,
                                  int zoneClass, float mm, float px) {
        j.field("id", id)
                .field("level", name(ALERT_LEVEL, level))
                .field("kind", name(ALERT_KIND, kind))
                .field("tip", tip);
        if (zones != null) {
            zoneRef(j, zones, zoneIndex);
        } else {
            j.field("zoneIndex", zoneIndex);
        }
        j.field("zoneClass", name(ZONE_CLASS, zoneClass))
                .field("mm", mm, 2)
                .field("px", px, 1);
    }

    /**
     * One alert event: raise, update (level or distance class changed) or clear. {@code seq} counts every event
     * of the stream without gaps, so a client can prove it missed none.
     */
    void writeAlertEvent(ByteBuf out, long seq, String event, String reason, long id, int level, int kind, int tip,
                         int zoneId, int zoneIndex, int zoneClass, float mm, float px, long frameId,
                         long captureEpochMicros) {
        JsonOut j = json.reset(out);
        j.beginObject();
        j.field("type", "alert");
        j.field("stream", streamId);
        j.field("seq", seq);
        j.field("event", event);
        if (reason != null) {
            j.field("reason", reason);
        }
        j.field("id", id)
                .field("level", name(ALERT_LEVEL, level))
                .field("kind", name(ALERT_KIND, kind))
                .field("tip", tip)
                .field("zone", zoneId)
                .field("zoneIndex", zoneIndex)
                .field("zoneClass", name(ZONE_CLASS, zoneClass))
                .field("mm", mm, 2)
                .field("px", px, 1)
                .field("frameId", frameId)
                .field("captureUs", captureEpochMicros)
                .field("atUs", PipelineClock.epochMicrosNow());
        j.endObject();
    }
}
