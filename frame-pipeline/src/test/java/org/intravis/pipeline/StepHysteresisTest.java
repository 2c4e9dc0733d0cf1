package org.intravis.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The governors' hysteresis, window by window: down after two behind, up after upWindows that fit, no flapping. */
class StepHysteresisTest {

    private static int run(StepHysteresis h, int windows, boolean behind, boolean fits) {
        int s = h.step();
        for (int i = 0; i < windows; i++) {
            s = h.window(behind, fits);
        }
        return s;
    }

    @Test
    void downAfterTwoWindowsBehindUpAfterFiveThatFitAndNeverPastTheEnds() {
        StepHysteresis h = new StepHysteresis(2);
        assertThat(h.window(true, false)).as("one window behind is not enough").isZero();
        assertThat(h.window(false, true)).isZero();
        assertThat(run(h, 2, true, false)).isEqualTo(1);
        assertThat(run(h, 2, true, false)).isEqualTo(2);
        assertThat(run(h, 10, true, false)).as("never past the cheapest step").isEqualTo(2);
        assertThat(h.stepDowns()).isEqualTo(2);
        assertThat(run(h, 4, false, true)).as("four windows that fit are not enough").isEqualTo(2);
        assertThat(h.window(false, false)).as("a window that does not fit starts the count again").isEqualTo(2);
        assertThat(run(h, 5, false, true)).isEqualTo(1);
        assertThat(h.stepUps()).isEqualTo(1);
    }

    @Test
    void aStepUpThatFallsBackSoonDoublesTheWaitForTheNext() {
        StepHysteresis h = new StepHysteresis(1);
        run(h, 2, true, false);
        assertThat(run(h, 5, false, true)).isZero();
        assertThat(run(h, 2, true, false)).as("relapse within ten windows").isEqualTo(1);
        assertThat(h.upWindows()).isEqualTo(10);
        assertThat(run(h, 9, false, true)).isEqualTo(1);
        assertThat(h.window(false, true)).isZero();
        run(h, 20, false, false); // held the full work a long while
        assertThat(run(h, 2, true, false)).isEqualTo(1);
        assertThat(h.upWindows()).as("a step down long after the last step up starts from the base again")
                .isEqualTo(StepHysteresis.BASE_UP_WINDOWS);
        assertThat(new StepHysteresis(0).window(true, false)).as("maxStep 0 never steps").isZero();
    }
}
