package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class WireLocatorTest {
    private static final int W = 256;
    private static final int H = 256;
    private static final int PLANE = W * H;

    /** A curved wire entering from the top border: down, then curving right, ending at (190, 170). */
    private static float[] curvedWire() {
        float[] probs = new float[2 * PLANE];
        double[][] path = {{60, 0}, {60, 80}, {75, 120}, {110, 150}, {150, 165}, {190, 170}};
        for (int i = 0; i + 1 < path.length; i++) {
            Masks.fillSegment(probs, 0, W, H, path[i][0], path[i][1], path[i + 1][0], path[i + 1][1], 1.5, 0.85f);
        }
        return probs;
    }

    @Test
    void theTipIsTheSkeletonEndFarthestAlongTheWireFromWhereItEnters() {
        float[] probs = curvedWire();
        InstrumentDetection d = new InstrumentDetection();
        WireLocator locator = new WireLocator(W, H);
        assertThat(locator.locate(probs, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.kind).isEqualTo(Annotations.INSTRUMENT_WIRE);
        Masks.assertTip(d, 190f, 170f, 2.5f);
        Masks.assertEntry(d, 60f, 0f, 2.5f);
        // no tip response at all: not confirmed, so its confidence (mask 0.85 times tip map 0) shows it as doubtful
        assertThat(d.refined).isFalse();
        assertThat(d.confidence).isCloseTo(0f, within(1e-4f));
        int skeletonPixels = 0;
        for (byte b : locator.skeleton()) {
            skeletonPixels += b != 0 ? 1 : 0;
        }
        assertThat(skeletonPixels).isBetween(250, 420); // one pixel wide along ~330 px of wire
    }

    @Test
    void theTipMovesOntoANearbyHeatMapPeak() {
        float[] probs = curvedWire();
        Masks.gaussian(probs, PLANE, W, H, 193, 170.5, 2.0, 0.9f);
        InstrumentDetection d = new InstrumentDetection();
        assertThat(new WireLocator(W, H).locate(probs, 0, 0.5, PLANE, 0.95, d)).isTrue();
        assertThat(d.refined).as("peak 0.9 under a tip threshold of 0.95").isFalse();
        assertThat(d.confidence).isCloseTo(0.85f * d.tipPeak, within(0.03f)).isLessThan(0.8f);
        assertThat(new WireLocator(W, H).locate(probs, 0, 0.5, PLANE, 0.3, d)).isTrue();
        assertThat(d.refined).isTrue();
        Masks.assertTip(d, 193f, 170.5f, 0.6f);
        assertThat(d.confidence).isCloseTo((0.85f + 0.9f) / 2, within(0.02f)); // mask and tip map agree
    }

    @Test
    void aWireWithNoEndPointsOrNothingAtAll() {
        InstrumentDetection d = new InstrumentDetection();
        WireLocator locator = new WireLocator(W, H);
        assertThat(locator.locate(new float[PLANE], 0, 0.5, -1, 0.3, d)).isFalse();
        // a closed loop of wire: no end points, the tip is the point farthest along it from the border
        float[] loop = new float[PLANE];
        for (int a = 0; a < 360; a += 2) {
            double r1 = Math.toRadians(a);
            double r2 = Math.toRadians(a + 2);
            Masks.fillSegment(loop, 0, W, H, 128 + 50 * Math.cos(r1), 128 + 50 * Math.sin(r1),
                    128 + 50 * Math.cos(r2), 128 + 50 * Math.sin(r2), 1.2, 0.9f);
        }
        assertThat(locator.locate(loop, 0, 0.5, -1, 0.3, d)).isTrue();
        double entryAngle = Math.atan2(d.entryY - 128, d.entryX - 128);
        double tipAngle = Math.atan2(d.tipY - 128, d.tipX - 128);
        double apart = Math.abs(Math.IEEEremainder(entryAngle - tipAngle, 2 * Math.PI));
        assertThat(apart).isCloseTo(Math.PI, within(0.2)); // opposite side of the loop
    }

    /**
     * A labelled wire drawn in pieces (a faint stretch left out) is scored to its far end: the pieces are joined
     * across a gap of a few pixels. Before, the truth's tip was the end of the largest piece (here the entering one,
     * about 100 px short along the wire). Something labelled far off is still not wire.
     */
    @Test
    void aLabelledWireInPiecesIsScoredToItsFarEnd() {
        float[] plane = new float[PLANE];
        double[][] first = {{60, 0}, {60, 80}, {75, 120}, {100, 143}};
        double[][] second = {{105, 147}, {110, 150}, {150, 165}, {190, 170}}; // past a gap of about 6 px
        for (double[][] piece : new double[][][] {first, second}) {
            for (int i = 0; i + 1 < piece.length; i++) {
                Masks.fillSegment(plane, 0, W, H, piece[i][0], piece[i][1], piece[i + 1][0], piece[i + 1][1], 1.5, 1f);
            }
        }
        Masks.fillSegment(plane, 0, W, H, 220, 40, 240, 40, 1.5, 1f); // labelled, far from the wire
        InstrumentDetection d = new InstrumentDetection();
        assertThat(new WireLocator(W, H).locateInMask(Masks.binary(plane, 0, PLANE), d)).isTrue();
        Masks.assertTip(d, 190f, 170f, 3f);
        Masks.assertEntry(d, 60f, 0f, 3f);
    }
}
