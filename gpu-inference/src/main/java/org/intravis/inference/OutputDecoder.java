package org.intravis.inference;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.Annotations;

/**
 * One model output row to what a frame shows: outputs cleared outside the picture ({@link ScanRegion}, when the
 * sidecar asks), put back into the whole frame's grid when the input was a content crop ({@link ContentUncropper}),
 * vessel and nerve polygons, the instrument (needle or wire, with its tip), and the confidence heat
 * map when due, all in frame pixels. Tracking, drawn zones and risk follow per stream ({@code StreamAnnotator}).
 * The model worker and the perf baseline both decode through here, so they do the same work.
 * <p>
 * One instance per thread; allocation-free after construction.
 */
public final class OutputDecoder {
    private final ModelSpec spec;
    private final InferenceSettings settings;
    private final float[] probs;
    private final int plane;
    private final MaskPolygons polygons;
    private final ScanRegion scanRegion;
    private final ContentUncropper uncropper;
    private final NeedleLocator needleLocator;
    private final WireLocator wireLocator;
    private final HeatmapWriter heatmap;
    private final InstrumentDetection atModel = new InstrumentDetection();
    private final InstrumentDetection inFrame = new InstrumentDetection();
    private final String[] classNames;
    private final int needle;
    private final int wire;
    private final int vessel;
    private final int nerve;
    private final int tip;
    private final double needleThreshold;
    private final double wireThreshold;
    private final double vesselThreshold;
    private final double nerveThreshold;
    private final double tipThreshold;

    public OutputDecoder(ModelSpec spec, InferenceSettings settings) {
        this.spec = spec;
        this.settings = settings;
        probs = new float[spec.outputRowFloats()];
        plane = spec.width() * spec.height();
        polygons = new MaskPolygons(spec.width(), spec.height());
        scanRegion = ScanRegion.forModel(spec);
        uncropper = spec.cropsToContent() ? new ContentUncropper(spec.width(), spec.height()) : null;
        needle = spec.channel(ModelSpec.NEEDLE);
        wire = spec.channel(ModelSpec.WIRE);
        vessel = spec.channel(ModelSpec.VESSEL);
        nerve = spec.channel(ModelSpec.NERVE);
        tip = spec.channel(ModelSpec.TIP);
        needleLocator = needle >= 0 ? new NeedleLocator(spec.width(), spec.height()) : null;
        wireLocator = wire >= 0 ? new WireLocator(spec.width(), spec.height()) : null;
        needleThreshold = needle >= 0 ? settings.threshold(spec, ModelSpec.NEEDLE) : 1;
        wireThreshold = wire >= 0 ? settings.threshold(spec, ModelSpec.WIRE) : 1;
        vesselThreshold = vessel >= 0 ? settings.threshold(spec, ModelSpec.VESSEL) : 1;
        nerveThreshold = nerve >= 0 ? settings.threshold(spec, ModelSpec.NERVE) : 1;
        tipThreshold = tip >= 0 ? settings.threshold(spec, ModelSpec.TIP) : 1;
        heatmap = new HeatmapWriter(spec.width(), spec.height(), settings.heatmapSide());
        classNames = spec.outputChannels().toArray(new String[0]);
    }

    /**
     * Decodes one row into {@code a} (zones and, when {@code heatmapDue}, the heat map) and returns whether an
     * instrument was found ({@link #instrument()}).
     *
     * @param inputRow  the row's input tensor (read for the picture's background)
     * @param box       where in the frame the input came from ({@link TensorRow#box()})
     * @param outputRow the row's output tensor
     * @param planes    one {@code CV_32FC1} view per output channel over {@code outputRow}
     */
    public boolean decode(FloatPointer inputRow, ContentBox box, FloatPointer outputRow, Mat[] planes, Annotations a,
                          int frameW, int frameH, boolean heatmapDue) {
        outputRow.get(probs, 0, probs.length);
        boolean rewritten = scanRegion != null && scanRegion.apply(inputRow, probs); // in the input's own grid
        if (uncropper != null && !box.isWhole()) {
            uncropper.uncrop(probs, classNames.length, box);
            rewritten = true;
        }
        if (rewritten) {
            outputRow.put(probs, 0, probs.length); // the polygons read the native planes
        }
        float sx = (float) frameW / spec.width();
        float sy = (float) frameH / spec.height();
        int zoneId = 1;
        if (vessel >= 0) {
            polygons.maskFromProbabilities(planes[vessel], vesselThreshold);
            zoneId += polygons.appendZones(a, Annotations.ZONE_VESSEL, zoneId, probs, vessel * plane, true,
                    settings.minZoneAreaPx(), settings.polygonEpsilonPx(), sx, sy);
        }
        if (nerve >= 0) {
            polygons.maskFromProbabilities(planes[nerve], nerveThreshold);
            polygons.appendZones(a, Annotations.ZONE_NERVE, zoneId, probs, nerve * plane, true,
                    settings.minZoneAreaPx(), settings.polygonEpsilonPx(), sx, sy);
        }
        int tipOffset = tip >= 0 ? tip * plane : -1;
        boolean found = false;
        if (needleLocator != null) {
            found = needleLocator.locate(probs, needle * plane, needleThreshold, tipOffset, tipThreshold, atModel);
        } else if (wireLocator != null) {
            found = wireLocator.locate(probs, wire * plane, wireThreshold, tipOffset, tipThreshold, atModel);
        }
        inFrame.clear();
        if (found) {
            inFrame.set(atModel.kind, (atModel.entryX + 0.5f) * sx - 0.5f, (atModel.entryY + 0.5f) * sy - 0.5f,
                    (atModel.tipX + 0.5f) * sx - 0.5f, (atModel.tipY + 0.5f) * sy - 0.5f, atModel.confidence);
        }
        if (heatmapDue) {
            heatmap.write(probs, classNames.length, classNames, a.frameId(), a);
        }
        return found;
    }

    /** The instrument of the last {@link #decode}, in frame pixels. */
    public InstrumentDetection instrument() {
        return inFrame;
    }
}
