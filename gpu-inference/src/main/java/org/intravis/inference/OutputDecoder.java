package org.intravis.inference;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.Annotations;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;

/**
 * One model output row to what a frame shows: outputs cleared outside the picture ({@link ScanRegion}, when the
 * sidecar asks), put back into the whole frame's grid when the input was a content crop ({@link ContentUncropper}),
 * then each channel by its role in the sidecar ({@link ChannelRoles}): zone channels to polygons of their class
 * (smoothed over time, with hysteresis on their area, by the stream's {@link ZoneSmoother} when given), the
 * instrument channel to the instrument and its tip by its {@link InstrumentLocator}, confirmed by the tip map; and
 * the confidence heat map when due, all in frame pixels. Tracking, drawn zones and risk follow per stream
 * ({@code StreamAnnotator}). The model worker and the perf baseline both decode through here, so they do the same
 * work.
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
    private final HeatmapWriter heatmap;
    private final InstrumentDetection atModel = new InstrumentDetection();
    private final InstrumentDetection inFrame = new InstrumentDetection();
    /** The tip from the pixels' evidence (needles only; null for other instruments). */
    private final NeedleTipEvidence tipEvidence;
    /** Whether the instrument is a needle: its tip is then placed by the pixels and must be in view to be sure. */
    private final boolean needle;
    private float networkTipX;
    private float networkTipY;
    private float networkConfidence;
    /** The last decoded instrument's picture box and frame size (for {@link #networkTip}). */
    private ContentBox lastBox;
    private int lastFrameW;
    private int lastFrameH;
    private final String[] classNames;
    /** Zone channels in channel order, with their overlay class and threshold. */
    private final int[] zoneChannels;
    private final byte[] zoneKinds;
    private final double[] zoneThresholds;
    private final int instrument;
    private final InstrumentLocator locator;
    private final double instrumentThreshold;
    private final int tip;
    private final double tipThreshold;

    public OutputDecoder(ModelSpec spec, InferenceSettings settings) {
        this.spec = spec;
        this.settings = settings;
        probs = new float[spec.outputRowFloats()];
        plane = spec.width() * spec.height();
        polygons = new MaskPolygons(spec.width(), spec.height());
        scanRegion = ScanRegion.forModel(spec);
        uncropper = spec.cropsToContent() ? new ContentUncropper(spec.width(), spec.height()) : null;
        classNames = spec.outputChannels().toArray(new String[0]);
        ChannelRoles roles = spec.roles();
        zoneChannels = roles.zoneChannels();
        zoneKinds = new byte[zoneChannels.length];
        zoneThresholds = new double[zoneChannels.length];
        for (int z = 0; z < zoneChannels.length; z++) {
            zoneKinds[z] = roles.zone(zoneChannels[z]).kind();
            zoneThresholds[z] = settings.threshold(spec, classNames[zoneChannels[z]]);
        }
        instrument = roles.instrumentChannel();
        locator = instrument >= 0 ? roles.instrument().locator(spec.width(), spec.height()) : null;
        instrumentThreshold = instrument >= 0 ? settings.threshold(spec, classNames[instrument]) : 1;
        needle = roles.instrument() == Instrument.NEEDLE;
        tipEvidence = needle ? new NeedleTipEvidence() : null;
        tip = roles.tipChannel();
        tipThreshold = tip >= 0 ? settings.threshold(spec, classNames[tip]) : 1;
        heatmap = new HeatmapWriter(spec.width(), spec.height(), settings.heatmapSide());
    }

    /**
     * One {@code CV_32FC1} view per output channel over a model's output row (what {@link #decode}'s {@code planes}
     * are): the views share the row's memory, so they are made once per row.
     */
    public static Mat[] planesOver(ModelSpec spec, FloatPointer outputRow) {
        long planeBytes = (long) spec.width() * spec.height() * Float.BYTES;
        Mat[] planes = new Mat[spec.outputChannelCount()];
        for (int c = 0; c < planes.length; c++) {
            planes[c] = new Mat(spec.height(), spec.width(), CV_32FC1,
                    NativeMemory.bytes(outputRow, c * planeBytes, planeBytes));
        }
        return planes;
    }

    /**
     * Decodes one row into {@code a} (zones and, when {@code heatmapDue}, the heat map) and returns whether an
     * instrument was found ({@link #instrument()}).
     *
     * @param inputRow  the row's input tensor (read for the picture's background)
     * @param box       where in the frame the input came from ({@link TensorRow#box()})
     * @param outputRow the row's output tensor
     * @param planes    one {@code CV_32FC1} view per output channel over {@code outputRow}
     * @param smoother  the stream's time average of the zone maps, applied before they become polygons (the zones'
     *                  confidences and the heat map then show the smoothed maps); null: each frame on its own
     * @param pixels    the frame's own pixels, where a needle's tip is placed by their evidence
     *                  ({@link NeedleTipEvidence}); null: the network's tip
     */
    public boolean decode(FloatPointer inputRow, ContentBox box, FloatPointer outputRow, Mat[] planes, Annotations a,
                          int frameW, int frameH, boolean heatmapDue, ZoneSmoother smoother, GreyPixels pixels) {
        outputRow.get(probs, 0, probs.length);
        boolean rewritten = scanRegion != null && scanRegion.apply(inputRow, probs); // in the input's own grid
        if (uncropper != null && !box.isWhole()) {
            uncropper.uncrop(probs, classNames.length, box);
            rewritten = true;
        }
        boolean smoothed = smoother != null
                && smoother.smooth(probs, zoneChannels, plane);
        if (rewritten) {
            outputRow.put(probs, 0, probs.length); // the polygons read the native planes
        } else if (smoothed) {
            for (int c : zoneChannels) {
                outputRow.position((long) c * plane).put(probs, c * plane, plane);
            }
            outputRow.position(0);
        }
        float sx = (float) frameW / spec.width();
        float sy = (float) frameH / spec.height();
        int zoneId = 1;
        for (int z = 0; z < zoneChannels.length; z++) {
            int c = zoneChannels[z];
            polygons.maskFromProbabilities(planes[c], zoneThresholds[z]);
            int[] kept = smoother != null ? smoother.kept(z) : null;
            double minArea = settings.minZoneAreaPx();
            zoneId += polygons.appendZones(a, zoneKinds[z], zoneId, probs, c * plane, true, minArea,
                    kept != null ? minArea * ZoneSmoother.KEEP_AREA_FRACTION : minArea, kept,
                    settings.polygonEpsilonPx(), sx, sy);
        }
        if (locator != null) {
            locator.picture(box);
        }
        boolean found = locator != null && locator.locate(probs, instrument * plane, instrumentThreshold,
                tip >= 0 ? tip * plane : -1, tipThreshold, atModel);
        inFrame.clear();
        if (found) {
            inFrame.set(atModel.kind, (atModel.entryX + 0.5f) * sx - 0.5f, (atModel.entryY + 0.5f) * sy - 0.5f,
                    (atModel.tipX + 0.5f) * sx - 0.5f, (atModel.tipY + 0.5f) * sy - 0.5f, atModel.confidence);
            networkTipX = inFrame.tipX;
            networkTipY = inFrame.tipY;
            networkConfidence = inFrame.confidence;
            if (needle && pixels != null) {
                tipEvidence.refine(pixels, inFrame);
            }
            if (needle) {
                TipInView.demoteTipOnBorder(inFrame, box, frameW, frameH);
            }
            lastBox = box;
            lastFrameW = frameW;
            lastFrameH = frameH;
        }
        if (heatmapDue) {
            heatmap.write(probs, classNames.length, classNames, a.frameId(), a);
        }
        return found;
    }

    /**
     * Puts the last instrument's tip back where the network put it, and judges again whether that tip is in view
     * ({@link TipInView}): the caller found that the pixels it was refined with were overwritten meanwhile (a ring
     * slot read optimistically).
     */
    public void networkTip() {
        inFrame.tipX = networkTipX;
        inFrame.tipY = networkTipY;
        inFrame.confidence = networkConfidence;
        if (needle) {
            TipInView.demoteTipOnBorder(inFrame, lastBox, lastFrameW, lastFrameH);
        }
    }

    /** The instrument of the last {@link #decode}, in frame pixels. */
    public InstrumentDetection instrument() {
        return inFrame;
    }
}
