package org.intravis.perf;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.inference.HeatmapWriter;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceException;
import org.intravis.inference.InferenceSettings;
import org.intravis.inference.InstrumentDetection;
import org.intravis.inference.MaskPolygons;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.NativeMemory;
import org.intravis.inference.NeedleLocator;
import org.intravis.inference.Preprocessor;
import org.intravis.inference.RiskAssessor;
import org.intravis.inference.TensorRow;
import org.intravis.inference.TipTracker;
import org.intravis.inference.WireLocator;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

/**
 * The naive baseline's model step for one stream, in line on its worker thread: preprocess the frame into row 0
 * of the stream's own tensor set, run the model at batch 1, then the same post-processing the pipeline's model
 * worker does (this mirrors {@code ModelWorker.annotate} and {@code StreamAnnotator.publish}, built from the same
 * public parts: mask polygons, needle/wire locators, heat map, tip tracking, risk zones and alerts).
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
    private final float[] probs;
    private final int plane;
    private final MaskPolygons polygons;
    private final NeedleLocator needleLocator;
    private final WireLocator wireLocator;
    private final HeatmapWriter heatmap;
    private final InstrumentDetection detection = new InstrumentDetection();
    private final TipTracker tracker;
    private final TipTracker.Detections detections = new TipTracker.Detections();
    private final float[] entryX = new float[TipTracker.Detections.MAX];
    private final float[] entryY = new float[TipTracker.Detections.MAX];
    private final RiskAssessor risk;
    private final String[] classNames;
    private final int needle;
    private final int wire;
    private final int vessel;
    private final int nerve;
    private final int tip;
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
        long planeBytes = (long) spec.width() * spec.height() * Float.BYTES;
        outputPlanes = new Mat[spec.outputChannelCount()];
        for (int c = 0; c < outputPlanes.length; c++) {
            outputPlanes[c] = new Mat(spec.height(), spec.width(), CV_32FC1,
                    NativeMemory.bytes(backend.outputRow(buffer, 0), c * planeBytes, planeBytes));
        }
        plane = spec.width() * spec.height();
        probs = new float[spec.outputRowFloats()];
        polygons = new MaskPolygons(spec.width(), spec.height());
        needle = spec.channel(ModelSpec.NEEDLE);
        wire = spec.channel(ModelSpec.WIRE);
        vessel = spec.channel(ModelSpec.VESSEL);
        nerve = spec.channel(ModelSpec.NERVE);
        tip = spec.channel(ModelSpec.TIP);
        needleLocator = needle >= 0 ? new NeedleLocator(spec.width(), spec.height()) : null;
        wireLocator = wire >= 0 ? new WireLocator(spec.width(), spec.height()) : null;
        heatmap = new HeatmapWriter(spec.width(), spec.height(), settings.heatmapSide());
        tracker = new TipTracker(settings.tracker(), Annotations.MAX_TIPS);
        risk = new RiskAssessor(settings.alerts());
        classNames = spec.outputChannels().toArray(new String[0]);
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
        backend.outputRow(buffer, 0).get(probs, 0, probs.length);
        float sx = (float) slot.width() / spec.width();
        float sy = (float) slot.height() / spec.height();
        int zoneId = 1;
        if (vessel >= 0) {
            polygons.maskFromProbabilities(outputPlanes[vessel], settings.threshold(spec, ModelSpec.VESSEL));
            zoneId += polygons.appendZones(a, Annotations.ZONE_VESSEL, zoneId, probs, vessel * plane, true,
                    settings.minZoneAreaPx(), settings.polygonEpsilonPx(), sx, sy);
        }
        if (nerve >= 0) {
            polygons.maskFromProbabilities(outputPlanes[nerve], settings.threshold(spec, ModelSpec.NERVE));
            polygons.appendZones(a, Annotations.ZONE_NERVE, zoneId, probs, nerve * plane, true,
                    settings.minZoneAreaPx(), settings.polygonEpsilonPx(), sx, sy);
        }
        int tipOffset = tip >= 0 ? tip * plane : -1;
        double tipThreshold = tip >= 0 ? settings.threshold(spec, ModelSpec.TIP) : 1;
        boolean found = false;
        if (needleLocator != null) {
            found = needleLocator.locate(probs, needle * plane, settings.threshold(spec, ModelSpec.NEEDLE), tipOffset,
                    tipThreshold, detection);
        } else if (wireLocator != null) {
            found = wireLocator.locate(probs, wire * plane, settings.threshold(spec, ModelSpec.WIRE), tipOffset,
                    tipThreshold, detection);
        }
        detections.clear();
        if (found) {
            int k = detections.count;
            float tx = (detection.tipX + 0.5f) * sx - 0.5f;
            float ty = (detection.tipY + 0.5f) * sy - 0.5f;
            if (detections.add(detection.kind, tx, ty, detection.confidence)) {
                entryX[k] = (detection.entryX + 0.5f) * sx - 0.5f;
                entryY[k] = (detection.entryY + 0.5f) * sy - 0.5f;
            }
        }
        if (settings.heatmapEvery() > 0 && inferences % settings.heatmapEvery() == 0) {
            heatmap.write(probs, classNames.length, classNames, a.frameId(), a);
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
