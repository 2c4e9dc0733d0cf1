package org.intravis.inference;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.Stage;
import org.intravis.pipeline.StreamCounters;

import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * A stream's entry into its model's batches, called on the stream's inference-branch thread with the newest frame.
 * <p>
 * It claims a row of the filling batch (or, newest frame wins, takes back its own row there), preprocesses the
 * slot's pixels straight into the row's tensor memory through a per-slot OpenCV view made once, then checks that
 * capture did not overwrite the slot meanwhile before marking the row ready. It never waits: no free row is
 * {@link Offer#BUSY}; a torn read is {@link Offer#TORN}. Nothing is allocated per frame.
 * <p>
 * Admission: while the model is busy with the previous batch, the frame this stream already has waiting is only
 * replaced when the model may be free before the stream's next frame ({@link Offer#DEFERRED} otherwise). Under load
 * a stream offers several frames per batch and all but the last would be preprocessed for nothing, on the CPU the
 * model needs; the one taken is still the newest frame, give or take one frame interval.
 */
final class ModelFeed implements InferenceFeed {
    private static final Logger LOG = Logger.getLogger(ModelFeed.class.getName());

    private final ModelWorker worker;
    private final int streamSlot;
    private final StreamCounters counters;
    private final Preprocessor preprocessor;
    private final int rowsPerStream;
    private volatile boolean paused;
    // per-slot views of the pixel memory, keyed by slot index
    private Mat[] frames = new Mat[16];
    private int[] frameKey = new int[16 * 4];
    // the row this stream holds in the filling batch
    private Batch lastBatch;
    private long lastGeneration = -1;
    private int lastRow = -1;
    private int heldInGeneration;
    private long failures;
    // this stream's frame interval, from its offers (EWMA; 0 until two offers)
    private long lastOfferNanos;
    private long offerIntervalNanos;
    // frames seen while the model is paced (which of them are left out)
    private long pacedCount;

    ModelFeed(ModelWorker worker, int streamSlot, StreamCounters counters) {
        this.worker = worker;
        this.streamSlot = streamSlot;
        this.counters = counters;
        this.preprocessor = new Preprocessor(worker.spec());
        this.rowsPerStream = worker.rowsPerStream();
    }

    synchronized void paused(boolean p) {
        if (p != paused) {
            paused = p;
            worker.activeStreams(p ? -1 : +1);
            worker.wake();
        }
    }

    @Override
    public Offer offer(FrameSlot slot, long writeVersion) {
        if (paused || !worker.enterFeed()) {
            return Offer.BUSY;
        }
        try {
            return offerRow(slot, writeVersion);
        } finally {
            worker.exitFeed();
        }
    }

    private Offer offerRow(FrameSlot slot, long writeVersion) {
        int pace = worker.paceStep();
        if (pace > 0 && AiPace.leftOut(pacedCount++, pace)) {
            return Offer.PACED; // not offered: the governor's coverage counts only the frames the pace lets through
        }
        worker.offered();
        long now = System.nanoTime();
        if (lastOfferNanos != 0) {
            long dt = now - lastOfferNanos;
            offerIntervalNanos = offerIntervalNanos == 0 ? dt : (offerIntervalNanos * 7 + dt) / 8;
        }
        lastOfferNanos = now;
        Mat frame = view(slot);
        if (frame == null) {
            return Offer.TORN;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            Batch b = worker.filling();
            long gen = Batch.generation(b.word());
            int row = -1;
            boolean replaced = false;
            boolean sameBatch = b == lastBatch && gen == lastGeneration;
            if (!sameBatch) {
                heldInGeneration = 0;
            }
            // newest frame wins only when a stream may not fill the batch: with rowsPerStream == maxBatch (offline
            // analysis) every frame must be inferred, so a full batch answers BUSY and the caller offers again
            boolean mayReplace = sameBatch && heldInGeneration >= rowsPerStream && rowsPerStream < worker.maxBatch();
            if (mayReplace && worker.busyUntilNanos() - now > offerIntervalNanos && offerIntervalNanos > 0
                    && Batch.phase(b.rowState(lastRow)) == Batch.READY) {
                return Offer.DEFERRED; // the model is busy past the next frame: that one (or a later) may replace it
            }
            if (mayReplace && b.casRow(lastRow, gen, Batch.READY, Batch.WRITING)) {
                row = lastRow; // newest frame wins: take back our own row
                replaced = true;
            } else {
                long w = b.claim();
                if (w < 0) {
                    if (Batch.closed(b.word()) && attempt == 0) {
                        continue; // the worker just swapped batches: try the new filling one
                    }
                    return Offer.BUSY;
                }
                gen = Batch.generation(w);
                row = Batch.count(w);
                b.setRow(row, gen, Batch.WRITING);
            }
            return fill(slot, writeVersion, frame, b, gen, row, replaced);
        }
        return Offer.BUSY;
    }

    private Offer fill(FrameSlot slot, long writeVersion, Mat frame, Batch b, long gen, int row, boolean replaced) {
        boolean ready = false;
        try {
            long frameId = slot.frameId();
            long captured = slot.stamp(Stage.CAPTURED);
            long epoch = slot.captureEpochMicros();
            long pts = slot.sourcePtsMicros();
            int w = slot.width();
            int h = slot.height();
            preprocessor.toTensor(frame, worker.tensorRow(b.buffer, row));
            long preprocessed = System.nanoTime();
            if (!slot.unchangedSince(writeVersion)) {
                return Offer.TORN;
            }
            b.stream[row] = streamSlot;
            b.frameId[row] = frameId;
            b.capturedNanos[row] = captured;
            if (!replaced) {
                b.admittedNanos[row] = captured;
            }
            b.captureEpochMicros[row] = epoch;
            b.preprocessedNanos[row] = preprocessed;
            b.ptsMicros[row] = pts;
            b.frameWidth[row] = w;
            b.frameHeight[row] = h;
            b.slot[row] = slot;
            b.slotVersion[row] = writeVersion;
            b.setRow(row, gen, Batch.READY);
            ready = true;
            if (replaced) {
                counters.increment(Counter.INFERENCE_SKIPPED_STALE); // the frame it replaced will not be inferred
            } else {
                heldInGeneration++;
            }
            lastBatch = b;
            lastGeneration = gen;
            lastRow = row;
            if (row == 0 || row + 1 >= worker.reachableRows()) {
                worker.wake();
            }
            return Offer.ACCEPTED;
        } catch (RuntimeException e) {
            if (failures++ < 5 || failures % 1000 == 0) {
                LOG.log(Level.WARNING, "preprocessing failed (" + failures + " so far)", e);
            }
            return Offer.TORN;
        } finally {
            if (!ready) {
                b.setRow(row, gen, Batch.VOID);
                if (replaced) {
                    lastBatch = null;
                }
            }
        }
    }

    /** The slot's pixels as an OpenCV image, made once per slot and layout. */
    private Mat view(FrameSlot slot) {
        int i = slot.index();
        if (i < 0) {
            return null;
        }
        if (i >= frames.length) {
            frames = Arrays.copyOf(frames, Math.max(i + 1, frames.length * 2));
            frameKey = Arrays.copyOf(frameKey, frames.length * 4);
        }
        int w = slot.width();
        int h = slot.height();
        int stride = slot.stride();
        int format = slot.format().ordinal();
        if (w <= 0 || h <= 0 || stride < w * slot.format().bytesPerPixel()
                || (long) stride * h > slot.pixels().capacity()) {
            return null; // a layout read while capture rewrote it: never view memory outside the slot
        }
        Mat m = frames[i];
        if (m == null || frameKey[i * 4] != w || frameKey[i * 4 + 1] != h || frameKey[i * 4 + 2] != stride
                || frameKey[i * 4 + 3] != format) {
            int type = slot.format() == PixelFormat.BGR24 ? CV_8UC3 : CV_8UC1;
            m = new Mat(h, w, type, new BytePointer(slot.pixels()), stride);
            frames[i] = m;
            frameKey[i * 4] = w;
            frameKey[i * 4 + 1] = h;
            frameKey[i * 4 + 2] = stride;
            frameKey[i * 4 + 3] = format;
        }
        return m;
    }
}
