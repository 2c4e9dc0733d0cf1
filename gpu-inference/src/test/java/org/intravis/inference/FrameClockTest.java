package org.intravis.inference;

import org.intravis.pipeline.FrameSlot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A stream's frame time: the video's own intervals where it has them, whatever the capture times were. */
class FrameClockTest {
    private static final long MS = 1_000_000L;

    @Test
    void framesReadFastOfflineAreAsFarApartAsInTheVideo() {
        FrameClock c = new FrameClock();
        assertThat(c.advance(1_000 * MS, 0)).isZero();
        assertThat(c.nanos()).isEqualTo(1_000 * MS); // starts at the first capture
        // read 5 ms apart (as fast as the model takes them), 33.333 ms apart in the video
        assertThat(c.advance(1_005 * MS, 33_333)).isEqualTo(33_333_000L);
        assertThat(c.advance(1_010 * MS, 66_667)).isEqualTo(33_334_000L);
        assertThat(c.nanos()).isEqualTo(1_000 * MS + 66_667_000L);
    }

    @Test
    void withoutBothPresentationTimesTheCaptureTimesCount() {
        FrameClock c = new FrameClock();
        c.advance(0, FrameSlot.NO_PTS);
        assertThat(c.advance(40 * MS, FrameSlot.NO_PTS)).isEqualTo(40 * MS);
        assertThat(c.advance(80 * MS, 5_000)).as("the last frame's time unknown").isEqualTo(40 * MS);
        assertThat(c.advance(100 * MS, 45_000)).isEqualTo(40 * MS);
        assertThat(c.nanos()).isEqualTo(120 * MS);
    }

    @Test
    void aSeekBackIsANegativeStepButTheClockNeverGoesBack() {
        FrameClock c = new FrameClock();
        c.advance(0, 10_000_000);
        c.advance(33 * MS, 10_033_000);
        assertThat(c.advance(66 * MS, 2_000_000)).as("seeked back 8 s").isEqualTo(-8_033 * MS);
        assertThat(c.nanos()).isEqualTo(33 * MS);
        assertThat(c.advance(99 * MS, 2_033_000)).isEqualTo(33 * MS);
        assertThat(c.nanos()).isEqualTo(66 * MS);
        assertThat(c.advance(132 * MS, 2_033_000)).as("paused: the same frame again").isZero();
    }
}
