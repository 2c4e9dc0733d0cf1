package org.intravis.perf;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.Preprocessor;
import org.intravis.inference.TensorRow;
import org.intravis.pipeline.FrameSlot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

/**
 * Preprocessing of one frame into a row of the model's input tensor (resize to the model's input, normalise, write
 * in place), as the inference feed does it, from a real ultrasound phantom frame at 720p and 1080p. The model
 * contract is the {@code ultrasound} model's sidecar when it is on the classpath, else the same contract as the
 * stand-in (256 x 256 grey, linear interpolation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PreprocessBenchmark {
    static final String STAND_IN_SPEC = """
            {"name": "bench-ultrasound", "version": "bench",
             "input": {"name": "image", "width": 256, "height": 256, "channels": 1, "colour": "grey",
                       "resize": "stretch", "scale": 255.0, "mean": 0.18, "std": 0.21},
             "outputs": [{"name": "probs", "channels": ["needle", "vessel", "nerve", "tip"], "activation": "sigmoid"}],
             "thresholds": {"needle": 0.5, "vessel": 0.5, "nerve": 0.5, "tip": 0.3}}
            """;

    @Param({"1280x720", "1920x1080"})
    public String resolution;

    private Preprocessor preprocessor;
    private FrameSlot slot;
    private Mat frame;
    private FloatPointer tensor;
    private TensorRow row;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ModelSpec spec = ultrasoundSpec();
        int[] wh = PhantomFrames.size(resolution);
        slot = PhantomFrames.render("ultrasound", wh[0], wh[1], 1).get(0);
        frame = new Mat(slot.height(), slot.width(), CV_8UC1, new BytePointer(slot.pixels()), slot.stride());
        tensor = new FloatPointer(spec.inputRowFloats());
        row = new TensorRow(spec, tensor);
        preprocessor = new Preprocessor(spec);
    }

    static ModelSpec ultrasoundSpec() throws ModelLoadException {
        try {
            return ModelSource.locate("ultrasound", null).spec();
        } catch (ModelLoadException notThere) {
            return ModelSpec.parse(STAND_IN_SPEC.getBytes(StandardCharsets.UTF_8), "PreprocessBenchmark");
        }
    }

    @Benchmark
    public Mat toTensor() {
        preprocessor.toTensor(frame, row);
        return row.plane(0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tensor.close();
    }
}
