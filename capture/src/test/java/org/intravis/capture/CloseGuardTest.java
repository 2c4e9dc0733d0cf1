package org.intravis.capture;

import org.intravis.pipeline.testing.Async;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CloseGuardTest {
    final AtomicInteger releases = new AtomicInteger();
    final CloseGuard guard = new CloseGuard(releases::incrementAndGet);

    @Test
    void closeWhileIdleReleasesOnceAndLocksTheReaderOut() {
        assertThat(guard.enter()).isTrue();
        guard.exit();
        assertThat(guard.close(100)).isTrue();
        assertThat(releases).hasValue(1);
        assertThat(guard.enter()).isFalse();
        assertThat(guard.close(100)).isTrue();
        assertThat(releases).hasValue(1);
    }

    @Test
    void closeWaitsForTheReaderToLeaveThenReleasesOnce() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CompletableFuture<Void> reader = Async.run(() -> {
            assertThat(guard.enter()).isTrue();
            inside.countDown();
            while (!guard.closing()) {
                Thread.onSpinWait(); // a blocked native read polling its interrupt callback
            }
            assertThat(releases).as("nothing is released under the reader").hasValue(0);
            guard.exit();
        });
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(guard.close(10_000)).isTrue();
        reader.get(10, TimeUnit.SECONDS);
        assertThat(releases).hasValue(1);
    }

    @Test
    void aReaderThatOverstaysReleasesWhenItFinallyLeaves() {
        assertThat(guard.enter()).isTrue();
        assertThat(guard.close(20)).isFalse(); // close does not hang
        assertThat(releases).hasValue(0);
        guard.exit();
        assertThat(releases).hasValue(1);
        assertThat(guard.enter()).isFalse();
    }
}
