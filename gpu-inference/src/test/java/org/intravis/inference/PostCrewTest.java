package org.intravis.inference;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The crew that post-processes a batch's rows together: each row once, all done when run returns, no hang. */
class PostCrewTest {

    @Test
    void automaticallyOneThreadUnderEightProcessorsElseAQuarterOfThemAtMostFour() {
        assertThat(InferenceSettings.postThreadsFor(0, 2)).isEqualTo(1);
        assertThat(InferenceSettings.postThreadsFor(0, 7)).isEqualTo(1);
        assertThat(InferenceSettings.postThreadsFor(0, 8)).isEqualTo(2);
        assertThat(InferenceSettings.postThreadsFor(0, 16)).isEqualTo(4);
        assertThat(InferenceSettings.postThreadsFor(0, 64)).isEqualTo(4);
        assertThat(InferenceSettings.postThreadsFor(3, 2)).isEqualTo(3); // configured: as asked
    }

    @Test
    void everyRowIsDoneOnceBySomeoneAndSeenByTheWorkerWhenRunReturns() {
        int[] timesDone = new int[64];
        int[] doneBy = new int[64];
        boolean helperRows = false;
        PostCrew crew = new PostCrew("test", 3, (participant, row) -> {
            timesDone[row]++; // plain writes from any thread: run() must publish them to the worker
            doneBy[row] = participant;
            for (int spin = 0; spin < 200; spin++) {
                Thread.onSpinWait(); // a row's work, so that helpers get rows too
            }
        }, Thread.currentThread());
        crew.start();
        try {
            Random rnd = new Random(5);
            for (int batch = 0; batch < 20_000; batch++) {
                int n = 1 + rnd.nextInt(64);
                java.util.Arrays.fill(timesDone, 0);
                crew.run(n);
                for (int r = 0; r < 64; r++) {
                    assertThat(timesDone[r]).as("row %d of %d, batch %d", r, n, batch).isEqualTo(r < n ? 1 : 0);
                    helperRows |= r < n && doneBy[r] != 0;
                }
            }
            assertThat(helperRows).isTrue();
            assertThat(crew.rowsByHelpers()).isPositive();
        } finally {
            crew.stop();
        }
    }

    @Test
    void aHelperWhoseRowThrowsEndsAndTheOthersCarryOn() {
        AtomicBoolean thrown = new AtomicBoolean();
        int[] timesDone = new int[16];
        PostCrew crew = new PostCrew("test", 2, (participant, row) -> {
            if (participant != 0 && thrown.compareAndSet(false, true)) {
                throw new IllegalStateException("a post-processing bug");
            }
            timesDone[row]++;
            for (int spin = 0; spin < 200; spin++) {
                Thread.onSpinWait();
            }
        }, Thread.currentThread());
        crew.start();
        try {
            for (int batch = 0; batch < 2_000; batch++) {
                java.util.Arrays.fill(timesDone, 0);
                crew.run(16); // returns: the thrown row counted as done
                int sum = 0;
                for (int t : timesDone) {
                    sum += t;
                }
                assertThat(sum).isBetween(15, 16);
            }
            assertThat(thrown).isTrue();
        } finally {
            crew.stop();
        }
    }
}
