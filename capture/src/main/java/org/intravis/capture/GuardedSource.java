package org.intravis.capture;

import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.SourceStatus;

import java.util.logging.Logger;

/**
 * The skeleton every source over native or file state shares (files, image folders, PLUS sequences, recordings,
 * live streams): its URI, status and failure, geometry and frame rate, and the {@link CloseGuard} that lets
 * {@link #close()} come from another thread while the capture thread is inside a read. {@link #open()} and
 * {@link #readInto} enter the guard and call {@link #openGuarded()} / {@link #readGuarded}; the state is freed once,
 * by {@link #release()}, by whichever thread leaves last (or at once when opening fails). A source keeps only
 * what differs: how it opens, reads, describes itself and frees its state.
 */
public abstract class GuardedSource implements FrameSource {
    private static final long CLOSE_WAIT_MILLIS = 2000;

    protected final SourceUri uri;
    protected final CloseGuard guard = new CloseGuard(this::release);
    private final Logger log = Logger.getLogger(getClass().getName());
    private FrameGeometry geometry;
    private volatile double fps;
    private volatile SourceStatus status = SourceStatus.IDLE;
    private volatile String failure = "";

    protected GuardedSource(SourceUri uri) {
        this.uri = uri;
    }

    /** What the source reads, for messages: {@code video file /data/a.mp4}, {@code stream rtsp://...}. */
    protected abstract String description();

    /** Opens, under the guard: sets the {@link #geometry(FrameGeometry) geometry}, the frame rate and the status. */
    protected abstract void openGuarded() throws CaptureException;

    /** Reads the next frame, under the guard (see {@link FrameSource#readInto}). */
    protected abstract Read readGuarded(FrameSlot slot) throws CaptureException;

    /** The status detail while the source has not failed ({@link #statusDetail()} says the failure once it has). */
    protected abstract String detail();

    /**
     * Frees the native and file state; runs once, on the closing or the reading thread, or when opening fails. It
     * must tolerate state that was never opened (fields still null).
     */
    protected abstract void release();

    @Override
    public final String uri() {
        return uri.raw();
    }

    @Override
    public final void open() throws CaptureException {
        if (!guard.enter()) {
            throw fail(description() + ": the source is closed");
        }
        try {
            openGuarded();
        } catch (CaptureException | RuntimeException e) {
            release(); // nothing half-open is left behind; close() later finds nothing to free
            throw e;
        } finally {
            guard.exit();
        }
    }

    @Override
    public final Read readInto(FrameSlot slot) throws CaptureException {
        if (!guard.enter()) {
            return Read.END;
        }
        try {
            return readGuarded(slot);
        } finally {
            guard.exit();
        }
    }

    @Override
    public final FrameGeometry geometry() {
        if (geometry == null) {
            throw new IllegalStateException("open() the source first: " + uri.redacted());
        }
        return geometry;
    }

    /** Fixes the frame geometry (while opening: the pipeline sizes its ring from it). */
    protected final void geometry(FrameGeometry g) {
        this.geometry = g;
    }

    @Override
    public final double nominalFps() {
        return fps;
    }

    protected final void nominalFps(double f) {
        this.fps = f;
    }

    @Override
    public final SourceStatus status() {
        return status;
    }

    protected final void status(SourceStatus s) {
        this.status = s;
    }

    @Override
    public final String statusDetail() {
        String f = failure;
        return f.isEmpty() ? detail() : f;
    }

    /** Marks the source failed with a message (its status detail from now on) and returns the exception to throw. */
    protected final CaptureException fail(String message) {
        status = SourceStatus.FAILED;
        failure = message;
        return new CaptureException(message);
    }

    /**
     * Asks a read in progress to stop and waits up to 2 s; a read that ignores it (a stuck driver) cannot make close
     * hang: the state is released when that read returns.
     */
    @Override
    public final void close() {
        if (!guard.close(CLOSE_WAIT_MILLIS)) {
            log.warning(() -> description() + ": a read did not stop within 2 s; it is released when it does");
        }
        status = SourceStatus.CLOSED;
        closed();
    }

    /** After {@link #close()}: a source with a status detail of its own says so here. */
    protected void closed() {
    }
}
