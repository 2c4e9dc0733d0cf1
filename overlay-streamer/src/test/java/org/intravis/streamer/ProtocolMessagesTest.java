package org.intravis.streamer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire formats: binary headers byte by byte, and the overlay / alert JSON for every status. */
class ProtocolMessagesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void videoHeaderRoundTripsAndSitsAtTheDocumentedOffsets() {
        ByteBuf b = Unpooled.buffer();
        FrameHeader.write(b, Encoding.H264, FrameHeader.FLAG_KEY | FrameHeader.FLAG_OVERLAY_FRESH, 123456789012L,
                1_700_000_000_123_456L, 1_700_000_000_130_000L, 0xFFFFFFFEL, 1920, 1080, 123456789000L, 42, 1, 3);
        assertThat(b.readableBytes()).isEqualTo(FrameHeader.LENGTH).isEqualTo(56);
        byte[] raw = new byte[56];
        b.getBytes(0, raw);
        assertThat(raw[0]).isEqualTo((byte) 'I');
        assertThat(raw[1]).isEqualTo((byte) 'V');
        assertThat(raw[2]).isEqualTo((byte) 1);
        assertThat(raw[3]).isEqualTo((byte) 1);
        assertThat(raw[4]).isEqualTo((byte) 1);
        assertThat(raw[5]).isEqualTo((byte) 0b101);
        assertThat(b.getUnsignedShort(6)).isEqualTo(56);
        assertThat(b.getLong(8)).isEqualTo(123456789012L);
        assertThat(b.getLong(16)).isEqualTo(1_700_000_000_123_456L);
        assertThat(b.getLong(24)).isEqualTo(1_700_000_000_130_000L);
        assertThat(b.getUnsignedInt(32)).isEqualTo(0xFFFFFFFEL);
        assertThat(b.getUnsignedShort(36)).isEqualTo(1920);
        assertThat(b.getUnsignedShort(38)).isEqualTo(1080);
        assertThat(b.getLong(40)).isEqualTo(123456789000L);
        assertThat(b.getInt(48)).isEqualTo(42);
        assertThat(raw[52]).isEqualTo((byte) 1);
        assertThat(raw[53]).isEqualTo((byte) 3);

        FrameHeader.Video h = FrameHeader.decode(b);
        assertThat(h.encoding()).isEqualTo(Encoding.H264);
        assertThat(h.key()).isTrue();
        assertThat(h.burned()).isFalse();
        assertThat(h.overlayFresh()).isTrue();
        assertThat(h.frameId()).isEqualTo(123456789012L);
        assertThat(h.sequence()).isEqualTo(0xFFFFFFFEL);
        assertThat(h.width()).isEqualTo(1920);
        assertThat(h.overlayAgeMillis()).isEqualTo(42);
        assertThat(h.alertLevel()).isEqualTo(3);
        assertThat(b.readerIndex()).as("decoding does not consume").isZero();
    }

    @Test
    void headerWithoutOverlayAndBadInputs() {
        ByteBuf b = Unpooled.buffer();
        FrameHeader.write(b, Encoding.JPEG, FrameHeader.FLAG_KEY | FrameHeader.FLAG_BURNED, 0, 1, 2, 0, 64, 48, -1, -1, 0, 0);
        FrameHeader.Video h = FrameHeader.decode(b);
        assertThat(h.overlayFrameId()).isEqualTo(-1);
        assertThat(h.overlayAgeMillis()).isEqualTo(-1);
        assertThat(h.burned()).isTrue();
        assertThat(h.encoding()).isEqualTo(Encoding.JPEG);

        assertThatThrownBy(() -> FrameHeader.decode(Unpooled.wrappedBuffer(new byte[]{'X', 'V', 1, 1, 1, 0, 0, 56})))
                .hasMessageContaining("magic");
        ByteBuf v2 = b.copy();
        v2.setByte(2, 9);
        assertThatThrownBy(() -> FrameHeader.decode(v2)).hasMessageContaining("version 9");
        assertThatThrownBy(() -> FrameHeader.decode(b.copy(0, 20))).hasMessageContaining("header length");
    }

    @Test
    void heatmapMessageRoundTrips() {
        Annotations a = valid();
        a.heatmapShape(2, 4, 3, 77, "nerve", "vessel");
        for (int i = 0; i < 2 * 4 * 3; i++) {
            a.heatmap[i] = (byte) (i * 10);
        }
        ByteBuf b = Unpooled.buffer();
        HeatmapMessage.write(b, a);
        assertThat(b.readableBytes()).isEqualTo(HeatmapMessage.size(a)).isEqualTo(32 + 32 + 24);
        assertThat((int) b.getUnsignedByte(3)).isEqualTo(FrameHeader.TYPE_HEATMAP);
        assertThat(b.getUnsignedShort(6)).isEqualTo(64);
        HeatmapMessage.Decoded d = HeatmapMessage.decode(b);
        assertThat(d.frameId()).isEqualTo(77);
        assertThat(d.classNames()).containsExactly("nerve", "vessel");
        assertThat(d.gridWidth()).isEqualTo(4);
        assertThat(d.gridHeight()).isEqualTo(3);
        assertThat(d.frameWidth()).isEqualTo(640);
        assertThat(d.value(1, 3, 2)).isEqualTo(((12 + 2 * 4 + 3) * 10) & 0xff);
    }

    static Annotations valid() {
        Annotations a = new Annotations();
        a.status(Annotations.Status.VALID).frameId(42).captureEpochMicros(1_700_000_000_000_000L)
                .capturedNanos(1000).inferredNanos(2000).publishedNanos(3000).frameSize(640, 480)
                .pixelSpacingMm(0.1).model("unet-tiny", "3", "cpu").batchSize(2);
        return a;
    }

    static JsonNode overlay(Annotations a) throws Exception {
        ByteBuf b = Unpooled.buffer();
        new OverlayJson("us-1", 0.5).writeOverlay(b, a);
        return JSON.readTree(b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void validOverlayCarriesEveryElement() throws Exception {
        Annotations a = valid();
        a.addTip(3, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, 100.25f, 200.5f, 10, -5, 0.93f);
        a.addTip(4, Annotations.INSTRUMENT_WIRE, Annotations.TRACK_COASTING, 10, 20, 0, 0, 0.3f);
        a.addLine(Annotations.INSTRUMENT_NEEDLE, 3, 0, 0, 100.25f, 200.5f, 0.9f);
        int z = a.beginZone(11, Annotations.ZONE_NERVE, false, 0.81f, 1234);
        a.addZonePoint(1, 2);
        a.addZonePoint(3, 4);
        a.addZonePoint(5, 6);
        a.beginZone(12, Annotations.ZONE_NOGO, true, 1f, 50);
        a.addZonePoint(7, 8);
        a.addZonePoint(9, 10);
        a.addZonePoint(11, 12);
        a.addDistance(3, z, 15.5f, 1.55f, 120);
        a.addDistance(4, 1, 80, Float.NaN, -1);
        a.addAlert(900, Annotations.ALERT_WARNING, Annotations.ALERT_KIND_PROXIMITY, 3, z, Annotations.ZONE_NERVE, 1.55f, 15.5f);
        a.heatmapShape(1, 8, 8, 40, "nerve");

        JsonNode n = overlay(a);
        assertThat(n.get("type").asText()).isEqualTo("overlay");
        assertThat(n.get("stream").asText()).isEqualTo("us-1");
        assertThat(n.get("status").asText()).isEqualTo("VALID");
        assertThat(n.get("frameId").asLong()).isEqualTo(42);
        assertThat(n.get("origin").asText()).isEqualTo("MODEL");
        assertThat(n.has("originLabel")).isFalse();
        assertThat(n.get("captureUs").asLong()).isEqualTo(1_700_000_000_000_000L);
        assertThat(n.get("inferredUs").asLong()).isPositive();
        assertThat(n.get("model").get("name").asText()).isEqualTo("unet-tiny");
        assertThat(n.get("model").get("version").asText()).isEqualTo("3");
        assertThat(n.get("model").get("device").asText()).isEqualTo("cpu");
        assertThat(n.get("model").get("batch").asInt()).isEqualTo(2);
        assertThat(n.get("frame").get("width").asInt()).isEqualTo(640);
        assertThat(n.get("frame").get("mmPerPx").asDouble()).isEqualTo(0.1);

        JsonNode tip = n.get("tips").get(0);
        assertThat(tip.get("id").asInt()).isEqualTo(3);
        assertThat(tip.get("kind").asText()).isEqualTo("needle");
        assertThat(tip.get("x").asDouble()).isEqualTo(100.3); // one decimal
        assertThat(tip.get("y").asDouble()).isEqualTo(200.5);
        assertThat(tip.get("vx").asDouble()).isEqualTo(10.0);
        assertThat(tip.get("vy").asDouble()).isEqualTo(-5.0);
        assertThat(tip.get("confidence").asDouble()).isEqualTo(0.93);
        assertThat(tip.get("low").asBoolean()).isFalse();
        assertThat(tip.get("state").asText()).isEqualTo("confirmed");
        assertThat(n.get("tips").get(1).get("low").asBoolean()).as("0.3 < 0.5 is low confidence").isTrue();
        assertThat(n.get("tips").get(1).get("state").asText()).isEqualTo("coasting");

        JsonNode line = n.get("lines").get(0);
        assertThat(line.get("kind").asText()).isEqualTo("needle");
        assertThat(line.get("x2").asDouble()).isEqualTo(100.3);

        JsonNode nerve = n.get("zones").get(0);
        assertThat(nerve.get("id").asInt()).isEqualTo(11);
        assertThat(nerve.get("class").asText()).isEqualTo("nerve");
        assertThat(nerve.get("drawn").asBoolean()).isFalse();
        assertThat(nerve.get("confidence").asDouble()).isEqualTo(0.81);
        assertThat(nerve.get("points").toString()).isEqualTo("[[1.0,2.0],[3.0,4.0],[5.0,6.0]]");
        assertThat(n.get("zones").get(1).get("class").asText()).isEqualTo("nogo");
        assertThat(n.get("zones").get(1).get("drawn").asBoolean()).isTrue();

        JsonNode d = n.get("distances").get(0);
        assertThat(d.get("zone").asInt()).isEqualTo(11);
        assertThat(d.get("px").asDouble()).isEqualTo(15.5);
        assertThat(d.get("mm").asDouble()).isEqualTo(1.55);
        assertThat(d.get("enterMs").asDouble()).isEqualTo(120);
        assertThat(n.get("distances").get(1).get("mm").isNull()).as("unknown spacing: null, not NaN").isTrue();
        assertThat(n.get("distances").get(1).get("enterMs").isNull()).isTrue();

        assertThat(n.get("alertLevel").asText()).isEqualTo("warning");
        JsonNode al = n.get("alerts").get(0);
        assertThat(al.get("id").asLong()).isEqualTo(900);
        assertThat(al.get("level").asText()).isEqualTo("warning");
        assertThat(al.get("kind").asText()).isEqualTo("proximity");
        assertThat(al.get("tip").asInt()).isEqualTo(3);
        assertThat(al.get("zone").asInt()).isEqualTo(11);
        assertThat(al.get("zoneClass").asText()).isEqualTo("nerve");
        assertThat(n.get("heatmap").get("frameId").asLong()).isEqualTo(40);
    }

    @Test
    void emptyValidOverlayIsExplicitAndDistinctFromNoneAndFailed() throws Exception {
        JsonNode empty = overlay(valid());
        assertThat(empty.get("status").asText()).isEqualTo("VALID");
        for (String list : List.of("tips", "lines", "zones", "distances", "alerts")) {
            assertThat(empty.get(list).isArray()).as(list).isTrue();
            assertThat(empty.get(list).size()).as(list).isZero();
        }
        assertThat(empty.get("alertLevel").asText()).isEqualTo("none");

        JsonNode none = overlay(new Annotations());
        assertThat(none.get("status").asText()).isEqualTo("NONE");
        assertThat(none.get("frameId").asLong()).isEqualTo(-1);
        assertThat(none.has("tips")).as("nothing known: no lists at all").isFalse();

        Annotations failed = valid().status(Annotations.Status.FAILED).failure("model timed out");
        JsonNode f = overlay(failed);
        assertThat(f.get("status").asText()).isEqualTo("FAILED");
        assertThat(f.get("failure").asText()).isEqualTo("model timed out");
        assertThat(f.get("tips").size()).isZero();
    }

    @Test
    void groundTruthOriginIsLabelledAndStringsAreEscaped() throws Exception {
        Annotations a = valid().origin(Annotations.Origin.GROUND_TRUTH).model("phantom \"gt\"\n\\", "1", "cpu");
        JsonNode n = overlay(a);
        assertThat(n.get("origin").asText()).isEqualTo("GROUND_TRUTH");
        assertThat(n.get("originLabel").asText()).contains("ground truth").contains("not a model");
        assertThat(n.get("model").get("name").asText()).isEqualTo("phantom \"gt\"\n\\");
        Annotations u = valid().model("Ultraschall-µ-Modell ✓ 😀", "1", "cpu");
        assertThat(overlay(u).get("model").get("name").asText()).isEqualTo("Ultraschall-µ-Modell ✓ 😀");
    }

    @Test
    void numbersAreFormattedExactly() throws Exception {
        Annotations a = valid();
        a.addTip(1, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_LOST, -0.04f, -1.25f, Float.NaN,
                Float.POSITIVE_INFINITY, 1f);
        JsonNode tip = overlay(a).get("tips").get(0);
        assertThat(tip.get("x").asDouble()).isEqualTo(0.0);
        assertThat(tip.get("x").toString()).isEqualTo("0.0");
        assertThat(tip.get("y").asDouble()).isEqualTo(-1.3); // -1.25 -> -1.3 (half away from zero)
        assertThat(tip.get("vx").isNull()).isTrue();
        assertThat(tip.get("vy").isNull()).isTrue();
        assertThat(tip.get("state").asText()).isEqualTo("lost");
    }

    record Event(String event, String reason, long id, int level) {
    }

    @Test
    void alertTrackerRaisesUpdatesAndClears() {
        AlertTracker t = new AlertTracker();
        List<Event> ev = new ArrayList<>();
        AlertTracker.Emitter e = (event, reason, id, level, kind, tip, zoneId, zoneIndex, zoneClass, mm, px, frameId, cap) ->
                ev.add(new Event(event, reason, id, level));
        Annotations a = valid();
        t.update(a, e);
        assertThat(ev).isEmpty();

        a.clearResults();
        a.addAlert(1, Annotations.ALERT_CAUTION, Annotations.ALERT_KIND_PROXIMITY, 1, -1, Annotations.ZONE_NERVE, 3, 30);
        a.addAlert(2, Annotations.ALERT_WARNING, Annotations.ALERT_KIND_TRAJECTORY, 1, -1, Annotations.ZONE_VESSEL, 2, 20);
        t.update(a, e);
        assertThat(ev).containsExactly(new Event("raise", null, 1, 1), new Event("raise", null, 2, 2));
        ev.clear();

        t.update(a, e); // same set: nothing
        assertThat(ev).isEmpty();

        a.clearResults();
        a.addAlert(1, Annotations.ALERT_CRITICAL, Annotations.ALERT_KIND_INSIDE, 1, -1, Annotations.ZONE_NERVE, 0, 0);
        t.update(a, e);
        assertThat(ev).containsExactly(new Event("update", null, 1, 3), new Event("clear", null, 2, 2));
        ev.clear();

        a.status(Annotations.Status.FAILED);
        t.update(a, e);
        assertThat(ev).containsExactly(new Event("clear", "ai-failed", 1, 3));
        assertThat(t.activeCount()).isZero();
    }

    /**
     * An alert that ended and comes back is raised again (the page sounds it again), and the zone an event names is
     * the zone of the alert's index: the first, the last, or none when the index is out of the overlay's zones.
     */
    @Test
    void anAlertThatEndedIsRaisedAgainAndEventsNameTheirZone() {
        AlertTracker t = new AlertTracker();
        List<String> ev = new ArrayList<>();
        AlertTracker.Emitter e = (event, reason, id, level, kind, tip, zoneId, zoneIndex, zoneClass, mm, px, frameId, cap) ->
                ev.add(event + " " + id + " zone " + zoneId + " at " + zoneIndex);
        Annotations a = valid();
        a.beginZone(70, Annotations.ZONE_NERVE, false, 0.9f, 100);
        a.beginZone(71, Annotations.ZONE_VESSEL, false, 0.9f, 100);
        a.addAlert(1, Annotations.ALERT_CAUTION, Annotations.ALERT_KIND_PROXIMITY, 1, 0, Annotations.ZONE_NERVE, 3, 30);
        a.addAlert(2, Annotations.ALERT_WARNING, Annotations.ALERT_KIND_PROXIMITY, 1, 1, Annotations.ZONE_VESSEL, 2, 20);
        a.addAlert(3, Annotations.ALERT_WARNING, Annotations.ALERT_KIND_PROXIMITY, 1, 2, Annotations.ZONE_VESSEL, 2, 20);
        t.update(a, e);
        assertThat(ev).containsExactly("raise 1 zone 70 at 0", "raise 2 zone 71 at 1", "raise 3 zone -1 at 2");
        ev.clear();

        a.clearResults();
        a.beginZone(70, Annotations.ZONE_NERVE, false, 0.9f, 100);
        a.beginZone(71, Annotations.ZONE_VESSEL, false, 0.9f, 100);
        a.addAlert(1, Annotations.ALERT_CAUTION, Annotations.ALERT_KIND_PROXIMITY, 1, 0, Annotations.ZONE_NERVE, 3, 30);
        t.update(a, e);
        assertThat(ev).containsExactly("clear 2 zone 71 at 1", "clear 3 zone -1 at 2");
        ev.clear();

        a.addAlert(2, Annotations.ALERT_WARNING, Annotations.ALERT_KIND_PROXIMITY, 1, 1, Annotations.ZONE_VESSEL, 2, 20);
        t.update(a, e);
        assertThat(ev).as("the vessel's alert is back").containsExactly("raise 2 zone 71 at 1");
        assertThat(t.activeCount()).isEqualTo(2);
    }

    @Test
    void alertEventJson() throws Exception {
        ByteBuf b = Unpooled.buffer();
        new OverlayJson("us-1", 0.5).writeAlertEvent(b, 17, "raise", null, 5, 3, 2, 1, 12, 0, 3, Float.NaN, 4.5f, 99, 1234);
        JsonNode n = JSON.readTree(b.toString(StandardCharsets.UTF_8));
        assertThat(n.get("type").asText()).isEqualTo("alert");
        assertThat(n.get("seq").asLong()).isEqualTo(17);
        assertThat(n.get("event").asText()).isEqualTo("raise");
        assertThat(n.has("reason")).isFalse();
        assertThat(n.get("level").asText()).isEqualTo("critical");
        assertThat(n.get("kind").asText()).isEqualTo("inside");
        assertThat(n.get("zone").asInt()).isEqualTo(12);
        assertThat(n.get("zoneClass").asText()).isEqualTo("nogo");
        assertThat(n.get("mm").isNull()).isTrue();
        assertThat(n.get("frameId").asLong()).isEqualTo(99);
    }

    @Test
    void codecStringAndNalSplitting() {
        byte[] au = {0, 0, 0, 1, 0x67, 0x42, (byte) 0xC0, 0x1F, 0x11, 0, 0, 1, 0x68, 0x22, 0, 0, 0, 1, 0x65, 0x33, 0x44};
        assertThat(H264Bitstream.codecString(au)).isEqualTo("avc1.42C01F");
        assertThat(H264Bitstream.nals(au)).extracting(H264Bitstream.Nal::type).containsExactly(7, 8, 5);
        assertThat(H264Bitstream.nals(au).get(2).length()).isEqualTo(3);
        assertThat(H264Bitstream.unescape(new byte[]{0, 0, 3, 1, 0, 0, 3, 0}, 0, 8)).containsExactly(0, 0, 1, 0, 0, 0);
    }
}
