package org.intravis.inference;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One of a model's batch buffers and its rows' bookkeeping, shared without locks between the stream feeds that
 * fill rows and the model's worker that closes, runs and recycles the batch.
 * <p>
 * The batch word holds a generation (bumped on every recycle), a closed bit and the number of rows claimed; a feed
 * claims a row by compare-and-set while the batch is open and not full. Each row's word holds the generation and a
 * phase: EMPTY, WRITING (a feed is preprocessing into it), READY, VOID (the frame tore or failed) or TAKEN (the
 * worker owns it). A feed may rewrite its own READY row (newest frame wins) by moving it back to WRITING, which
 * fails once the worker has TAKEN it; generations make a stale feed's compare-and-set fail after a recycle. Row
 * metadata is written by the owning feed before it publishes READY and read by the worker after TAKEN.
 */
final class Batch {
    static final int EMPTY = 0;
    static final int WRITING = 1;
    static final int READY = 2;
    static final int VOID = 3;
    static final int TAKEN = 4;

    private static final long CLOSED = 1L << 31;
    private static final long COUNT_MASK = CLOSED - 1;

    final int buffer;
    final int capacity;
    private final AtomicLong word;
    private final AtomicLongArray rows;

    // row metadata (plain fields: ordered by the row word's volatile writes and reads)
    final int[] stream;
    final long[] frameId;
    final long[] capturedNanos;
    /**
     * Capture time of the first frame that took the row in this generation: a newer frame of the same stream that
     * replaces it inherits it, so that the batch's deadline does not move while frames keep replacing each other.
     */
    final long[] admittedNanos;
    final long[] captureEpochMicros;
    final long[] preprocessedNanos;
    /** The source's presentation time of the row's frame (its scene check tells a replay seek by it). */
    final long[] ptsMicros;
    final int[] frameWidth;
    final int[] frameHeight;
    /** The ring slot the row's frame was read from and its write version then: its pixels, read again after the model. */
    final org.intravis.pipeline.FrameSlot[] slot;
    final long[] slotVersion;

    Batch(int buffer, int capacity) {
        this.buffer = buffer;
        this.capacity = capacity;
        this.word = new AtomicLong(CLOSED); // generation 0, closed until the worker opens it
        this.rows = new AtomicLongArray(capacity);
        stream = new int[capacity];
        frameId = new long[capacity];
        capturedNanos = new long[capacity];
        admittedNanos = new long[capacity];
        captureEpochMicros = new long[capacity];
        preprocessedNanos = new long[capacity];
        ptsMicros = new long[capacity];
        frameWidth = new int[capacity];
        frameHeight = new int[capacity];
        slot = new org.intravis.pipeline.FrameSlot[capacity];
        slotVersion = new long[capacity];
    }

    static long generation(long w) { return w >>> 32; }
    static boolean closed(long w) { return (w & CLOSED) != 0; }
    static int count(long w) { return (int) (w & COUNT_MASK); }
    static long rowWord(long generation, int phase) { return (generation << 32) | phase; }
    static int phase(long rowWord) { return (int) rowWord; }

    long word() {
        return word.get();
    }

    /**
     * Claims the next row if the batch is open and not full; returns the batch word as it was before the claim
     * (its {@link #count} is the row claimed, its {@link #generation} the row's generation), or -1. The row is left
     * EMPTY for the caller to move to WRITING with {@link #setRow}.
     */
    long claim() {
        while (true) {
            long w = word.get();
            if (closed(w) || count(w) >= capacity) {
                return -1;
            }
            if (word.compareAndSet(w, w + 1)) {
                return w;
            }
        }
    }

    long rowState(int row) {
        return rows.get(row);
    }

    void setRow(int row, long gen, int phase) {
        rows.set(row, rowWord(gen, phase));
    }

    boolean casRow(int row, long gen, int from, int to) {
        return rows.compareAndSet(row, rowWord(gen, from), rowWord(gen, to));
    }

    /** Worker: closes the batch to new claims; returns the rows claimed. */
    int close() {
        while (true) {
            long w = word.get();
            if (word.compareAndSet(w, w | CLOSED)) {
                return count(w);
            }
        }
    }

    /** Worker: empties the rows for the next generation and leaves the batch closed. */
    void recycle() {
        long next = generation(word.get()) + 1;
        for (int r = 0; r < capacity; r++) {
            rows.set(r, rowWord(next, EMPTY));
        }
        word.set((next << 32) | CLOSED);
    }

    /** Worker: opens a recycled batch for claims. */
    void open() {
        word.set(generation(word.get()) << 32);
    }
}
