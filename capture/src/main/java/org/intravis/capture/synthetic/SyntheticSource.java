package org.intravis.capture.synthetic;

import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.GroundTruth;
import org.intravis.pipeline.Modality;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A synthetic phantom as a {@link FrameSource}: GRAY8 frames with their ground truth, seeded and deterministic
 * (frame n of a seed is the same picture whether paced in real time or rendered as fast as possible).
 * <p>
 * With {@code pace=realtime} frame n is delivered no earlier than the first read + n/fps (not open + n/fps: the
 * application opens a source a while before its capture thread reads, and a clock started at open would hand out
 * that while's frames in one burst, as no capture card does); when the reader falls more than a second behind, the
 * clock is re-anchored rather than bursting to catch up. Rendering allocates nothing: the
 * renderer's tables are built in {@link #open()} and the frame is composed in a reused array, then copied into
 * the slot in one bulk put.
 */
public final class SyntheticSource implements FrameSource {
    private static final long CATCH_UP_LIMIT_NANOS = 1_000_000_000L;

    private final String uri;
    private final String kind;
    private final SyntheticOptions options;
    private final Function<SyntheticOptions, PhantomRenderer> factory;
    private PhantomRenderer renderer;
    private byte[] frame;
    private GroundTruth scratchTruth;
    private volatile SourceStatus status = SourceStatus.IDLE;
    private long nextFrame;
    private long anchorNanos;
    private long anchorFrame;
    private boolean anchored;
    private final long periodNanos;

    SyntheticSource(String uri, String kind, SyntheticOptions options, Function<SyntheticOptions, PhantomRenderer> factory) {
        this.uri = uri;
        this.kind = kind;
        this.options = options;
        this.factory = factory;
        this.periodNanos = Math.max(1, Math.round(1e9 / options.fps()));
    }

    @Override
    public String uri() {
        return uri;
    }

    /** The phantom's kind: {@code ultrasound} or {@code fluoroscopy}. */
    public String kind() {
        return kind;
    }

    /** A phantom is the modality of its kind. */
    @Override
    public Modality modality() {
        return switch (kind) {
            case "ultrasound" -> Modality.ULTRASOUND;
            case "fluoroscopy" -> Modality.FLUOROSCOPY;
            default -> Modality.UNKNOWN;
        };
    }

    public SyntheticOptions options() {
        return options;
    }

    @Override
    public void open() throws CaptureException {
        if (renderer != null) {
            return;
        }
        status = SourceStatus.CONNECTING;
        try {
            renderer = factory.apply(options);
        } catch (RuntimeException | OutOfMemoryError e) {
            status = SourceStatus.FAILED;
            throw new CaptureException("cannot build the " + kind + " phantom at " + options.width() + "x"
                    + options.height() + ": " + e, e);
        }
        frame = new byte[options.width() * options.height()];
        scratchTruth = new GroundTruth(options.width() * options.height());
        nextFrame = 0;
        anchorFrame = 0;
        anchored = false;
        status = SourceStatus.STREAMING;
    }

    @Override
    public FrameGeometry geometry() {
        return new FrameGeometry(options.width(), options.height(), PixelFormat.GRAY8);
    }

    @Override
    public boolean providesGroundTruth() {
        return true;
    }

    @Override
    public double nominalFps() {
        return options.fps();
    }

    @Override
    public double pixelSpacingMm() {
        if (options.pixelSpacingMm() > 0) {
            return options.pixelSpacingMm();
        }
        return renderer != null ? renderer.defaultPixelSpacingMm() : 0;
    }

    @Override
    public Read readInto(FrameSlot slot) throws CaptureException {
        if (renderer == null) {
            throw new CaptureException("synthetic source " + uri + " read before open()");
        }
        if (options.frames() >= 0 && nextFrame >= options.frames()) {
            status = SourceStatus.ENDED;
            return Read.END;
        }
        if (options.realtime()) {
            long now = System.nanoTime();
            if (!anchored) {
                anchored = true;
                anchorNanos = now;
                anchorFrame = nextFrame;
            }
            long due = anchorNanos + (nextFrame - anchorFrame) * periodNanos;
            if (now - due > CATCH_UP_LIMIT_NANOS) {
                anchorNanos = now;
                anchorFrame = nextFrame;
            } else {
                while (now < due) {
                    LockSupport.parkNanos(due - now);
                    now = System.nanoTime();
                }
            }
        }
        renderFrame(nextFrame, slot);
        nextFrame++;
        return Read.FRAME;
    }

    /**
     * Renders frame {@code index} into {@code slot} regardless of pacing and of the frame counter (PhantomDump and
     * tests use it to pick frames). The slot's ground truth is written when it has room for it.
     */
    public void renderFrame(long index, FrameSlot slot) {
        int w = options.width();
        int h = options.height();
        GroundTruth truth = slot.groundTruth().capacity() >= w * h ? slot.groundTruth() : scratchTruth;
        renderer.render(index, index / options.fps(), frame, truth);
        slot.frame(w, h, w, PixelFormat.GRAY8);
        slot.pixels().put(0, frame, 0, w * h);
        slot.sourcePtsMicros(Math.round(index * 1e6 / options.fps()));
    }

    /** Frames delivered so far by {@link #readInto}. */
    public long framesDelivered() {
        return nextFrame;
    }

    @Override
    public SourceStatus status() {
        return status;
    }

    @Override
    public boolean live() {
        return false;
    }

    @Override
    public void close() {
        renderer = null;
        frame = null;
        scratchTruth = null;
        status = SourceStatus.CLOSED;
    }
}
