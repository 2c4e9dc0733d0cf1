package org.intravis.pipeline;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * Disruptor's {@code BlockingWaitStrategy} for the ring's cursor (sleep until capture publishes, woken by it), but
 * with a back-off where that one busy-spins: while a consumer waits for another consumer it follows. Readers that
 * follow the video branch (the recorder) wait there for every frame's encode, several milliseconds: a busy spin
 * burned a fifth of a core per stream doing nothing (measured with the perf harness, 720p30). Here the wait spins
 * briefly, yields, then parks {@value #PARK_NANOS} ns at a time; a follower learns of the frame at most that late.
 */
final class BlockingBackoffWaitStrategy implements WaitStrategy {
    static final int SPINS = 100;
    static final int YIELDS = 10;
    static final long PARK_NANOS = 200_000L;

    private final Object mutex = new Object();

    @Override
    public long waitFor(long sequence, Sequence cursorSequence, Sequence dependentSequence, SequenceBarrier barrier)
            throws AlertException, InterruptedException {
        if (cursorSequence.get() < sequence) {
            synchronized (mutex) {
                while (cursorSequence.get() < sequence) {
                    barrier.checkAlert();
                    mutex.wait();
                }
            }
        }
        long available;
        int tries = 0;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else if (tries < SPINS + YIELDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
            tries++;
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        synchronized (mutex) {
            mutex.notifyAll();
        }
    }
}
