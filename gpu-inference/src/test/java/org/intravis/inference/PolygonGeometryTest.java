package org.intravis.inference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PolygonGeometryTest {
    // a 100 x 50 rectangle from (100,100) to (200,150), after two padding points to check offsets
    private final float[] xy = {-1, -1, -2, -2, 100, 100, 200, 100, 200, 150, 100, 150};
    private static final int FIRST = 2;
    private static final int N = 4;

    @Test
    void distanceToAPolygonIsPositiveOutsideAndNegativeInside() {
        assertThat(PolygonGeometry.signedDistance(xy, FIRST, N, 50, 125)).isCloseTo(50, within(1e-9)); // left of it
        assertThat(PolygonGeometry.signedDistance(xy, FIRST, N, 230, 190)).isCloseTo(50, within(1e-9)); // 3-4-5 from a corner
        assertThat(PolygonGeometry.signedDistance(xy, FIRST, N, 150, 110)).isCloseTo(-10, within(1e-9)); // inside, 10 from top
        assertThat(PolygonGeometry.signedDistance(xy, FIRST, N, 150, 100)).isCloseTo(0, within(1e-9)); // on the edge
        assertThat(PolygonGeometry.contains(xy, FIRST, N, 150, 125)).isTrue();
        assertThat(PolygonGeometry.contains(xy, FIRST, N, 99, 125)).isFalse();
    }

    @Test
    void aTrajectoryEntersWhereItFirstCrossesAnEdge() {
        // from (0,125) heading right 200 px: crosses x=100 at half way
        assertThat(PolygonGeometry.entryFraction(xy, FIRST, N, 0, 125, 200, 125)).isCloseTo(0.5, within(1e-9));
        // heading away never enters
        assertThat(PolygonGeometry.entryFraction(xy, FIRST, N, 0, 125, -100, 125)).isEqualTo(-1);
        // too short to reach it
        assertThat(PolygonGeometry.entryFraction(xy, FIRST, N, 0, 125, 90, 125)).isEqualTo(-1);
        // already inside
        assertThat(PolygonGeometry.entryFraction(xy, FIRST, N, 150, 125, 160, 125)).isEqualTo(0);
        // standing still outside
        assertThat(PolygonGeometry.entryFraction(xy, FIRST, N, 0, 125, 0, 125)).isEqualTo(-1);
        // diagonal into the top edge: from (150,50) to (150,150) enters at y=100, half way
        assertThat(PolygonGeometry.entryFraction(xy, FIRST, N, 150, 50, 150, 150)).isCloseTo(0.5, within(1e-9));
    }
}
