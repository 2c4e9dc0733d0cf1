package org.intravis.inference;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;

/**
 * Output channels by role: the sidecar's {@code outputs[0].roles} read and checked at load (each error names the
 * sidecar and the channel), roles implied for sidecars written before them, and the decoder driven by the roles,
 * not by the channels' order.
 */
class ChannelRolesTest {
    private static final int S = 256;

    private static ModelSpec spec(String channels, String roles) throws ModelLoadException {
        String json = "{\"name\": \"roles-test\", \"input\": {\"name\": \"image\", \"width\": " + S + ", \"height\": " + S
                + "}, \"outputs\": [{\"name\": \"probs\", \"channels\": " + channels
                + (roles == null ? "" : ", \"roles\": " + roles) + "}]}";
        return ModelSpec.parse(json.getBytes(StandardCharsets.UTF_8), "roles-test.json");
    }

    @Test
    void rolesAreReadFromTheSidecar() throws Exception {
        ChannelRoles r = spec("[\"tip\", \"nerve\", \"wire\", \"extra\"]",
                "{\"tip\": \"tip-map\", \"nerve\": \"zone\", \"wire\": \"instrument\", \"extra\": \"other\"}").roles();
        assertThat(r.tipChannel()).isZero();
        assertThat(r.zoneChannels()).containsExactly(1);
        assertThat(r.zone(1)).isEqualTo(ZoneClass.NERVE);
        assertThat(r.instrumentChannel()).isEqualTo(2);
        assertThat(r.instrument()).isEqualTo(Instrument.WIRE);
        assertThat(r.role(3)).isEqualTo(OutputRole.OTHER);
    }

    @Test
    void aSidecarWithoutRolesKeepsWhatItsChannelNamesMeant() throws Exception {
        ChannelRoles r = spec("[\"needle\", \"vessel\", \"nerve\", \"tip\", \"shadow\"]", null).roles();
        assertThat(r.instrument()).isEqualTo(Instrument.NEEDLE);
        assertThat(r.instrumentChannel()).isZero();
        assertThat(r.zoneChannels()).containsExactly(1, 2);
        assertThat(r.tipChannel()).isEqualTo(3);
        assertThat(r.role(4)).isEqualTo(OutputRole.OTHER);
    }

    @Test
    void everyShippedAndStandInModelDeclaresItsRoles() throws Exception {
        for (String model : new String[] {"ultrasound", "fluoroscopy", "standin-ultrasound", "standin-fluoroscopy"}) {
            ModelSpec s = ModelSource.locate(model, null).spec();
            ChannelRoles r = s.roles();
            assertThat(r.instrumentChannel()).as(model).isGreaterThanOrEqualTo(0);
            assertThat(s.outputChannels().get(r.tipChannel())).as(model).isEqualTo("tip");
        }
        assertThat(ModelSource.locate("ultrasound", null).spec().roles().instrument()).isEqualTo(Instrument.NEEDLE);
        assertThat(ModelSource.locate("fluoroscopy", null).spec().roles().instrument()).isEqualTo(Instrument.WIRE);
    }

    @Test
    void badRolesAreClearErrorsNamingTheSidecarAndTheChannel() {
        assertThatThrownBy(() -> spec("[\"needle\", \"tip\"]", "{\"needle\": \"shaft\", \"tip\": \"tip-map\"}"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("sidecar roles-test.json")
                .hasMessageContaining("channel 'needle' has the unknown role 'shaft'")
                .hasMessageContaining("instrument, zone, tip-map, other");
        assertThatThrownBy(() -> spec("[\"needle\", \"tip\"]", "{\"needle\": \"instrument\"}"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("sidecar roles-test.json: channel 'tip' has no role");
        assertThatThrownBy(() -> spec("[\"needle\"]", "{\"needle\": \"instrument\", \"tip\": \"tip-map\"}"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("roles names channel 'tip', which is not among its channels [needle]");
        assertThatThrownBy(() -> spec("[\"catheter\"]", "{\"catheter\": \"instrument\"}"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("channel 'catheter' is an instrument that no locator finds (known instruments: "
                        + "needle, wire)");
        assertThatThrownBy(() -> spec("[\"artery\"]", "{\"artery\": \"zone\"}"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("channel 'artery' is a zone of no known class (known zones: vessel, nerve)");
        assertThatThrownBy(() -> spec("[\"needle\", \"wire\"]", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("channels 'needle' and 'wire' are both instruments");
        assertThatThrownBy(() -> spec("[\"vessel\", \"tip\"]", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("channel 'tip' is a tip map, but no channel is an instrument");
        assertThatThrownBy(() -> spec("[\"needle\"]", "[\"instrument\"]"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("outputs[0].roles must map each channel to its role");
    }

    /** A wire entering from the left with its tip map, and a nerve, in channels ordered unlike any shipped model. */
    @Test
    void theDecoderFollowsTheRolesNotTheChannelOrder() throws Exception {
        float[] probs = new float[3 * S * S];
        int plane = S * S;
        Masks.gaussian(probs, 0, S, S, 160, 80, 3, 0.9f);                     // channel 0: tip
        Masks.fillCircle(probs, plane, S, S, 120, 192, 30, 0.95f);            // channel 1: nerve
        Masks.fillSegment(probs, 2 * plane, S, S, 0, 80, 160, 80, 3, 0.95f);  // channel 2: wire

        Annotations a = decode(spec("[\"tip\", \"nerve\", \"wire\"]",
                "{\"tip\": \"tip-map\", \"nerve\": \"zone\", \"wire\": \"instrument\"}"), probs);
        assertThat(lastInstrument.found).isTrue();
        assertThat(lastInstrument.kind).isEqualTo(Annotations.INSTRUMENT_WIRE);
        assertThat(lastInstrument.tipX).isCloseTo(160f, within(2f));
        assertThat(lastInstrument.tipY).isCloseTo(80f, within(2f));
        // confirmed by the tip map: the mean of the mask's 0.95 and the peak's 0.9 (unconfirmed: their product)
        assertThat(lastInstrument.confidence).isCloseTo(0.925f, within(0.005f));
        assertThat(a.zoneCount()).isEqualTo(1);
        assertThat(a.zoneClass[0]).isEqualTo(Annotations.ZONE_NERVE);

        // the same planes, the wire demoted to the heat map only: nothing located, the nerve still drawn
        Annotations b = decode(spec("[\"tip\", \"nerve\", \"wire\"]",
                "{\"tip\": \"other\", \"nerve\": \"zone\", \"wire\": \"other\"}"), probs);
        assertThat(lastInstrument.found).isFalse();
        assertThat(b.zoneCount()).isEqualTo(1);
    }

    private InstrumentDetection lastInstrument;

    private Annotations decode(ModelSpec spec, float[] probs) {
        OutputDecoder decoder = new OutputDecoder(spec, new InferenceSettings().conclude());
        Annotations a = new Annotations();
        long planeBytes = (long) S * S * Float.BYTES;
        try (FloatPointer input = new FloatPointer((long) S * S); FloatPointer output = new FloatPointer(probs.length)) {
            output.put(probs, 0, probs.length);
            Mat[] planes = new Mat[spec.outputChannelCount()];
            for (int c = 0; c < planes.length; c++) {
                planes[c] = new Mat(S, S, CV_32FC1, NativeMemory.bytes(output, c * planeBytes, planeBytes));
            }
            decoder.decode(input, new ContentBox(), output, planes, a, S, S, false, null, null);
        }
        InstrumentDetection d = decoder.instrument();
        lastInstrument = new InstrumentDetection();
        if (d.found) {
            lastInstrument.set(d.kind, d.entryX, d.entryY, d.tipX, d.tipY, d.confidence);
        }
        return a;
    }
}
