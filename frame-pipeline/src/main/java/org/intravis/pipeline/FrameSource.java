package org.intravis.pipeline;

/**
 * Where a stream's frames come from: a capture card, a network stream, a file, an image folder, a recording or
 * a synthetic phantom. Implementations live in the capture module; the {@link CaptureAgent} drives them.
 * <p>
 * One thread calls a source (its stream's capture thread). {@link #readInto} fills a slot the agent owns; it may
 * wait for the next frame (network, pacing), and for live sources it reconnects by itself, reporting
 * {@link SourceStatus#RECONNECTING} meanwhile rather than throwing.
 */
public interface FrameSource extends AutoCloseable {

    /** What {@link #readInto} did. */
    enum Read {
        /** A frame is in the slot. */
        FRAME,
        /** No frame this time (waiting for a reconnect, paused, or a pacing tick); call again. */
        NONE,
        /** The source is finished (end of a file that does not loop); the stream stops. */
        END
    }

    /** The URI the source was created from, e.g. {@code synthetic:ultrasound}. */
    String uri();

    /**
     * Opens the source. Files and folders fail here with a clear {@link CaptureException} when they cannot be
     * read; live sources that cannot connect yet do not fail, they report their status and keep trying.
     */
    void open() throws CaptureException;

    /** The largest frame this source will deliver; valid after {@link #open()}. */
    FrameGeometry geometry();

    /** Whether slots need a ground-truth label map (synthetic sources). */
    default boolean providesGroundTruth() {
        return false;
    }

    /** Nominal frame rate, frames per second (0 when unknown). */
    double nominalFps();

    /** Millimetres per pixel when the source knows it (0 when unknown). */
    default double pixelSpacingMm() {
        return 0;
    }

    /** The kind of imaging it delivers, when the source knows it (it picks the default model). */
    default Modality modality() {
        return Modality.UNKNOWN;
    }

    /**
     * Reads the next frame into {@code slot}: layout via {@link FrameSlot#frame}, pixels into
     * {@link FrameSlot#pixels()}, ground truth when provided. Throws only for errors the source cannot recover
     * from (a corrupt file); live sources recover from dropped connections themselves.
     */
    Read readInto(FrameSlot slot) throws CaptureException;

    /** Current state, for the stream's status. */
    SourceStatus status();

    /** Human-readable detail for the status (last error, reconnect attempt), or empty. */
    default String statusDetail() {
        return "";
    }

    /** How many times a live source has reconnected since it was opened. */
    default long reconnects() {
        return 0;
    }

    /** Live sources (streams, cards) reconnect; files and folders end. */
    boolean live();

    @Override
    void close();
}
