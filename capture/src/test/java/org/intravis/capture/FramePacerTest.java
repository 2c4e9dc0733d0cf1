package org.intravis.capture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The pacer against a clock the test controls: no real time involved. */
class FramePacerTest {
    static final long MS = 1_000_000L;

    @Test
    void framesAreDueAtTheirTimestampsAfterTheFirst() {
        FramePacer p = new FramePacer();
        long t0 = 1_000 * MS;
        assertThat(p.nanosUntilDue(500_000, t0)).isZero(); // first frame: now
        assertThat(p.nanosUntilDue(540_000, t0 + 10 * MS)).isEqualTo(30 * MS);
        assertThat(p.nanosUntilDue(540_000, t0 + 40 * MS)).isZero();
        assertThat(p.nanosUntilDue(580_000, t0 + 45 * MS)).isEqualTo(35 * MS);
        assertThat(p.nanosUntilDue(580_000, t0 + 90 * MS)).isEqualTo(-10 * MS); // late: play at once
    }

    @Test
    void reanchorsWhenTimeGoesBackJumpsFarAheadOrFallsFarBehind() {
        FramePacer p = new FramePacer();
        long t0 = 5_000 * MS;
        p.nanosUntilDue(10_000_000, t0);
        assertThat(p.nanosUntilDue(9_000_000, t0 + MS)).isZero(); // backwards
        assertThat(p.nanosUntilDue(9_040_000, t0 + MS)).isEqualTo(40 * MS); // anchored on the new frame
        assertThat(p.nanosUntilDue(60_000_000, t0 + 2 * MS)).isZero(); // 51 s ahead: a broken timestamp
        assertThat(p.nanosUntilDue(60_040_000, t0 + 2 * MS)).isEqualTo(40 * MS);
        assertThat(p.nanosUntilDue(60_080_000, t0 + 3_000 * MS)).isZero(); // 2.9 s behind: start again from here
        assertThat(p.nanosUntilDue(60_120_000, t0 + 3_000 * MS)).isEqualTo(40 * MS);
    }

    @Test
    void resetPlaysTheNextFrameAtOnce() {
        FramePacer p = new FramePacer();
        p.nanosUntilDue(0, 0);
        assertThat(p.nanosUntilDue(1_000_000, 0)).isEqualTo(1_000 * MS);
        p.reset();
        assertThat(p.nanosUntilDue(1_000_000, 0)).isZero();
    }
}
