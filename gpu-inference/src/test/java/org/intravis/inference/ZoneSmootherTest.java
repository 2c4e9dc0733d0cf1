package org.intravis.inference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The zone average on its own: it averages overlapping maps and starts again when its stream says so. */
class ZoneSmootherTest {
    private static final int PLANE = 16 * 16;
    private static final int[] ZONES = {1};
    private static final long MS = 1_000_000L;

    /** Channel 1 of two: a square of probability {@code p} at (x, y), 6 x 6. */
    private static float[] map(int x, int y, float p) {
        float[] m = new float[2 * PLANE];
        for (int j = y; j < y + 6; j++) {
            for (int i = x; i < x + 6; i++) {
                m[PLANE + j * 16 + i] = p;
            }
        }
        return m;
    }

    @Test
    void framesFurtherApartThanTheLongestGapStartTheAverageAgain() {
        ZoneSmoother s = new ZoneSmoother(new ZoneSmoother.Config(0.5, 0.5, 300));
        assertThat(s.smooth(map(4, 4, 1f), ZONES, PLANE)).as("the first frame starts it").isFalse();
        assertThat(s.restartAfter(33 * MS)).isFalse();
        float[] second = map(4, 4, 0.6f);
        assertThat(s.smooth(second, ZONES, PLANE)).isTrue();
        assertThat(second[PLANE + 4 * 16 + 4]).as("averaged").isEqualTo(0.8f);

        assertThat(s.restartAfter(400 * MS)).as("400 ms later").isTrue();
        float[] third = map(4, 4, 0.6f);
        assertThat(s.smooth(third, ZONES, PLANE)).isFalse();
        assertThat(third[PLANE + 4 * 16 + 4]).as("the frame alone").isEqualTo(0.6f);
        assertThat(s.restarts()).isEqualTo(2);
    }

    @Test
    void mapsThatNoLongerOverlapStartItAgainOnTheirOwn() {
        ZoneSmoother s = new ZoneSmoother(new ZoneSmoother.Config(0.5, 0.5, 0));
        s.smooth(map(0, 0, 1f), ZONES, PLANE);
        assertThat(s.restartAfter(10_000 * MS)).as("no gap rule (maxGapMs 0)").isFalse();
        float[] moved = map(10, 10, 1f);
        assertThat(s.smooth(moved, ZONES, PLANE)).isFalse();
        assertThat(s.lastOverlap()).isZero();
        assertThat(moved[PLANE + 10 * 16 + 10]).isEqualTo(1f);
    }
}
