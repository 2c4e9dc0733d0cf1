package org.intravis.perf;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.intravis.inference.ZoneSmoother;
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

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * One frame's zone smoothing as the model worker does it for the ultrasound model: its two zone planes (vessel and
 * nerve, 256 x 256 each, of a four-channel row) compared with the stream's average and blended into it. The maps
 * are real phantom frames' ground truth at the model's size as probabilities (0.9 inside, 0.05 outside), two
 * successive frames in turn so the average never restarts; the operation includes copying the frame's row in
 * (four planes, 1 MiB), which the worker does not, and leaves out the worker's copy of the two smoothed planes
 * back to native memory for OpenCV (0.5 MiB).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ZoneSmootherBenchmark {
    private static final int SIDE = 256;
    private static final int PLANE = SIDE * SIDE;
    private static final int[] ZONE_CHANNELS = {1, 2}; // the ultrasound model's vessel and nerve

    private final float[][] rows = new float[2][4 * PLANE];
    private final float[] row = new float[4 * PLANE];
    private ZoneSmoother smoother;
    private long frame;

    @Setup(Level.Trial)
    public void setUp() {
        List<FrameSlot> slots = PhantomFrames.render("ultrasound", 1280, 720, 2);
        for (int f = 0; f < 2; f++) {
            GroundTruth gt = slots.get(f).groundTruth();
            Mat labels = new Mat(gt.height(), gt.width(), CV_8UC1);
            labels.data().put(gt.labels(), 0, gt.width() * gt.height());
            Mat small = new Mat(SIDE, SIDE, CV_8UC1);
            resize(labels, small, new Size(SIDE, SIDE), 0, 0, INTER_NEAREST);
            byte[] l = new byte[PLANE];
            small.data().get(l);
            for (int i = 0; i < PLANE; i++) {
                rows[f][PLANE + i] = l[i] == GroundTruth.LABEL_VESSEL ? 0.9f : 0.05f;
                rows[f][2 * PLANE + i] = l[i] == GroundTruth.LABEL_NERVE ? 0.9f : 0.05f;
            }
        }
        smoother = new ZoneSmoother(ZoneSmoother.Config.defaults());
    }

    @Benchmark
    public boolean smoothZones() {
        System.arraycopy(rows[(int) (frame & 1)], 0, row, 0, row.length);
        frame++;
        return smoother.smooth(row, ZONE_CHANNELS, PLANE);
    }
}
