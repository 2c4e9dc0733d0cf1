package org.intravis.capture.synthetic;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.GroundTruth;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ground truth describes the picture: the tip lies on instrument pixels at the far end of the shaft from
 * its entry, the instrument comes and goes, vessels are darker than their surroundings, the nerve brighter than
 * the vessels, the needle bright and the guidewire dark.
 */
class SyntheticGroundTruthTest {
    private static final int W = 640;
    private static final int H = 360;

    @Test
    void ultrasoundNeedleComesAndGoesAndItsTipIsOnTheShaft() throws Exception {
        try (SyntheticSource s = PhantomFrames.open("synthetic:ultrasound?pace=fast&width=" + W + "&height=" + H + "&seed=5")) {
            UltrasoundPhantom g = new UltrasoundPhantom(W, H, 5);
            // the needle enters at an edge of the B-mode picture
            checkInstrumentOverCycles(s, Annotations.INSTRUMENT_NEEDLE, UltrasoundPhantom.CYCLE_S,
                    (x, y) -> Math.min(Math.min(x - g.pictureX0(), g.pictureX1() - 1 - x),
                            Math.min(y - g.pictureY0(), g.pictureY1() - 1 - y)), true);
        }
    }

    @Test
    void fluoroscopyWireComesAndGoesAndItsTipIsOnTheWire() throws Exception {
        try (SyntheticSource s = PhantomFrames.open("synthetic:fluoroscopy?pace=fast&width=" + W + "&height=" + H + "&seed=5")) {
            double r = new FluoroscopyPhantom(W, H, 5).fieldRadius();
            // the wire enters at the edge of the round field of view
            checkInstrumentOverCycles(s, Annotations.INSTRUMENT_WIRE, FluoroscopyPhantom.CYCLE_S,
                    (x, y) -> r - Math.hypot(x - W / 2.0, y - H / 2.0), false);
        }
    }

    interface Border {
        double distance(double x, double y);
    }

    private void checkInstrumentOverCycles(SyntheticSource s, byte kind, double cycleS, Border border, boolean bright) {
        FrameSlot slot = PhantomFrames.slotFor(s);
        int fps = 30;
        int seen = 0;
        int absent = 0;
        int frames = (int) (cycleS * fps * 2);
        for (int f = 0; f < frames; f += 7) {
            s.renderFrame(f, slot);
            GroundTruth gt = slot.groundTruth();
            byte[] lab = PhantomFrames.labels(slot);
            byte[] px = PhantomFrames.pixels(slot);
            int instrumentPixels = count(lab, GroundTruth.LABEL_INSTRUMENT);
            if (!gt.instrumentVisible()) {
                absent++;
                assertThat(instrumentPixels).as("frame %d: no instrument, no instrument label", f).isZero();
                continue;
            }
            seen++;
            assertThat(gt.instrumentKind()).isEqualTo(kind);
            int tx = Math.round(gt.tipX());
            int ty = Math.round(gt.tipY());
            assertThat(lab[ty * W + tx]).as("frame %d: tip (%d,%d) on the instrument", f, tx, ty)
                    .isEqualTo(GroundTruth.LABEL_INSTRUMENT);
            assertThat(instrumentPixels).isGreaterThan(5);
            // entry on the picture's border; the tip farther from that border than the entry
            double entryBorder = border.distance(gt.entryX(), gt.entryY());
            assertThat(entryBorder).as("frame %d: entry at the border", f).isLessThan(3.0);
            double len = Math.hypot(gt.tipX() - gt.entryX(), gt.tipY() - gt.entryY());
            if (len > 20) {
                double tipBorder = border.distance(gt.tipX(), gt.tipY());
                assertThat(tipBorder).isGreaterThan(entryBorder);
            }
            // the instrument stands out: needles bright, wires dark, against the pixels around them
            double on = mean(px, lab, GroundTruth.LABEL_INSTRUMENT);
            double around = meanAround(px, lab, GroundTruth.LABEL_INSTRUMENT, 6);
            if (instrumentPixels > 40 && len > 60) { // a just-entering instrument sits in the dark field edge
                if (bright) {
                    assertThat(on).as("frame %d: needle brighter than its surroundings", f).isGreaterThan(around + 25);
                } else {
                    assertThat(on).as("frame %d: wire darker than its surroundings", f).isLessThan(around - 25);
                }
            }
        }
        assertThat(seen).as("frames with the instrument").isGreaterThan(10);
        assertThat(absent).as("frames without the instrument").isGreaterThan(3);
    }

    @Test
    void ultrasoundVesselsAreDarkerThanTheirSurroundingsAndTheNerveBrighter() throws Exception {
        try (SyntheticSource s = PhantomFrames.open("synthetic:ultrasound?pace=fast&width=" + W + "&height=" + H + "&seed=9")) {
            FrameSlot slot = PhantomFrames.slotFor(s);
            for (int f : new int[] {0, 45, 170, 300}) {
                s.renderFrame(f, slot);
                byte[] lab = PhantomFrames.labels(slot);
                byte[] px = PhantomFrames.pixels(slot);
                assertThat(count(lab, GroundTruth.LABEL_VESSEL)).isGreaterThan(500);
                assertThat(count(lab, GroundTruth.LABEL_NERVE)).isGreaterThan(500);
                double vessel = mean(px, lab, GroundTruth.LABEL_VESSEL);
                double nerve = mean(px, lab, GroundTruth.LABEL_NERVE);
                assertThat(vessel).as("anechoic lumen").isLessThan(meanAround(px, lab, GroundTruth.LABEL_VESSEL, 8) - 30);
                assertThat(nerve).isGreaterThan(vessel + 40);
            }
        }
    }

    @Test
    void ultrasoundArteryPulsates() throws Exception {
        try (SyntheticSource s = PhantomFrames.open("synthetic:ultrasound?pace=fast&width=" + W + "&height=" + H + "&seed=9")) {
            FrameSlot slot = PhantomFrames.slotFor(s);
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int f = 0; f < 30; f += 2) { // one second at 30 fps covers a 1.2 Hz beat; the vein is not squashed yet
                s.renderFrame(f, slot);
                int n = count(PhantomFrames.labels(slot), GroundTruth.LABEL_VESSEL);
                min = Math.min(min, n);
                max = Math.max(max, n);
            }
            assertThat((double) max / min).isGreaterThan(1.03);
        }
    }

    @Test
    void fluoroscopyRoadmapIsDarkerThanTheBackground() throws Exception {
        try (SyntheticSource s = PhantomFrames.open("synthetic:fluoroscopy?pace=fast&width=" + W + "&height=" + H + "&seed=3")) {
            FrameSlot slot = PhantomFrames.slotFor(s);
            s.renderFrame(0, slot);
            byte[] lab = PhantomFrames.labels(slot);
            byte[] px = PhantomFrames.pixels(slot);
            assertThat(count(lab, GroundTruth.LABEL_VESSEL)).isGreaterThan(300);
            assertThat(mean(px, lab, GroundTruth.LABEL_VESSEL))
                    .isLessThan(meanAround(px, lab, GroundTruth.LABEL_VESSEL, 6) - 15);
        }
    }

    static int count(byte[] lab, byte v) {
        int n = 0;
        for (byte b : lab) {
            if (b == v) {
                n++;
            }
        }
        return n;
    }

    static double mean(byte[] px, byte[] lab, byte v) {
        long s = 0;
        int n = 0;
        for (int i = 0; i < lab.length; i++) {
            if (lab[i] == v) {
                s += px[i] & 0xFF;
                n++;
            }
        }
        return n == 0 ? Double.NaN : (double) s / n;
    }

    /** Mean of the background pixels within {@code r} px (box) of a label, the label's immediate surroundings. */
    static double meanAround(byte[] px, byte[] lab, byte v, int r) {
        boolean[] near = new boolean[lab.length];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if (lab[y * W + x] != v) {
                    continue;
                }
                for (int yy = Math.max(0, y - r); yy <= Math.min(H - 1, y + r); yy++) {
                    for (int xx = Math.max(0, x - r); xx <= Math.min(W - 1, x + r); xx++) {
                        near[yy * W + xx] = true;
                    }
                }
            }
        }
        long s = 0;
        int n = 0;
        for (int i = 0; i < lab.length; i++) {
            if (near[i] && lab[i] == GroundTruth.LABEL_BACKGROUND) {
                s += px[i] & 0xFF;
                n++;
            }
        }
        return n == 0 ? Double.NaN : (double) s / n;
    }
}
