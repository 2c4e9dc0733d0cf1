package org.intravis.inference.eval;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.inference.ContentBox;
import org.intravis.inference.GreyPixels;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceSettings;
import org.intravis.inference.InstrumentDetection;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.OutputDecoder;
import org.intravis.inference.StreamAnnotator;
import org.intravis.inference.StreamRegistration;
import org.intravis.inference.ZoneStore;
import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.StageLatency;
import org.intravis.pipeline.StreamCounters;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The live path after the model, for a sequence: the stream's decoder, tracker and risk assessment, fed one
 * frame at a time at the sequence's frame rate; {@link #step} leaves the tip the overlay would show.
 */
final class SequenceReplay {
    private final OutputDecoder decoder;
    private final StreamAnnotator annotator;
    private final Mat[] planes;
    private final long frameNanos;
    private final long start = System.nanoTime();
    private final StreamCounters counters = new StreamCounters();
    final Annotations shown = new Annotations();
    private long index;
    float tipX;
    float tipY;
    float confidence;
    String state;
    int trackId;
    /** Tips the overlay shows on the last frame (every track but the lost): two or more is a second instrument. */
    int tipsShown;

    SequenceReplay(ModelSpec spec, InferenceBackend backend, double fps) {
        InferenceSettings settings = new InferenceSettings().conclude();
        decoder = new OutputDecoder(spec, settings);
        AnnotationExchange exchange = new AnnotationExchange(shown::copyFrom);
        annotator = new StreamAnnotator(new StreamRegistration("evaluate", 0, exchange, counters,
                new StageLatency(), 0, spec.name()), Annotations.Origin.MODEL, spec.name(), spec.version(),
                backend.device(), settings, new AtomicReference<>(ZoneStore.Snapshot.EMPTY));
        planes = OutputDecoder.planesOver(spec, backend.outputRow(0, 0));
        frameNanos = Math.round(1e9 / fps);
    }

    /** One frame through decoder, tracker and risk; returns whether the overlay shows a tip. */
    boolean step(FloatPointer inputRow, ContentBox box, FloatPointer outputRow, int frameW, int frameH,
                 GreyPixels pixels) {
        long captured = start + index * frameNanos;
        Annotations a = annotator.begin(index, captured, 0, captured, captured, frameW, frameH, 1);
        annotator.sceneCheck(pixels, (captured - start) / 1000); // the sequence's own clock
        if (decoder.decode(inputRow, box, outputRow, planes, a, frameW, frameH, false, annotator.zoneSmoother(),
                pixels)) {
            InstrumentDetection d = decoder.instrument();
            annotator.detect(d.kind, d.entryX, d.entryY, d.tipX, d.tipY, d.confidence);
        }
        annotator.publish();
        index++;
        int best = -1;
        tipsShown = 0;
        for (int i = 0; i < shown.tipCount(); i++) {
            if (shown.tipState[i] != Annotations.TRACK_LOST) {
                tipsShown++;
                if (best < 0 || shown.tipConfidence[i] > shown.tipConfidence[best]) {
                    best = i;
                }
            }
        }
        if (best < 0) {
            return false;
        }
        tipX = shown.tipX[best];
        tipY = shown.tipY[best];
        confidence = shown.tipConfidence[best];
        state = TRACK_STATES[shown.tipState[best]];
        trackId = shown.tipId[best];
        return true;
    }

    /** Frames so far that showed another scene than the one before ({@link org.intravis.inference.SceneCut}). */
    long sceneCuts() {
        return counters.get(org.intravis.pipeline.Counter.SCENE_CUTS);
    }

    private static final String[] TRACK_STATES = trackStates();

    private static String[] trackStates() {
        String[] names = new String[8];
        java.util.Arrays.fill(names, "unknown");
        names[Annotations.TRACK_TENTATIVE] = "tentative";
        names[Annotations.TRACK_CONFIRMED] = "confirmed";
        names[Annotations.TRACK_COASTING] = "coasting";
        names[Annotations.TRACK_LOST] = "lost";
        return names;
    }
}
