package org.intravis.perf;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.intravis.inference.MaskPolygons;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.GroundTruth;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Mask to polygons for one class of one frame, as the model worker does it: threshold the probability plane (256 x
 * 256), open, find contours, filter, simplify, and each zone's mean confidence, appended to an {@link Annotations}.
 * The plane is a real phantom frame's vessel ground truth at the model's size, as a probability map (0.9 inside,
 * 0.1 outside).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MaskPolygonsBenchmark {
    private static final int SIDE = 256;

    private MaskPolygons polygons;
    private Mat plane;
    private float[] probs;
    private FloatPointer memory;
    private final Annotations out = new Annotations();

    @Setup(Level.Trial)
    public void setUp() {
        FrameSlot slot = PhantomFrames.render("ultrasound", 1280, 720, 1).get(0);
        GroundTruth gt = slot.groundTruth();
        Mat labels = new Mat(gt.height(), gt.width(), CV_8UC1);
        labels.data().put(gt.labels(), 0, gt.width() * gt.height());
        Mat small = new Mat(SIDE, SIDE, CV_8UC1);
        resize(labels, small, new Size(SIDE, SIDE), 0, 0, INTER_NEAREST);
        byte[] l = new byte[SIDE * SIDE];
        small.data().get(l);
        probs = new float[SIDE * SIDE];
        for (int i = 0; i < l.length; i++) {
            probs[i] = l[i] == GroundTruth.LABEL_VESSEL ? 0.9f : 0.1f;
        }
        memory = new FloatPointer(probs); // kept: the plane views it
        plane = new Mat(SIDE, SIDE, CV_32FC1, memory);
        polygons = new MaskPolygons(SIDE, SIDE);
    }

    @Benchmark
    public int vesselPolygons() {
        out.clearResults();
        polygons.maskFromProbabilities(plane, 0.5);
        return polygons.appendZones(out, Annotations.ZONE_VESSEL, 1, probs, 0, true, 16, 1.0, 5f, 2.8125f);
    }
}
