package org.intravis.capture;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReconnectBackoffTest {
    @Test
    void doublesFromTheInitialDelayUpToTheCapAndStartsOverAfterAReset() {
        ReconnectBackoff b = new ReconnectBackoff(250, 5000);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            delays.add(b.nextDelayMillis());
        }
        assertThat(delays).containsExactly(250L, 500L, 1000L, 2000L, 4000L, 5000L, 5000L, 5000L);
        assertThat(b.attempt()).isEqualTo(8);
        b.reset();
        assertThat(b.attempt()).isZero();
        assertThat(b.nextDelayMillis()).isEqualTo(250L);
    }

    @Test
    void neverOverflowsAfterManyAttempts() {
        ReconnectBackoff b = new ReconnectBackoff(300, 5000);
        for (int i = 0; i < 10_000; i++) {
            assertThat(b.nextDelayMillis()).isBetween(300L, 5000L);
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new ReconnectBackoff(0, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectBackoff(500, 100)).isInstanceOf(IllegalArgumentException.class);
    }
}
