package org.intravis.capture;

import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.SourceStatus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A recorded source played as a stream (file, image folder, PLUS sequence, recording): {@link Playback} options
 * ({@code pace}, {@code loop}, {@code format}), pacing at the frames' own times, looping with a clock that keeps
 * running, and the delivered/loop counters. A source keeps what differs: where its frames and their times come from.
 */
public abstract class PlayedSource extends GuardedSource {
    private static final long DEFAULT_MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    protected final Playback playback;
    private final FramePacer pacer = new FramePacer();
    private final long maxParkNanos;
    /** Presentation time of the newest frame delivered, -1 before the first. */
    protected long lastPts = -1;
    /** Added to the material's own times: where the current pass starts on the delivered clock. */
    protected long loopBaseMicros;
    protected volatile long delivered;
    protected volatile long loops;

    protected PlayedSource(SourceUri uri) {
        this(uri, DEFAULT_MAX_PARK_NANOS);
    }

    /** @param maxParkNanos the longest wait inside one read before it returns to the capture loop */
    protected PlayedSource(SourceUri uri, long maxParkNanos) {
        super(uri);
        this.playback = Playback.from(uri);
        this.maxParkNanos = maxParkNanos;
    }

    /** The file or folder the URI names; {@code needs} (what to give, with an example) when it names none. */
    protected final Path location(String needs) {
        if (uri.location().isBlank()) {
            throw new IllegalArgumentException(needs);
        }
        return Paths.get(uri.location());
    }

    /** Fails the open, clearly, unless {@code path} is a readable, non-empty file; {@code what} names it ("video file"). */
    protected final void requireReadableFile(Path path, String what) throws CaptureException {
        if (!Files.exists(path)) {
            throw fail(what + " " + path + " does not exist");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw fail(what + " " + path + " is not a readable file");
        }
        try {
            if (Files.size(path) == 0) { // a copy that never finished, say: FFmpeg would only call it invalid data
                throw fail(what + " " + path + " is empty (0 bytes)");
            }
        } catch (java.io.IOException e) {
            throw fail(what + " " + path + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Whether the frame at {@code ptsMicros} may be delivered now: at once with {@code pace=fast}; paced, after
     * waiting for it at most the longest park (false: not yet, the read returns {@code NONE} and is called again, so
     * a close or a command is never kept waiting long).
     */
    protected final boolean due(long ptsMicros) {
        if (!playback.realtime()) {
            return true;
        }
        long wait = pacer.nanosUntilDue(ptsMicros, System.nanoTime());
        if (wait <= 0) {
            return true;
        }
        LockSupport.parkNanos(Math.min(wait, maxParkNanos));
        return pacer.nanosUntilDue(ptsMicros, System.nanoTime()) <= 0;
    }

    /** Forgets the pacing anchor (after a pause, a seek or a speed change): the next frame plays at once. */
    protected final void resetPacing() {
        pacer.reset();
    }

    /**
     * At the end of the material: false (and the status {@code ENDED}) unless it loops; a new pass starts its clock
     * {@code periodMicros} after the last frame delivered, so presentation times keep increasing across loops.
     */
    protected final boolean loopAtEnd(long periodMicros) {
        if (!playback.loop()) {
            status(SourceStatus.ENDED);
            return false;
        }
        loops++;
        loopBaseMicros = lastPts + periodMicros;
        return true;
    }

    /** Stamps a frame just written into the slot with its presentation time and counts it. */
    protected final Read delivered(FrameSlot slot, long ptsMicros) {
        slot.sourcePtsMicros(ptsMicros);
        lastPts = ptsMicros;
        delivered++;
        return Read.FRAME;
    }

    /** {@code , looped N time(s)} when it has looped, for the status detail. */
    protected final String loopsDetail() {
        long n = loops;
        return n == 0 ? "" : ", looped " + n + (n == 1 ? " time" : " times");
    }

    @Override
    public final boolean live() {
        return false;
    }
}
