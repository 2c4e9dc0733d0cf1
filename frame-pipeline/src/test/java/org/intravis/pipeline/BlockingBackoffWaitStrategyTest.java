package org.intravis.pipeline;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import org.intravis.pipeline.testing.Async;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The default wait strategy on a real ring: it waits for capture, then for the consumer it follows, and can be halted. */
class BlockingBackoffWaitStrategyTest {

    @Test
    void aFollowerWaitsForCaptureThenForTheConsumerItFollows() throws Exception {
        RingBuffer<long[]> ring = RingBuffer.createSingleProducer(() -> new long[1], 8, new BlockingBackoffWaitStrategy());
        Sequence video = new Sequence(-1);
        SequenceBarrier follower = ring.newBarrier(video);
        CompletableFuture<Long> waited = Async.supply(() -> follower.waitFor(0));
        Thread.sleep(20);
        assertThat(waited).as("nothing published yet").isNotDone();
        ring.publish(ring.next()); // capture publishes frame 0 (and wakes the blocked waiter)
        Thread.sleep(20);
        assertThat(waited).as("the video branch has not finished frame 0").isNotDone();
        video.set(0);
        assertThat(waited.get(5, TimeUnit.SECONDS)).isEqualTo(0);
    }

    @Test
    void haltingAFollowerThatWaitsBehindTheVideoBranchEndsItsWait() throws Exception {
        RingBuffer<long[]> ring = RingBuffer.createSingleProducer(() -> new long[1], 8, new BlockingBackoffWaitStrategy());
        ring.publish(ring.next());
        Sequence video = new Sequence(-1);
        SequenceBarrier follower = ring.newBarrier(video);
        CompletableFuture<Throwable> outcome = Async.supply(() -> {
            try {
                follower.waitFor(0);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Thread.sleep(20); // parked in the back-off by now
        follower.alert();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(AlertException.class);
    }

    @Test
    void blockingIsThisStrategy() {
        assertThat(WaitStrategies.byName("blocking")).isInstanceOf(BlockingBackoffWaitStrategy.class);
        assertThatThrownBy(() -> WaitStrategies.byName("nap")).isInstanceOf(IllegalArgumentException.class);
    }
}
