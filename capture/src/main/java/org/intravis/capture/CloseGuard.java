package org.intravis.capture;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets {@code close()} come from another thread while the capture thread is inside a native read, without freeing
 * native state under its feet: the reader {@link #enter()}s and {@link #exit()}s around each call, the closer asks
 * the reader to stop ({@link #closing()}, which native interrupt callbacks poll) and the native state is released
 * exactly once, by whichever of the two leaves last. Lock-free and allocation-free on the reader's side.
 */
public final class CloseGuard {
    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int RELEASED = 2;

    private final AtomicInteger state = new AtomicInteger(IDLE);
    private final Runnable release;
    private volatile boolean closing;

    /** @param release frees the native state; runs once, on the closer's or the reader's thread */
    public CloseGuard(Runnable release) {
        this.release = release;
    }

    /** Called by the reader before touching native state; false once closing (the reader must then not touch it). */
    public boolean enter() {
        if (closing || !state.compareAndSet(IDLE, BUSY)) {
            return false;
        }
        if (closing) {
            exit();
            return false;
        }
        return true;
    }

    /** Called by the reader when it is done with native state (in a finally block). */
    public void exit() {
        state.set(IDLE);
        if (closing) {
            tryRelease();
        }
    }

    /** Whether close was requested; polled by interrupt callbacks so a blocked native read gives up. */
    public boolean closing() {
        return closing;
    }

    /**
     * Requests close and waits up to {@code maxWaitMillis} for the reader to leave. Returns true when the native
     * state was released by now; otherwise the reader releases it when it leaves (a read that ignores the
     * interrupt, e.g. a stuck device driver, cannot make close hang).
     */
    public boolean close(long maxWaitMillis) {
        closing = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
        while (true) {
            tryRelease();
            if (state.get() == RELEASED) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void tryRelease() {
        if (state.compareAndSet(IDLE, RELEASED)) {
            release.run();
        }
    }
}
