package org.intravis.pipeline.testing;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.GroundTruth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a video sink saw of a synthetic source under a model: per annotated frame, the phantom's ground truth of the
 * frame that was annotated and the annotation's tip of one instrument kind. Feed it every slot the video branch
 * gets ({@link #frame}); read the counts and the median tip error. Used wherever a model is held to the phantoms,
 * in process or over the network.
 */
public final class TipComparison {
    private static final int HISTORY = 256;
    private final byte kind;
    private final long[] ids = new long[HISTORY];
    private final float[] gtX = new float[HISTORY];
    private final float[] gtY = new float[HISTORY];
    private final boolean[] visible = new boolean[HISTORY];
    private long lastAnnotated = -1;
    private final List<Double> errors = Collections.synchronizedList(new ArrayList<>());
    private volatile int instrumentFrames;
    private volatile int detected;
    private volatile int withVessel;
    private volatile int annotated;

    /** Compares tips of {@code kind} ({@code Annotations.INSTRUMENT_...}). */
    public TipComparison(byte kind) {
        this.kind = kind;
    }

    /** One slot as the video branch hands it over (its pixels' ground truth and the annotations attached). */
    public void frame(FrameSlot slot) {
        GroundTruth gt = slot.groundTruth();
        int i = (int) (slot.frameId() % HISTORY);
        ids[i] = slot.frameId();
        // an instrument only just entering has no shaft to see yet
        visible[i] = gt.instrumentVisible() && Math.hypot(gt.tipX() - gt.entryX(), gt.tipY() - gt.entryY()) >= 30;
        gtX[i] = gt.tipX();
        gtY[i] = gt.tipY();
        Annotations a = slot.annotations();
        if (a.status() != Annotations.Status.VALID || a.frameId() == lastAnnotated) {
            return;
        }
        lastAnnotated = a.frameId();
        int j = (int) (a.frameId() % HISTORY);
        if (ids[j] != a.frameId()) {
            return;
        }
        annotated++;
        for (int z = 0; z < a.zoneCount(); z++) {
            if (a.zoneClass[z] == Annotations.ZONE_VESSEL) {
                withVessel++;
                break;
            }
        }
        if (!visible[j]) {
            return;
        }
        instrumentFrames++;
        for (int t = 0; t < a.tipCount(); t++) {
            if (a.tipKind[t] == kind) {
                detected++;
                errors.add(Math.hypot(a.tipX[t] - gtX[j], a.tipY[t] - gtY[j]));
                break;
            }
        }
    }

    /** Annotated frames compared. */
    public int annotated() { return annotated; }
    /** Of those, frames with a vessel zone. */
    public int withVessel() { return withVessel; }
    /** Annotated frames that show the instrument (its shaft at least 30 px long). */
    public int instrumentFrames() { return instrumentFrames; }
    /** Of those, frames where the model marked a tip of the kind. */
    public int detected() { return detected; }

    public double medianError() {
        List<Double> e = new ArrayList<>(errors);
        Collections.sort(e);
        return e.isEmpty() ? Double.NaN : e.get(e.size() / 2);
    }

    @Override
    public String toString() {
        return String.format("annotated %d, with vessel %d, instrument frames %d, detected %d, median tip error %.1f px",
                annotated, withVessel, instrumentFrames, detected, medianError());
    }
}
