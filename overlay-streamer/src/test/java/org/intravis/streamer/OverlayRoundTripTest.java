package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.PipelineClock;
import org.intravis.pipeline.testing.AnnotationFields;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Annotations -> overlay JSON ({@link OverlayJson}) -> Annotations ({@link OverlayJsonReader}): what the live pages,
 * the recordings and replay see is what the model said. Every field of {@link Annotations} (found by reflection)
 * either comes back or is listed in {@link #NOT_CARRIED} with the reason, so a field added to the holder but not to
 * the message fails here.
 */
class OverlayRoundTripTest {

    /** Fields the overlay message does not carry, and why. */
    private static final Map<String, String> NOT_CARRIED = Map.of(
            "streamIndex", "the message names its stream by id (the publisher's), not by the engine's index",
            "heatmap", "heat maps travel as their own binary message (HeatmapMessage)",
            "heatmapClassNames", "heat maps travel as their own binary message (HeatmapMessage)",
            "heatmapClasses", "written only as a reference to the binary heat map; the reader leaves it empty",
            "heatmapWidth", "written only as a reference to the binary heat map; the reader leaves it empty",
            "heatmapHeight", "written only as a reference to the binary heat map; the reader leaves it empty",
            "heatmapFrameId", "written only as a reference to the binary heat map; the reader leaves it empty");

    /** nanoTime stamps travel as epoch microseconds. */
    private static final long NANOS_TOLERANCE = 2_000;

    @Test
    void everyCarriedFieldComesBack() {
        Annotations a = busy(Annotations.Status.FAILED, Annotations.Origin.GROUND_TRUTH);
        Annotations fresh = new Annotations();
        for (Field f : AnnotationFields.all()) {
            if (!NOT_CARRIED.containsKey(f.getName())) {
                assertThat(differs(a, fresh, f)).as("the test's holder sets " + f.getName()
                        + " (give it a value here, and write it in OverlayJson or list it in NOT_CARRIED)").isTrue();
            }
        }
        assertRoundTrip(a);
    }

    @Test
    void aValidModelOverlayComesBack() {
        assertRoundTrip(busy(Annotations.Status.VALID, Annotations.Origin.MODEL));
    }

    @Test
    void nothingKnownComesBackAsNothingKnown() {
        Annotations back = roundTrip(new Annotations());
        assertThat(back.status()).isEqualTo(Annotations.Status.NONE);
        assertThat(back.frameId()).isEqualTo(-1);
    }

    private static void assertRoundTrip(Annotations a) {
        Annotations back = roundTrip(a);
        for (Field f : AnnotationFields.all()) {
            String name = f.getName();
            if (NOT_CARRIED.containsKey(name)) {
                continue;
            }
            Object x = AnnotationFields.get(a, f);
            Object y = AnnotationFields.get(back, f);
            if (AnnotationFields.isArray(f)) {
                int n = AnnotationFields.liveLength(a, f);
                assertThat(AnnotationFields.liveLength(back, f)).as("live entries of " + name).isEqualTo(n);
                for (int i = 0; i < n; i++) {
                    assertThat(Array.get(y, i)).as(name + "[" + i + "]").isEqualTo(Array.get(x, i));
                }
            } else if (name.endsWith("Nanos")) {
                assertThat(Math.abs((long) y - (long) x)).as(name).isLessThanOrEqualTo(NANOS_TOLERANCE);
            } else {
                assertThat(y).as(name).isEqualTo(x);
            }
        }
    }

    private static Annotations roundTrip(Annotations a) {
        ByteBuf out = Unpooled.buffer(4096);
        new OverlayJson("us1", Annotations.LOW_CONFIDENCE).writeOverlay(out, a);
        Annotations back = new Annotations();
        new OverlayJsonReader().read(out.toString(StandardCharsets.UTF_8), back);
        return back;
    }

    private static boolean differs(Annotations a, Annotations fresh, Field f) {
        Object x = AnnotationFields.get(a, f);
        Object y = AnnotationFields.get(fresh, f);
        if (!AnnotationFields.isArray(f)) {
            return !Objects.equals(x, y);
        }
        for (int i = 0; i < AnnotationFields.liveLength(a, f); i++) {
            if (!Objects.equals(Array.get(x, i), Array.get(y, i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A busy frame with every carried field set, each value at the precision the message writes (coordinates to 0.1
     * px, confidences to 0.001, distances in mm to 0.01, areas to whole pixels).
     */
    static Annotations busy(Annotations.Status status, Annotations.Origin origin) {
        long captured = System.nanoTime() - 80_000_000L;
        Annotations a = new Annotations();
        a.status(status).origin(origin).streamIndex(2).frameId(1042)
                .captureEpochMicros(PipelineClock.epochMicros(captured)).capturedNanos(captured)
                .preprocessedNanos(captured + 5_000_000L).inferredNanos(captured + 40_000_000L)
                .publishedNanos(captured + 41_000_000L).frameSize(1280, 720).pixelSpacingMm(0.105)
                .model("ultrasound", "1.1.0", "cpu").batchSize(3).modelVariant("single-pass").modelPace("1 of 2 frames")
                .failure(status == Annotations.Status.FAILED ? "model timed out" : "");
        a.addTip(1, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, 640.5f, 300f, 12.5f, -3f, 0.93f);
        a.addTip(2, Annotations.INSTRUMENT_WIRE, Annotations.TRACK_COASTING, 200.2f, 410.7f, 0f, 1.5f, 0.412f);
        a.addLine(Annotations.INSTRUMENT_NEEDLE, 1, 100f, 80.5f, 640.5f, 300f, 0.9f);
        a.addLine(Annotations.INSTRUMENT_WIRE, 2, 20f, 300f, 200.2f, 410.7f, 0.4f);
        zone(a, 10, Annotations.ZONE_VESSEL, false, 0.8f, 5400f, 300f, 400f, 360.5f, 420f, 330f, 460.5f);
        zone(a, 11, Annotations.ZONE_NERVE, false, 0.45f, 900f, 500f, 500f, 540f, 500f, 520f, 530f, 505.5f, 520f);
        zone(a, 3, Annotations.ZONE_NOGO, true, 1f, 14400f, 400f, 100f, 560f, 100f, 560f, 220f);
        a.addDistance(1, 0, 15.5f, 1.63f, 120f);
        a.addDistance(1, 2, 80f, 8.4f, -1f);
        a.addDistance(2, 1, 33.3f, 3.5f, 2500f);
        a.addAlert(900, Annotations.ALERT_WARNING, Annotations.ALERT_KIND_PROXIMITY, 1, 0, Annotations.ZONE_VESSEL,
                1.63f, 15.5f);
        a.addAlert(901, Annotations.ALERT_CRITICAL, Annotations.ALERT_KIND_TRAJECTORY, 1, 2, Annotations.ZONE_NOGO,
                8.4f, 80f);
        a.heatmapShape(2, 16, 9, 1040, "needle", "vessel");
        return a;
    }

    private static void zone(Annotations a, int id, byte zoneClass, boolean drawn, float confidence, float area,
                             float... xy) {
        a.beginZone(id, zoneClass, drawn, confidence, area);
        for (int i = 0; i < xy.length; i += 2) {
            a.addZonePoint(xy[i], xy[i + 1]);
        }
    }
}
