package org.intravis.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Hands the newest completed {@link Annotations} of one stream from the inference branch to its readers (the
 * video branch, the overlay publisher, the recorder) without locks and without allocating.
 * <p>
 * A sequence lock, as in {@code StampedLock}'s optimistic read: the single writer makes the version odd,
 * copies, then makes it even again; a reader copies into its own holder and keeps the copy only if the version
 * was even and unchanged around it, else retries. Readers never block the writer, the writer never waits for
 * readers, and a reader always gets a complete set, never half of two.
 */
public final class AnnotationExchange {
    private static final VarHandle VERSION;

    static {
        try {
            VERSION = MethodHandles.lookup().findVarHandle(AnnotationExchange.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Annotations shared = new Annotations();
    @SuppressWarnings("unused") // accessed through VERSION
    private volatile long version;
    private final AnnotationListener[] listeners;

    public AnnotationExchange(AnnotationListener... listeners) {
        this.listeners = listeners.clone();
    }

    /**
     * Publishes a completed set (single writer: the stream's inference worker). Listeners are then called on
     * the writer's thread with the writer's own holder; they must copy what they keep and must not block.
     */
    public void publish(Annotations completed) {
        long v = (long) VERSION.getAcquire(this);
        VERSION.setRelease(this, v + 1);
        VarHandle.storeStoreFence();
        shared.copyFrom(completed);
        VERSION.setRelease(this, v + 2);
        for (AnnotationListener l : listeners) {
            l.onAnnotations(completed);
        }
    }

    /** Version of the newest published set; changes on every publish (even when stable). */
    public long version() {
        return (long) VERSION.getAcquire(this);
    }

    /**
     * Copies the newest completed set into {@code into}; returns the version copied (0 when nothing was ever
     * published, in which case {@code into} is cleared to status NONE).
     */
    public long readInto(Annotations into) {
        while (true) {
            long v1 = (long) VERSION.getAcquire(this);
            if ((v1 & 1L) != 0) {
                Thread.onSpinWait();
                continue;
            }
            if (v1 == 0) {
                into.clear();
                return 0;
            }
            into.copyFrom(shared);
            VarHandle.loadLoadFence();
            long v2 = (long) VERSION.getAcquire(this);
            if (v1 == v2) {
                return v1;
            }
        }
    }

    /** Like {@link #readInto} but skips the copy when {@code lastVersion} is still the newest. */
    public long readIfNewer(Annotations into, long lastVersion) {
        long v = (long) VERSION.getAcquire(this);
        if (v == lastVersion && (v & 1L) == 0) {
            return lastVersion;
        }
        return readInto(into);
    }
}
