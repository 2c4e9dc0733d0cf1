package org.intravis.capture;

import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.SourceStatus;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The skeleton of a live source that never gives up (a stream, a capture card, an OpenIGTLink server): what it shows
 * about its connection ("connecting", what it is connected to, "reconnecting in 800 ms, attempt 3: REASON"), the
 * exponential back-off between attempts ({@code reconnectInitialMs}=250 doubling up to {@code reconnectMaxMs}=5000,
 * reset after a good frame), the reconnections and frames counted, and the frames' times (since open: a live
 * picture's time is its arrival). A source keeps only how it connects and reads.
 */
public abstract class ReconnectingSource extends GuardedSource {
    private final Logger log = Logger.getLogger(getClass().getName());
    private final ReconnectBackoff backoff;
    private final AtomicLong connections = new AtomicLong();
    private long openedNanos;
    private volatile String detail = "";
    private volatile long frames;

    protected ReconnectingSource(SourceUri uri) {
        super(uri);
        this.backoff = new ReconnectBackoff(uri.intOption("reconnectInitialMs", 250), uri.intOption("reconnectMaxMs", 5000));
    }

    /** The open begins: frame times count from now. */
    protected final void connecting() {
        openedNanos = System.nanoTime();
        status(SourceStatus.CONNECTING);
        detail = "connecting";
    }

    /** A connection is made; {@code what} says to what. From the second one on, it is logged as a reconnection. */
    protected final void connected(String what) {
        long n = connections.incrementAndGet();
        status(SourceStatus.STREAMING);
        detail = what;
        if (n > 1) {
            log.info(() -> description() + ": reconnected");
        }
    }

    /**
     * Counts a failed attempt or a lost connection and returns how long to wait before the next attempt; the status
     * says when that comes and why, unless the source is closing (then "closed" is the last word).
     */
    protected final long reconnecting(String reason) {
        long delay = backoff.nextDelayMillis();
        if (!guard.closing()) {
            status(SourceStatus.RECONNECTING);
            detail = "reconnecting in " + delay + " ms, attempt " + backoff.attempt() + ": " + reason;
        }
        return delay;
    }

    /** The attempt that comes next: 0 while connected and receiving. */
    protected final int reconnectAttempt() {
        return backoff.attempt();
    }

    /** A good frame or image came: the next failure starts the back-off over (on the thread that counts failures). */
    protected final void receiving() {
        if (backoff.attempt() != 0) {
            backoff.reset();
        }
    }

    /** A frame delivered into {@code slot}: its time is now, since open; returns now (nanoTime). No allocation. */
    protected final long delivered(FrameSlot slot) {
        long now = System.nanoTime();
        slot.sourcePtsMicros(TimeUnit.NANOSECONDS.toMicros(now - openedNanos));
        frames++;
        return now;
    }

    /** Replaces the status detail while connected ("streaming"). */
    protected final void detail(String d) {
        detail = d;
    }

    @Override
    protected final String detail() {
        return detail;
    }

    @Override
    public final long reconnects() {
        return Math.max(0, connections.get() - 1);
    }

    /** Frames delivered since open. */
    public final long framesDelivered() {
        return frames;
    }

    @Override
    public final boolean live() {
        return true;
    }

    @Override
    protected void closed() {
        detail = "closed";
    }
}
