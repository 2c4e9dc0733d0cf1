package org.intravis.inference;

import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;

class MaskPolygonsTest {
    private static final int W = 256;
    private static final int H = 256;

    private static Mat planeOf(float[] probs) {
        Mat m = new Mat(H, W, CV_32FC1);
        new org.bytedeco.javacpp.FloatPointer(m.data()).put(probs, 0, probs.length);
        return m;
    }

    @Test
    void regionsBecomeScaledPolygonsWithTheirMeanProbabilityAsConfidence() {
        float[] probs = new float[W * H];
        Masks.fillRect(probs, 0, W, 20, 30, 59, 69, 0.8f);        // 40 x 40 square, p = 0.8
        Masks.fillCircle(probs, 0, W, H, 180, 150, 30, 0.6f);     // circle r = 30, p = 0.6
        Masks.fillRect(probs, 0, W, 120, 20, 121, 21, 0.9f);      // a 2 x 2 speck: removed by the opening
        MaskPolygons polygons = new MaskPolygons(W, H);
        polygons.maskFromProbabilities(planeOf(probs), 0.5);
        Annotations a = new Annotations();
        // frame is 512 x 768: 2 x 3 frame pixels per mask pixel
        int n = polygons.appendZones(a, Annotations.ZONE_VESSEL, 1, probs, 0, true, 16, 1.0, 2f, 3f);

        assertThat(n).isEqualTo(2);
        assertThat(a.zoneCount()).isEqualTo(2);
        int square = a.zonePointCount[0] == 4 ? 0 : 1;
        int circle = 1 - square;
        assertThat(a.zonePointCount[square]).isEqualTo(4);
        float minX = Float.MAX_VALUE, maxX = -1, minY = Float.MAX_VALUE, maxY = -1;
        for (int k = 0; k < 4; k++) {
            minX = Math.min(minX, a.zonePointX(square, k));
            maxX = Math.max(maxX, a.zonePointX(square, k));
            minY = Math.min(minY, a.zonePointY(square, k));
            maxY = Math.max(maxY, a.zonePointY(square, k));
        }
        // mask pixel x maps to frame (x + 0.5) * 2 - 0.5: 20 -> 40.5, 59 -> 118.5; y: 30 -> 91, 69 -> 208
        assertThat(minX).isCloseTo(40.5f, within(1e-3f));
        assertThat(maxX).isCloseTo(118.5f, within(1e-3f));
        assertThat(minY).isCloseTo(91f, within(1e-3f));
        assertThat(maxY).isCloseTo(208f, within(1e-3f));
        assertThat(a.zoneConfidence[square]).isCloseTo(0.8f, within(1e-5f));
        assertThat(a.zoneConfidence[circle]).isCloseTo(0.6f, within(1e-5f));
        assertThat(a.zoneArea[square]).isCloseTo(39 * 39 * 6f, within(1f)); // contour area through pixel centres
        assertThat(a.zoneArea[circle]).isCloseTo((float) (Math.PI * 30 * 30 * 6), within(0.05f * (float) (Math.PI * 30 * 30 * 6)));
        assertThat(a.zonePointCount[circle]).isBetween(8, 80); // simplified, still round
        for (int k = 0; k < a.zonePointCount[circle]; k++) {
            double dx = (a.zonePointX(circle, k) + 0.5) / 2 - 0.5 - 180;
            double dy = (a.zonePointY(circle, k) + 0.5) / 3 - 0.5 - 150;
            assertThat(Math.hypot(dx, dy)).isCloseTo(30, within(2.0));
        }
        assertThat(a.zoneClass[0]).isEqualTo(Annotations.ZONE_VESSEL);
        assertThat(a.zoneDrawn[0]).isFalse();
        assertThat(new int[] {a.zoneId[0], a.zoneId[1]}).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void smallRegionsAreFilteredByArea() {
        float[] probs = new float[W * H];
        Masks.fillRect(probs, 0, W, 10, 10, 14, 14, 0.9f); // 5 x 5, contour area 16
        Masks.fillRect(probs, 0, W, 100, 100, 103, 103, 0.9f); // 4 x 4, contour area 9
        MaskPolygons polygons = new MaskPolygons(W, H);
        polygons.maskFromProbabilities(planeOf(probs), 0.5);
        Annotations a = new Annotations();
        assertThat(polygons.appendZones(a, Annotations.ZONE_NERVE, 1, probs, 0, false, 12, 1.0, 1f, 1f)).isEqualTo(1);
        assertThat(a.zoneArea[0]).isEqualTo(16f);
    }

    @Test
    void manyContoursAreHandledEvenBeyondTheReservedVector() {
        float[] probs = new float[W * H];
        int squares = 0;
        for (int y = 2; y + 3 < H; y += 6) {
            for (int x = 2; x + 3 < W; x += 6) {
                Masks.fillRect(probs, 0, W, x, y, x + 2, y + 2, 0.7f);
                squares++;
            }
        }
        assertThat(squares).isGreaterThan(512);
        MaskPolygons polygons = new MaskPolygons(W, H);
        for (int round = 0; round < 2; round++) {
            polygons.maskFromProbabilities(planeOf(probs), 0.5);
            Annotations a = new Annotations();
            int n = polygons.appendZones(a, Annotations.ZONE_NERVE, 1, probs, 0, false, 1, 0.5, 1f, 1f);
            assertThat(n).isEqualTo(Annotations.MAX_ZONES); // the holder fills up; every zone it got is right
            for (int z = 0; z < a.zoneCount(); z++) {
                assertThat(a.zonePointCount[z]).isEqualTo(4);
                assertThat(a.zoneArea[z]).isEqualTo(4f);
                assertThat(a.zoneConfidence[z]).isCloseTo(0.7f, within(1e-5f));
            }
        }
    }

    @Test
    void aBinaryMaskWithoutProbabilitiesHasConfidenceOne() {
        float[] probs = new float[W * H];
        Masks.fillCircle(probs, 0, W, H, 100, 100, 20, 1f);
        MaskPolygons polygons = new MaskPolygons(W, H);
        polygons.maskFromBytes(Masks.binary(probs, 0, W * H));
        Annotations a = new Annotations();
        assertThat(polygons.appendZones(a, Annotations.ZONE_NERVE, 7, null, 0, false, 16, 1.0, 1f, 1f)).isEqualTo(1);
        assertThat(a.zoneConfidence[0]).isEqualTo(1f);
        assertThat(a.zoneId[0]).isEqualTo(7);
    }

    /** Zones of one frame from rectangles (x0, y0, x1, y1 inclusive, p = 0.9), with the hysteresis memory. */
    private static int zonesOf(MaskPolygons polygons, int[] kept, int[]... rects) {
        float[] probs = new float[W * H];
        for (int[] r : rects) {
            Masks.fillRect(probs, 0, W, r[0], r[1], r[2], r[3], 0.9f);
        }
        polygons.maskFromProbabilities(planeOf(probs), 0.5);
        return polygons.appendZones(new Annotations(), Annotations.ZONE_VESSEL, 1, probs, 0, true, 100, 50, kept, 1.0,
                1f, 1f);
    }

    @Test
    void aZoneInViewIsKeptDownToTheSmallerAreaButANewOneOrAPieceOfALargerOneIsNot() {
        MaskPolygons polygons = new MaskPolygons(W, H);
        int[] kept = MaskPolygons.keptBoxes();
        int[] small = {100, 100, 108, 108};   // contour area 64: under 100, over 50
        int[] large = {20, 20, 39, 39};       // 361
        assertThat(zonesOf(polygons, kept, small)).as("new and small: not shown").isZero();
        assertThat(zonesOf(polygons, kept, new int[]{100, 100, 112, 112})).as("new, area 144").isEqualTo(1);
        assertThat(zonesOf(polygons, kept, small)).as("the same zone shrinking under 100: kept").isEqualTo(1);
        assertThat(zonesOf(polygons, kept, new int[]{101, 100, 109, 108})).as("and moving a little").isEqualTo(1);
        assertThat(zonesOf(polygons, kept, new int[]{100, 100, 105, 105})).as("area 25: under 50").isZero();
        assertThat(zonesOf(polygons, kept, small)).as("out of view for a frame: new again").isZero();

        assertThat(zonesOf(polygons, kept, large)).isEqualTo(1);
        assertThat(zonesOf(polygons, kept, new int[]{20, 20, 28, 28})).as("a small piece of the large one").isZero();
        assertThat(zonesOf(polygons, null, small)).as("no memory: no hysteresis").isZero();
    }
}
