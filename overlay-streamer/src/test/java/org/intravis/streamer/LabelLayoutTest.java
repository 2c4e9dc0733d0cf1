package org.intravis.streamer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The burned-in overlay's label placement, on the boxes of the pages' test of the same rule. */
class LabelLayoutTest {
    private static final int W = 640;
    private static final int H = 360;

    private static boolean overlap(int[] a, int[] b) {
        return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
    }

    /**
     * A nerve and two vessels side by side, the middle vessel's label as wide as the gap to its neighbour, a tip
     * beside them: no label over another label, another zone or the tip, each within 40 px of what it names.
     */
    @Test
    void labelsStayOffNeighbouringZonesTipsAndEachOther() {
        int[][] things = {{230, 180, 55, 35}, {312, 182, 38, 40}, {362, 172, 48, 42}, {291, 141, 18, 18}};
        int[][] sizes = {{62, 17}, {70, 17}, {70, 17}, {68, 17}};
        LabelLayout layout = new LabelLayout(8);
        layout.reset();
        for (int i = 0; i < things.length; i++) {
            layout.addObstacle(things[i][0], things[i][1], things[i][2], things[i][3], i == 3);
        }
        int[][] placed = new int[things.length][];
        for (int i = 0; i < things.length; i++) {
            layout.place(i, i == 3, sizes[i][0], sizes[i][1], 2, W, H);
            placed[i] = new int[] {layout.x(), layout.y(), sizes[i][0], sizes[i][1]};
        }
        for (int i = 0; i < things.length; i++) {
            assertThat(placed[i][0]).isBetween(0, W - placed[i][2]);
            assertThat(placed[i][1]).isBetween(0, H - placed[i][3]);
            for (int j = 0; j < things.length; j++) {
                if (j != i) {
                    assertThat(overlap(placed[i], things[j])).as("label %d over thing %d", i, j).isFalse();
                    assertThat(overlap(placed[i], placed[j])).as("label %d over label %d", i, j).isFalse();
                }
            }
            int[] own = things[i];
            int dx = Math.max(0, Math.max(own[0] - (placed[i][0] + placed[i][2]), placed[i][0] - (own[0] + own[2])));
            int dy = Math.max(0, Math.max(own[1] - (placed[i][1] + placed[i][3]), placed[i][1] - (own[1] + own[3])));
            assertThat(Math.hypot(dx, dy)).as("label %d near what it names", i).isLessThan(40);
        }
        // the first zone's label goes where it is asked: above its box, left-aligned
        assertThat(placed[0]).containsExactly(230, 180 - 17 - 2, 62, 17);
    }

    /** Overlapping zones (a nerve inside a no-go zone) do not push each other's labels away. */
    @Test
    void zonesOverlappingTheLabelledOneAreNotAvoided() {
        LabelLayout layout = new LabelLayout(4);
        layout.reset();
        layout.addObstacle(100, 100, 120, 100, false);
        layout.addObstacle(90, 60, 200, 200, false); // around the first
        layout.place(0, false, 60, 17, 2, W, H);
        assertThat(layout.x()).isEqualTo(100);
        assertThat(layout.y()).isEqualTo(100 - 17 - 2);
    }

    /** A needle tip at a nerve's edge, where the nerve's label would go, is never covered by it (the demo's case). */
    @Test
    void aTipOnTheLabelledZonesEdgeIsStillAvoided() {
        LabelLayout layout = new LabelLayout(4);
        layout.reset();
        layout.addObstacle(230, 180, 55, 35, false);
        layout.addObstacle(272, 165, 18, 18, true); // the tip, overlapping the nerve's box at its top right
        layout.place(0, false, 62, 17, 2, W, H);
        int[] label = {layout.x(), layout.y(), 62, 17};
        assertThat(overlap(label, new int[] {272, 165, 18, 18})).as("label %s over the tip",
                java.util.Arrays.toString(label)).isFalse();
    }

    /**
     * The needle's line passing just above a vessel, where the vessel's label would go (the OR display's case: the
     * label across the needle hides the needle in the picture): the label goes where the line is not, near the
     * vessel; the tip's label keeps off the line too.
     */
    @Test
    void labelsStayOffTheNeedlesLine() {
        LabelLayout layout = new LabelLayout(4, 2);
        layout.reset();
        layout.addObstacle(360, 190, 50, 42, false);           // the vessel
        int tip = layout.addObstacle(321, 196, 18, 18, true);  // the tip at (330, 205), the line's deep end
        assertThat(layout.addLine(500, 40, 330, 205)).isTrue();
        layout.place(0, false, 75, 17, 2, W, H);
        int[] vesselLabel = {layout.x(), layout.y(), 75, 17};
        assertThat(LabelLayout.crosses(500, 40, 330, 205, 360, 190 - 17 - 2, 75, 17))
                .as("the place asked for first is across the line").isTrue();
        assertThat(LabelLayout.crosses(500, 40, 330, 205, vesselLabel[0], vesselLabel[1], 75, 17))
                .as("vessel label %s across the line", java.util.Arrays.toString(vesselLabel)).isFalse();
        assertThat(overlap(vesselLabel, new int[] {321, 196, 18, 18})).isFalse();
        assertThat(Math.abs(vesselLabel[1] - 190)).as("near the vessel").isLessThan(60);
        layout.place(tip, true, 68, 17, 2, W, H);
        assertThat(LabelLayout.crosses(500, 40, 330, 205, layout.x(), layout.y(), 68, 17))
                .as("tip label at (%d, %d) across the line", layout.x(), layout.y()).isFalse();
        assertThat(layout.addLine(0, 0, 1, 1)).isTrue();
        assertThat(layout.addLine(0, 0, 1, 1)).as("full at two lines").isFalse();
    }

    /** The segment test: through, inside, beside, along an edge, and a point. */
    @Test
    void aSegmentCrossesABoxOnlyWhereSomeOfItLiesInside() {
        assertThat(LabelLayout.crosses(0, 50, 200, 50, 50, 40, 20, 20)).isTrue();    // straight through
        assertThat(LabelLayout.crosses(55, 45, 60, 50, 50, 40, 20, 20)).isTrue();    // wholly inside
        assertThat(LabelLayout.crosses(0, 0, 40, 100, 50, 40, 20, 20)).isFalse();    // beside it
        assertThat(LabelLayout.crosses(0, 0, 45, 35, 50, 40, 20, 20)).isFalse();     // stops short
        assertThat(LabelLayout.crosses(100, 0, 0, 100, 50, 40, 20, 20)).isTrue();    // across a corner region
        assertThat(LabelLayout.crosses(0, 30, 200, 30, 50, 40, 20, 20)).isFalse();   // parallel, above
        assertThat(LabelLayout.crosses(60, 50, 60, 50, 50, 40, 20, 20)).isTrue();    // a point inside
    }

    /** With no place free of zones, a place free of other labels. */
    @Test
    void aCrowdedFrameStillKeepsLabelsApart() {
        LabelLayout layout = new LabelLayout(4);
        layout.reset();
        layout.addObstacle(10, 10, 20, 20, false);
        layout.addObstacle(0, 0, 8, 8, false);
        layout.addObstacle(32, 0, 8, 40, false);
        layout.place(0, false, 30, 12, 2, 40, 40);
        int[] first = {layout.x(), layout.y(), 30, 12};
        layout.place(1, false, 30, 12, 2, 40, 40);
        int[] second = {layout.x(), layout.y(), 30, 12};
        assertThat(overlap(first, second)).isFalse();
    }

    /**
     * A zone's label: above its box left-aligned, then right-aligned, then below left and right, then a line up, a
     * line down, two up, two down from the first place (the pages' overlay-draw.js asks in the same order; the
     * burned-in overlay of a recording should put a label where the page did). Each place is taken away in turn by a
     * small tip inside it.
     */
    @Test
    void aZonesLabelTriesItsPlacesInOrder() {
        int[] zone = {100, 100, 120, 100};
        int[][] blockers = {{120, 85}, {190, 85}, {120, 205}, {190, 205}, {120, 70}, {120, 105}, {120, 50}};
        int[][] expected = {{100, 81}, {160, 81}, {100, 202}, {160, 202}, {100, 64}, {100, 98}, {100, 47}, {100, 115}};
        for (int n = 0; n < expected.length; n++) {
            LabelLayout layout = new LabelLayout(8);
            layout.reset();
            layout.addObstacle(zone[0], zone[1], zone[2], zone[3], false);
            for (int b = 0; b < n; b++) {
                layout.addObstacle(blockers[b][0], blockers[b][1], 4, 4, true);
            }
            layout.place(0, false, 60, 17, 2, W, H);
            assertThat(new int[] {layout.x(), layout.y()}).as("with %d places taken", n).containsExactly(expected[n]);
        }
    }

    /**
     * The line steps go up and down alternately, one more line each time, twelve of them: with every other place
     * taken, the last one, six lines below the first place.
     */
    @Test
    void theLastPlaceIsSixLinesBelowTheFirst() {
        LabelLayout layout = new LabelLayout(8);
        layout.reset();
        layout.addObstacle(100, 300, 120, 100, false); // its label asked at (100, 281)
        layout.addObstacle(120, 170, 4, 212, true);     // over the first place and the eleven lines after it
        layout.addObstacle(190, 281, 4, 4, true);       // above, right-aligned
        layout.addObstacle(120, 402, 4, 4, true);       // below, left-aligned
        layout.addObstacle(190, 402, 4, 4, true);       // below, right-aligned
        layout.place(0, false, 60, 17, 2, W, 720);
        assertThat(new int[] {layout.x(), layout.y()}).containsExactly(100, 281 + 6 * 17);
    }

    /** A tip's label: to its right, its left, above, below, then lines up and down from the right-hand place. */
    @Test
    void aTipsLabelTriesItsPlacesInOrder() {
        int[][] blockers = {{350, 155}, {260, 155}, {330, 135}, {330, 175}};
        int[][] expected = {{320, 150}, {230, 150}, {300, 131}, {300, 170}, {320, 116}};
        for (int n = 0; n < expected.length; n++) {
            LabelLayout layout = new LabelLayout(8);
            layout.reset();
            int tip = layout.addObstacle(300, 150, 18, 18, true);
            for (int b = 0; b < n; b++) {
                layout.addObstacle(blockers[b][0], blockers[b][1], 4, 4, true);
            }
            layout.place(tip, true, 68, 17, 2, W, H);
            assertThat(new int[] {layout.x(), layout.y()}).as("with %d places taken", n).containsExactly(expected[n]);
        }
    }

    /** A label that would leave the frame is moved back inside it: at the top right, and for a tip at the bottom. */
    @Test
    void labelsStayInsideTheFrame() {
        LabelLayout layout = new LabelLayout(4);
        layout.reset();
        layout.addObstacle(600, 5, 30, 30, false);
        int tip = layout.addObstacle(0, 350, 10, 10, true);
        layout.place(0, false, 60, 17, 2, W, H); // asked at (600, -14)
        assertThat(new int[] {layout.x(), layout.y()}).containsExactly(W - 60, 0);
        layout.place(tip, true, 68, 17, 2, W, H); // asked at (12, 350)
        assertThat(new int[] {layout.x(), layout.y()}).containsExactly(12, H - 17);
    }

    /**
     * Boxes that only touch do not overlap (a label may sit against a tip's box on any side); a line that touches a
     * label's box, ending on its edge or running along it, counts as under the label (it is drawn wider than a
     * pixel).
     */
    @Test
    void touchingIsNotOverlappingForBoxesButIsForLines() {
        LabelLayout layout = new LabelLayout(8);
        layout.reset();
        layout.addObstacle(100, 100, 120, 100, false); // its label asked at (100, 81) to (160, 98)
        layout.addObstacle(90, 85, 10, 5, true);       // touching its left side
        layout.addObstacle(160, 85, 10, 5, true);      // its right
        layout.addObstacle(120, 71, 5, 10, true);      // its top
        layout.addObstacle(140, 98, 5, 1, true);       // its bottom
        layout.place(0, false, 60, 17, 2, W, H);
        assertThat(new int[] {layout.x(), layout.y()}).containsExactly(100, 81);

        assertThat(LabelLayout.crosses(0, 50, 50, 50, 50, 40, 20, 20)).as("ends on the left edge").isTrue();
        assertThat(LabelLayout.crosses(0, 40, 200, 40, 50, 40, 20, 20)).as("along the top edge").isTrue();
        assertThat(LabelLayout.crosses(0, 60, 200, 60, 50, 40, 20, 20)).as("along the bottom edge").isTrue();
        assertThat(LabelLayout.crosses(0, 61, 200, 61, 50, 40, 20, 20)).as("a pixel below it").isFalse();
    }

    /** Segments coming from each side: those that stop short of the box and those that reach into it. */
    @Test
    void aSegmentFromEachSideCrossesOnlyWhenItReachesTheBox() {
        // the box spans x 50..70, y 40..60
        assertThat(LabelLayout.crosses(200, 50, 75, 50, 50, 40, 20, 20)).as("from the right, short").isFalse();
        assertThat(LabelLayout.crosses(200, 50, 65, 50, 50, 40, 20, 20)).as("from the right, in").isTrue();
        assertThat(LabelLayout.crosses(60, 200, 60, 65, 50, 40, 20, 20)).as("from below, short").isFalse();
        assertThat(LabelLayout.crosses(60, 200, 60, 55, 50, 40, 20, 20)).as("from below, in").isTrue();
        assertThat(LabelLayout.crosses(60, 0, 60, 35, 50, 40, 20, 20)).as("from above, short").isFalse();
        assertThat(LabelLayout.crosses(60, 0, 60, 45, 50, 40, 20, 20)).as("from above, in").isTrue();
        assertThat(LabelLayout.crosses(0, 50, 45, 50, 50, 40, 20, 20)).as("from the left, short").isFalse();
        assertThat(LabelLayout.crosses(120, 0, 0, 100, 50, 40, 20, 20)).as("a diagonal through it").isTrue();
        assertThat(LabelLayout.crosses(200, 0, 100, 100, 50, 40, 20, 20)).as("a diagonal right of it").isFalse();
    }

    /**
     * When every place covers something else, the first place free of other labels; when every place covers a label
     * too, the first place. In a frame just two labels high, a third label must go over one of them.
     */
    @Test
    void withNoFreePlaceTheFirstFreeOfLabelsElseTheFirst() {
        LabelLayout layout = new LabelLayout(4);
        layout.reset();
        layout.addObstacle(0, 0, 100, 60, true);        // something under every place
        int zone = layout.addObstacle(40, 20, 20, 20, false);
        layout.place(zone, false, 30, 12, 2, 100, 60);
        assertThat(new int[] {layout.x(), layout.y()}).as("the first place").containsExactly(40, 6);
        layout.place(zone, false, 30, 12, 2, 100, 60);
        assertThat(new int[] {layout.x(), layout.y()}).as("below, free of the first label").containsExactly(40, 42);

        LabelLayout full = new LabelLayout(2);
        full.reset();
        int z = full.addObstacle(10, 10, 5, 5, false);
        full.place(z, false, 30, 12, 0, 30, 24);
        assertThat(new int[] {full.x(), full.y()}).containsExactly(0, 0);
        full.place(z, false, 30, 12, 0, 30, 24);
        assertThat(new int[] {full.x(), full.y()}).containsExactly(0, 12);
        full.place(z, false, 30, 12, 0, 30, 24);
        assertThat(new int[] {full.x(), full.y()}).as("no place free of labels: the first").containsExactly(0, 0);
    }

    /**
     * Each overlay starts afresh: after {@code reset} the last overlay's labels and tips are not avoided. More
     * labels than the layout has room for are still placed (the extra ones are not remembered); more obstacles than
     * room are refused.
     */
    @Test
    void resetForgetsTheLastOverlayAndCapacityIsKept() {
        LabelLayout layout = new LabelLayout(2);
        layout.reset();
        assertThat(layout.addObstacle(100, 100, 120, 100, false)).isEqualTo(0);
        assertThat(layout.addObstacle(120, 85, 4, 4, true)).isEqualTo(1);
        assertThat(layout.addObstacle(0, 0, 4, 4, true)).as("full").isEqualTo(-1);
        layout.place(0, false, 60, 17, 2, W, H);
        assertThat(layout.x()).isEqualTo(160);
        layout.place(0, false, 60, 17, 2, W, H);
        layout.place(0, false, 60, 17, 2, W, H); // a third label, with room for two: placed, not remembered

        layout.reset();
        assertThat(layout.addObstacle(100, 100, 120, 100, false)).isEqualTo(0);
        layout.place(0, false, 60, 17, 2, W, H);
        assertThat(new int[] {layout.x(), layout.y()}).as("neither the old tip nor the old labels")
                .containsExactly(100, 81);
    }
}
