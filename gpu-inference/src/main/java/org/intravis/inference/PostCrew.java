package org.intravis.inference;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that post-process one batch's rows together: the model's worker (participant 0) and {@code helpers}
 * more ({@code post-<model>-<k>}). {@link #run} hands out the rows one by one to whoever is free and returns when
 * all are done, so a batch is finished before the next is run and its buffer reused, as with one thread.
 * <p>
 * The caller keeps a stream's rows off different threads at once (rows of one stream stay in order) and gives each
 * participant its own scratch (a decoder is not shareable). Whatever a participant wrote for a row is visible to the
 * worker after {@link #run} returns and to every participant of later batches ({@link #done} and {@link #ticket}
 * order them). Nothing is allocated per batch.
 */
final class PostCrew {
    /**
     * One row's post-processing by one participant (0: the worker, 1..helpers). It should not throw: a helper that
     * does ends (its row counted as done; the others take its share of later batches).
     */
    interface RowTask {
        void row(int participant, int row);
    }

    private final RowTask task;
    private final Thread[] helpers;
    /**
     * The batch being post-processed and its next row, in one word so that a claim cannot mix two batches: bits
     * 16 and up the batch's number, 8-15 its rows, 0-7 the next row to take. A participant takes a row by advancing
     * it, only while the number is the batch it came for and rows are left.
     */
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong rowsByHelpers = new AtomicLong();
    private long batchNumber;
    private volatile boolean running = true;
    private final Thread worker;

    PostCrew(String modelName, int helperCount, RowTask task, Thread worker) {
        this.task = task;
        this.worker = worker;
        this.helpers = new Thread[helperCount];
        for (int k = 0; k < helperCount; k++) {
            int participant = k + 1;
            helpers[k] = new Thread(() -> helperLoop(participant), "post-" + modelName + "-" + participant);
            helpers[k].setDaemon(true);
        }
    }

    void start() {
        for (Thread t : helpers) {
            t.start();
        }
    }

    /** The helpers' threads. */
    java.util.List<Thread> helperThreads() {
        return java.util.List.of(helpers);
    }

    /**
     * Post-processes rows 0..n-1 (n at most 255) of the batch on the worker (the caller) and the helpers; returns
     * when all are done. What the caller wrote before is visible to the participants.
     */
    void run(int n) {
        if (n < 1 || n > 255) {
            throw new IllegalArgumentException("rows must be 1..255, was " + n);
        }
        long b = ++batchNumber;
        done.set(0); // every row of the last batch was counted before run returned
        ticket.set(b << 16 | (long) n << 8);
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
        take(0, b);
        int spins = 0;
        while (done.get() < n) {
            if (++spins < 200) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000L); // the helper that finishes the last row unparks the worker
            }
        }
    }

    private void take(int participant, long b) {
        while (true) {
            long t = ticket.get();
            int n = (int) (t >>> 8) & 0xFF;
            int r = (int) t & 0xFF;
            if (t >>> 16 != b || r >= n) {
                return;
            }
            if (!ticket.compareAndSet(t, t + 1)) {
                continue;
            }
            if (participant != 0) {
                rowsByHelpers.incrementAndGet();
            }
            try {
                task.row(participant, r);
            } finally {
                if (done.incrementAndGet() == n && participant != 0) {
                    LockSupport.unpark(worker);
                }
            }
        }
    }

    private void helperLoop(int participant) {
        long seen = 0;
        while (running) {
            long b = ticket.get() >>> 16;
            if (b == seen) {
                LockSupport.park(this);
                continue;
            }
            seen = b;
            take(participant, b);
        }
    }

    /** Rows the helpers took so far (the rest the worker did itself). */
    long rowsByHelpers() {
        return rowsByHelpers.get();
    }

    /** Stops the helpers (they are daemons and hold nothing; the worker stops first, so no batch is under way). */
    void stop() {
        running = false;
        for (Thread t : helpers) {
            LockSupport.unpark(t);
        }
    }
}
