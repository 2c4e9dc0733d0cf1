package org.intravis.ui;

import org.intravis.inference.AiPace;
import org.intravis.pipeline.StepHysteresis;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The AI's pacing verdicts, window by window (the live behaviour is measured in BENCHMARKS.md). */
class AiPacerTest {
    private final AiPacer pacer = new AiPacer(null, () -> -1);

    private int windows(int n, double load, double hz, double floor, boolean busy) {
        int step = pacer.step();
        for (int i = 0; i < n; i++) {
            step = pacer.decide(load, hz, floor, busy);
        }
        return step;
    }

    @Test
    void aSaturatedCpuWithABusyModelPacesTheAiDownToItsFloorAndNoFurther() {
        assertThat(windows(StepHysteresis.DOWN_WINDOWS, 0.99, 30, 10, true)).isEqualTo(1);
        assertThat(AiPace.describe(1)).isEqualTo("2 of 3 frames");
        assertThat(windows(StepHysteresis.DOWN_WINDOWS, 0.99, 20, 10, true)).isEqualTo(2);
        // one of three would leave 15 * (1/3) / (1/2) = 10 a second: still at the floor
        assertThat(windows(StepHysteresis.DOWN_WINDOWS, 0.99, 15, 10, true)).isEqualTo(3);
        assertThat(windows(10, 0.99, 10, 10, true)).as("the last step").isEqualTo(AiPace.maxStep());
        assertThat(pacer.stepDowns()).isEqualTo(3);
    }

    @Test
    void theFloorStopsThePacing() {
        assertThat(windows(StepHysteresis.DOWN_WINDOWS, 0.99, 30, 10, true)).isEqualTo(1);
        // two of three gives 14 a second now; one of two would give 10.5, one of three not even that
        assertThat(windows(10, 0.99, 14, 10.6, true)).isEqualTo(1);
    }

    @Test
    void anIdleModelOrACpuWithRoomOrAnUnknownLoadIsNotPaced() {
        assertThat(windows(10, 0.99, 30, 10, false)).as("pacing an idle model frees nothing").isZero();
        assertThat(windows(10, 0.90, 30, 10, true)).as("busy but not saturated").isZero();
        assertThat(windows(10, -1, 30, 10, true)).as("the load unknown").isZero();
        assertThat(windows(10, 0.99, Double.NaN, 10, true)).as("no model stream").isZero();
    }

    @Test
    void roomOnTheCpuGivesTheFramesBackWithHysteresis() {
        windows(2 * StepHysteresis.DOWN_WINDOWS, 0.99, 30, 10, true);
        assertThat(pacer.step()).isEqualTo(2);
        assertThat(windows(StepHysteresis.BASE_UP_WINDOWS - 1, 0.5, 15, 10, true)).isEqualTo(2);
        assertThat(windows(1, 0.5, 15, 10, true)).isEqualTo(1);
        assertThat(windows(3, 0.9, 20, 10, true)).as("between the two marks: held").isEqualTo(1);
        assertThat(pacer.stepUps()).isEqualTo(1);
    }

    @Test
    void theLoadCountsWorkAtNormalPriorityAndLeavesNicedWorkAsRoom() throws Exception {
        AiPacer.ProcStatLoad load = new AiPacer.ProcStatLoad();
        assertThat(load.share("cpu  100 50 100 1000 10 0 0 0 0 0")).as("first reading").isNegative();
        // +300 user, +100 system, +500 nice (a batch job at nice 19), +100 idle: 400 of 1000 busy
        assertThat(load.share("cpu  400 550 200 1100 10 0 0 0 0 0")).isCloseTo(0.4, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(load.share("cpu  400 550 200 1100 10 0 0 0 0 0")).as("no time passed").isNegative();
        // this machine's own /proc/stat reads as a share (Linux CI)
        AiPacer.ProcStatLoad real = new AiPacer.ProcStatLoad();
        real.getAsDouble();
        Thread.sleep(200);
        assertThat(real.getAsDouble()).isBetween(0.0, 1.0);
    }

    /** The marks are inclusive where they say "at least": 95 % busy is saturated, 85 % not yet room; 0 is known. */
    @Test
    void theMarksThemselves() {
        assertThat(windows(StepHysteresis.DOWN_WINDOWS, AiPacer.SATURATED, 30, 10, true)).as("95 %").isEqualTo(1);
        assertThat(windows(10 * StepHysteresis.BASE_UP_WINDOWS, AiPacer.RELAXED, 30, 10, true)).as("85 %: held")
                .isEqualTo(1);
        assertThat(windows(10 * StepHysteresis.BASE_UP_WINDOWS, 0.0, 30, 10, true)).as("an idle CPU is room").isZero();
        AiPacer other = new AiPacer(null, () -> -1);
        for (int i = 0; i < StepHysteresis.DOWN_WINDOWS; i++) {
            other.decide(Math.nextDown(AiPacer.SATURATED), 30, 10, true);
        }
        assertThat(other.step()).as("just under 95 %").isZero();
    }

    /** Interrupts and a hypervisor's steal are busy; waiting for I/O is room; a short line (old kernels) reads. */
    @Test
    void stealAndInterruptsAreBusyAndIoWaitIsRoom() {
        AiPacer.ProcStatLoad load = new AiPacer.ProcStatLoad();
        load.share("cpu  100 0 100 1000 100 10 10 100 0 0");
        // +100 user, +100 I/O wait, +50 irq, +50 softirq, +100 steal: 300 of 400 busy
        assertThat(load.share("cpu  200 0 100 1000 200 60 60 200 0 0")).isCloseTo(0.75,
                org.assertj.core.api.Assertions.within(1e-9));
        AiPacer.ProcStatLoad old = new AiPacer.ProcStatLoad();
        old.share("cpu 100 0 100 1000");
        assertThat(old.share("cpu 150 0 150 1100")).isCloseTo(0.5, org.assertj.core.api.Assertions.within(1e-9));
    }
}
