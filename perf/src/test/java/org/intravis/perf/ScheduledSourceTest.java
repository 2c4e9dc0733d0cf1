package org.intravis.perf;

import org.HdrHistogram.Histogram;
import org.intravis.pipeline.FrameSlot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The capture clock the harness measures against: frames are due on a fixed schedule, a late reader finds the oldest
 * frames overwritten (counted) and the rest late (measured from when they were due, not when they were read).
 */
class ScheduledSourceTest {
    static FrameLoop loop;

    @BeforeAll
    static void render() throws Exception {
        loop = FrameLoop.render("synthetic:ultrasound?width=160&height=120&fps=100&pace=fast", 4);
    }

    @Test
    void framesAreDueOnTheClockAndCarryThePhantomsPixelsAndTruth() {
        // 1000 buffered frames (10 s): a reader delayed by a loaded machine still finds every frame, so what is
        // checked here does not depend on scheduling; losing frames to a stalled reader is the next test's
        ScheduledSource s = new ScheduledSource(loop, 100, 1000);
        s.open();
        FrameSlot slot = new FrameSlot(0, s.geometry(), true);
        for (int i = 0; i < 6; i++) {
            assertThat(s.readInto(slot)).isEqualTo(org.intravis.pipeline.FrameSource.Read.FRAME);
        }
        assertThat(s.delivered()).isEqualTo(6);
        long period = 10_000_000L;
        long t0 = s.scheduledNanos(0);
        for (int i = 1; i < 6; i++) {
            assertThat(s.scheduledNanos(i) - t0).isEqualTo(i * period);
        }
        assertThat(s.scheduledNanos(6)).as("not delivered yet").isZero();
        assertThat(s.scheduledNanos(-1)).isZero();
        assertThat(slot.width()).isEqualTo(160);
        assertThat(slot.groundTruth().present()).isTrue();
        // frame 5 of the loop of 4 is the loop's frame 1
        FrameSlot expected = new FrameSlot(0, s.geometry(), true);
        loop.copyInto(1, expected);
        for (int i = 0; i < 160 * 120; i += 97) {
            assertThat(slot.pixels().get(i)).isEqualTo(expected.pixels().get(i));
        }
        assertThat(slot.groundTruth().labels()[160 * 60 + 80]).isEqualTo(expected.groundTruth().labels()[160 * 60 + 80]);
        assertThat(s.overruns()).as("a reader within the device's buffer loses nothing").isZero();
    }

    @Test
    void aReaderThatStallsLosesTheOldestFramesAndMeasuresTheRestFromTheirSchedule() throws Exception {
        ScheduledSource s = new ScheduledSource(loop, 100, 4);
        s.open();
        FrameSlot slot = new FrameSlot(0, s.geometry(), true);
        s.readInto(slot);
        s.latenessSince();
        Thread.sleep(200); // 20 periods: the device keeps only the newest 4
        s.readInto(slot);
        assertThat(s.overruns()).as("frames overwritten while the reader stalled").isGreaterThanOrEqualTo(15);
        long id = s.delivered() - 1;
        assertThat(s.scheduledNanos(id) - s.scheduledNanos(0)).as("the frame read is a recent one, not frame 1")
                .isGreaterThanOrEqualTo(16 * 10_000_000L);
        Histogram late = s.latenessSince();
        assertThat(late.getTotalCount()).isEqualTo(1);
        assertThat(late.getMaxValue()).as("µs late: it waited in the device while the reader stalled")
                .isGreaterThanOrEqualTo(20_000);
        // the frame ids stay consecutive: a client maps every id it receives back to its schedule
        assertThat(s.scheduledNanos(id)).isPositive();
    }
}
