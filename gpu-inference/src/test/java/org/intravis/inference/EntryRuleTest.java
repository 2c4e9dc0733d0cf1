package org.intravis.inference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Which end of an instrument is its tip: the wrong answer puts the tip at the skin and the alerts on the wrong end.
 * A 640 x 480 picture (pixel centres 0..639 by 0..479) unless said.
 */
class EntryRuleTest {
    private static boolean entry(double ax, double ay, double bx, double by) {
        return EntryRule.aIsEntry(0, 0, 639, 479, ax, ay, bx, by);
    }

    private static boolean inPlane(double ax, double ay, double bx, double by) {
        return EntryRule.aIsEntryInPlane(0, 0, 639, 479, ax, ay, bx, by);
    }

    @Test
    void anInstrumentEntersFromTheBorderItsNearEndIsAt() {
        assertThat(entry(0, 200, 300, 250)).as("from the left").isTrue();
        assertThat(entry(300, 250, 0, 200)).isFalse();
        assertThat(entry(320, 0, 340, 300)).as("from the top").isTrue();
        assertThat(entry(340, 300, 320, 0)).isFalse();
        assertThat(entry(639, 100, 300, 120)).as("from the right").isTrue();
        assertThat(entry(300, 120, 639, 100)).isFalse();
        assertThat(entry(320, 479, 300, 200)).as("from below (a wire in fluoroscopy)").isTrue();
        assertThat(entry(300, 200, 320, 479)).isFalse();
    }

    /** Whichever border: the end nearer any border of the picture is the entry; a tie goes to end A. */
    @Test
    void theEndNearerAnyBorderIsTheEntry() {
        // 10 px from the left against 5 px from the bottom: the bottom end is where it comes in
        assertThat(entry(10, 240, 410, 474)).isFalse();
        assertThat(entry(410, 474, 10, 240)).isTrue();
        assertThat(entry(50, 100, 50, 300)).as("both 50 px from the left").isTrue();
        assertThat(entry(50, 300, 50, 100)).isTrue();
    }

    @Test
    void thePicturesBordersInsideACaptureFrameAreTheOnesThatCount() {
        // a 720 x 440 capture whose picture is x 170..549, y 20..419
        assertThat(EntryRule.aIsEntry(170, 20, 549, 419, 175, 100, 400, 110)).as("5 px inside the picture's left").isTrue();
        assertThat(EntryRule.aIsEntry(170, 20, 549, 419, 400, 110, 175, 100)).isFalse();
        // measured against the whole frame the same needle would be judged by its right end, 150 px from the edge
        assertThat(EntryRule.borderDistance(170, 20, 549, 419, 175, 100)).isCloseTo(5, within(1e-9));
        assertThat(EntryRule.borderDistance(0, 0, 719, 439, 175, 100)).isCloseTo(100, within(1e-9));
        assertThat(EntryRule.borderDistance(170, 20, 549, 419, 400, 415)).isCloseTo(4, within(1e-9));
        assertThat(EntryRule.borderDistance(170, 20, 549, 419, 545, 300)).isCloseTo(4, within(1e-9));
        assertThat(EntryRule.borderDistance(170, 20, 549, 419, 300, 26)).isCloseTo(6, within(1e-9));
    }

    /**
     * An in-plane needle only goes deeper as it advances: where its shaft drops 5 degrees or more, the shallower end is
     * the entry, whichever end lies nearer a border; a flatter shaft is judged by the borders.
     */
    @Test
    void anInPlaneNeedlesShallowerEndIsItsEntry() {
        assertThat(inPlane(600, 20, 300, 200)).as("from the upper right, down to the left").isTrue();
        assertThat(inPlane(300, 200, 600, 20)).isFalse();
        assertThat(inPlane(320, 5, 330, 300)).as("steep, from under the probe").isTrue();
        assertThat(inPlane(330, 300, 320, 5)).isFalse();
        // 20 degrees down to the right, its deep end 9 px from the right border: the borders alone take that end for
        // the entry; its depth says otherwise
        assertThat(entry(100, 100, 630, 293)).isFalse();
        assertThat(inPlane(100, 100, 630, 293)).isTrue();
        assertThat(inPlane(630, 293, 100, 100)).isFalse();
    }

    @Test
    void fiveDegreesOfDropDecide() {
        // 400 px long, its right end 39 px from the right border: flat (4 degrees) by the borders, 6 degrees by depth
        double drop4 = 400 * Math.tan(Math.toRadians(4));
        double drop6 = 400 * Math.tan(Math.toRadians(6));
        assertThat(inPlane(200, 200, 600, 200 + drop4)).as("4 degrees: the borders").isFalse();
        assertThat(inPlane(200, 200, 600, 200 + drop6)).as("6 degrees: depth").isTrue();
        assertThat(inPlane(600, 200 + drop6, 200, 200)).isFalse();
        // flat, from the left: the borders
        assertThat(inPlane(10, 240, 400, 250)).isTrue();
        assertThat(inPlane(400, 250, 10, 240)).isFalse();
    }
}
