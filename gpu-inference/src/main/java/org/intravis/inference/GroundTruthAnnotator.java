package org.intravis.inference;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.GroundTruth;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.Stage;

import java.util.concurrent.atomic.AtomicReference;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Annotations from a synthetic source's ground truth instead of a model: the stand-in overlay for demos and tests
 * when no model is configured, published with {@link Annotations.Origin#GROUND_TRUTH} so that it is labelled as
 * such. It goes through the same code as model output: the label map (reduced to a 256x256 working size, as a
 * model's output would be) becomes nerve and vessel polygons, the instrument's tip and entry become a detection
 * that is tracked, and drawn no-go zones, distances and alerts follow.
 * <p>
 * Runs on the stream's inference-branch thread (it is cheap: a label-map copy and a few contours) and reads the
 * slot optimistically like any feed. Nothing is allocated per frame once the frame size is known.
 */
public final class GroundTruthAnnotator implements InferenceFeed {
    /** Working resolution of the label map (the models' output size). */
    public static final int WORK_SIZE = 256;
    private static final String NO_GROUND_TRUTH = "the source provides no ground truth";

    private final StreamAnnotator annotator;
    private final InferenceSettings settings;
    private final MaskPolygons polygons = new MaskPolygons(WORK_SIZE, WORK_SIZE);
    private final Size workSize = new Size(WORK_SIZE, WORK_SIZE);
    private final BytePointer smallMemory = new BytePointer((long) WORK_SIZE * WORK_SIZE);
    private final Mat small = new Mat(WORK_SIZE, WORK_SIZE, CV_8UC1, smallMemory);
    private final byte[] smallBytes = new byte[WORK_SIZE * WORK_SIZE];
    private final byte[] mask = new byte[WORK_SIZE * WORK_SIZE];
    private GroundTruth copy;
    private BytePointer labelMemory;
    private Mat labels;
    private int labelsW;
    private int labelsH;

    public GroundTruthAnnotator(StreamRegistration r, InferenceSettings settings, ZoneStore zones) {
        this(r, settings, zones.holder(r.streamId()));
    }

    GroundTruthAnnotator(StreamRegistration r, InferenceSettings settings, AtomicReference<ZoneStore.Snapshot> drawn) {
        if (!settings.concluded()) {
            throw new IllegalStateException("conclude() the inference settings first");
        }
        this.settings = settings;
        this.annotator = new StreamAnnotator(r, Annotations.Origin.GROUND_TRUTH, StreamRegistration.GROUND_TRUTH, "", "cpu",
                settings, drawn);
    }

    @Override
    public Offer offer(FrameSlot slot, long writeVersion) {
        GroundTruth gt = slot.groundTruth();
        long frameId = slot.frameId();
        long captured = slot.stamp(Stage.CAPTURED);
        long epoch = slot.captureEpochMicros();
        int fw = slot.width();
        int fh = slot.height();
        long pts = slot.sourcePtsMicros();
        boolean present = gt.present();
        if (present) {
            if (copy == null || copy.capacity() < gt.capacity()) {
                copy = new GroundTruth(gt.capacity());
            }
            copy.copyFrom(gt);
        }
        if (!slot.unchangedSince(writeVersion)) {
            return Offer.TORN;
        }
        long copied = System.nanoTime();
        if (!present) {
            annotator.begin(frameId, captured, epoch, copied, copied, fw, fh, 0);
            annotator.publishFailure(NO_GROUND_TRUTH, false);
            return Offer.ACCEPTED;
        }
        Annotations a = annotator.begin(frameId, captured, epoch, copied, 0, fw, fh, 1);
        annotator.sceneCheck(null, pts); // size and time; the truth needs no picture to tell a new scene
        int lw = copy.width();
        int lh = copy.height();
        if (lw > 0 && lh > 0) {
            zones(a, lw, lh, fw, fh);
        }
        if (copy.instrumentVisible()) {
            annotator.detect(copy.instrumentKind(), copy.entryX(), copy.entryY(), copy.tipX(), copy.tipY(), 1f);
        }
        a.inferredNanos(System.nanoTime());
        annotator.publish();
        return Offer.ACCEPTED;
    }

    private void zones(Annotations a, int lw, int lh, int fw, int fh) {
        if (labels == null || lw != labelsW || lh != labelsH) {
            labelMemory = new BytePointer((long) lw * lh);
            labels = new Mat(lh, lw, CV_8UC1, labelMemory);
            labelsW = lw;
            labelsH = lh;
        }
        labelMemory.put(copy.labels(), 0, lw * lh);
        resize(labels, small, workSize, 0, 0, INTER_NEAREST);
        smallMemory.get(smallBytes, 0, smallBytes.length);
        float sx = (float) fw / WORK_SIZE;
        float sy = (float) fh / WORK_SIZE;
        int id = 1;
        id += zonesOf(a, GroundTruth.LABEL_VESSEL, Annotations.ZONE_VESSEL, id, sx, sy);
        zonesOf(a, GroundTruth.LABEL_NERVE, Annotations.ZONE_NERVE, id, sx, sy);
    }

    private int zonesOf(Annotations a, byte label, byte zoneClass, int idBase, float sx, float sy) {
        boolean any = false;
        for (int i = 0; i < mask.length; i++) {
            boolean in = smallBytes[i] == label;
            mask[i] = in ? (byte) 255 : 0;
            any |= in;
        }
        if (!any) {
            return 0;
        }
        polygons.maskFromBytes(mask);
        return polygons.appendZones(a, zoneClass, idBase, null, 0, false, settings.minZoneAreaPx(),
                settings.polygonEpsilonPx(), sx, sy);
    }
}
