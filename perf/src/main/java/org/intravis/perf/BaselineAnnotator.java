package org.intravis.perf;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.inference.GreyPixels;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceException;
import org.intravis.inference.InferenceSettings;
import org.intravis.inference.InstrumentDetection;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.OutputDecoder;
import org.intravis.inference.Preprocessor;
import org.intravis.inference.RiskAssessor;
import org.intravis.inference.TensorRow;
import org.intravis.inference.TipTracker;
import org.intravis.inference.ZoneSmoother;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

/**
 * The naive baseline's model step for one stream, in line on its worker thread: preprocess the frame into row 0
 * of the stream's own tensor set, run the model at batch 1, then the same post-processing the pipeline's model
 * worker does: the same {@link OutputDecoder}, then tracking and risk as {@code StreamAnnotator.publish} does them.
 */
final class BaselineAnnotator {
    private final InferenceBackend backend;
    private final int buffer;
    private final ModelSpec spec;
    private final InferenceSettings settings;
    private final double pixelSpacingMm;
    private final Preprocessor preprocessor;
    private final TensorRow row;
    private final Mat[] outputPlanes;
    private final OutputDecoder decoder;
    private final GreyPixels pixels;
    private final TipTracker tracker;
    private final TipTracker.Detections detections = new TipTracker.Detections();
    private final float[] entryX = new float[TipTracker.Detections.MAX];
    private final float[] entryY = new float[TipTracker.Detections.MAX];
    private final RiskAssessor risk;
    private final ZoneSmoother zoneSmoother;
    private BytePointer framePixels;
    private Mat frameView;
    private long inferences;

    BaselineAnnotator(InferenceBackend backend, int buffer, InferenceSettings settings, double pixelSpacingMm) {
        this.backend = backend;
        this.buffer = buffer;
        this.spec = backend.spec();
        this.settings = settings;
        this.pixelSpacingMm = pixelSpacingMm;
        this.preprocessor = new Preprocessor(spec);
        this.row = new TensorRow(spec, backend.inputRow(buffer, 0));
        outputPlanes = OutputDecoder.planesOver(spec, backend.outputRow(buffer, 0));
        decoder = new OutputDecoder(spec, settings);
        pixels = new GreyPixels();
        tracker = new TipTracker(settings.tracker(), Annotations.MAX_TIPS);
        risk = new RiskAssessor(settings.alerts());
        zoneSmoother = settings.zoneSmoothing().on() ? new ZoneSmoother(settings.zoneSmoothing()) : null;
    }

    /**
     * Annotates the frame in {@code slot} into {@code a} (header already set by the caller); returns the nanoTime
     * stamps {@code [preprocessed, inferred]} through {@code stamps}.
     */
    void annotate(FrameSlot slot, Annotations a, long[] stamps) throws InferenceException {
        preprocessor.toTensor(view(slot), row);
        stamps[0] = System.nanoTime();
        backend.run(buffer, 1);
        stamps[1] = System.nanoTime();
        a.preprocessedNanos(stamps[0]).inferredNanos(stamps[1]).batchSize(1);
        boolean heatmapDue = settings.heatmapEvery() > 0 && inferences % settings.heatmapEvery() == 0;
        detections.clear();
        if (decoder.decode(backend.inputRow(buffer, 0), row.box(), backend.outputRow(buffer, 0), outputPlanes, a,
                slot.width(), slot.height(), heatmapDue, zoneSmoother, pixels.wrap(slot.pixels(), slot.width(), slot.height(),
                        slot.stride(), slot.format().bytesPerPixel()))) {
            InstrumentDetection d = decoder.instrument();
            int k = detections.count;
            if (detections.add(d.kind, d.tipX, d.tipY, d.confidence)) {
                entryX[k] = d.entryX;
                entryY[k] = d.entryY;
            }
        }
        tracker.update(detections, a.capturedNanos());
        tracker.writeTips(a);
        for (int k = 0; k < detections.count; k++) {
            int t = tracker.trackOf(k);
            if (t >= 0) {
                a.addLine(detections.kind[k], tracker.idOf(t), entryX[k], entryY[k], tracker.xOf(t), tracker.yOf(t),
                        detections.confidence[k]);
            }
        }
        risk.assess(a, pixelSpacingMm, a.capturedNanos());
        inferences++;
    }

    /** A view of the worker's own slot (one slot per worker, so made once per frame size). */
    private Mat view(FrameSlot slot) {
        if (frameView == null || frameView.cols() != slot.width() || frameView.rows() != slot.height()) {
            if (framePixels == null) {
                framePixels = new BytePointer(slot.pixels());
            }
            frameView = new Mat(slot.height(), slot.width(), CV_8UC1, framePixels, slot.stride());
        }
        return frameView;
    }
}
