package org.intravis.perf;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.inference.BackendFactory;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.GreyPixels;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceSettings;
import org.intravis.inference.ModelSource;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.OutputDecoder;
import org.intravis.inference.Preprocessor;
import org.intravis.inference.TensorRow;
import org.intravis.inference.ZoneSmoother;
import org.intravis.pipeline.Annotations;
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

import java.util.concurrent.TimeUnit;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

/**
 * One row's post-processing as the model worker does it ({@link OutputDecoder#decode}: background cleared, the
 * content crop undone, zones smoothed and made polygons, the needle located and its tip refined on the frame's
 * pixels), on the shipped ultrasound model's real output for a real phantom frame at 720p and 1080p. The output is
 * computed once (ONNX Runtime, CPU) and put back into the native row before every decode, which rewrites it: that
 * copy (1 MiB) is part of the figure. The heat map is left out (every 15th frame in the worker).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PostProcessBenchmark {
    @Param({"1280x720", "1920x1080"})
    public String resolution;

    private InferenceBackend backend;
    private OutputDecoder decoder;
    private TensorRow row;
    private Mat[] planes;
    private float[] output;
    private FloatPointer outputRow;
    private final GreyPixels pixels = new GreyPixels();
    private FrameSlot slot;
    private ZoneSmoother smoother;
    private final Annotations annotations = new Annotations();
    private long frame;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ModelSource source = ModelSource.locate("ultrasound", null);
        ModelSpec spec = source.spec();
        backend = BackendFactory.open(source, new BackendOptions("cpu", 1, 1, 0));
        int[] wh = PhantomFrames.size(resolution);
        slot = PhantomFrames.render("ultrasound", wh[0], wh[1], 1).get(0);
        Mat view = new Mat(slot.height(), slot.width(), CV_8UC1, new BytePointer(slot.pixels()), slot.stride());
        row = new TensorRow(spec, backend.inputRow(0, 0));
        new Preprocessor(spec).toTensor(view, row);
        backend.run(0, 1);
        outputRow = backend.outputRow(0, 0);
        output = new float[spec.outputRowFloats()];
        outputRow.get(output, 0, output.length);
        planes = OutputDecoder.planesOver(spec, outputRow);
        InferenceSettings settings = new InferenceSettings();
        decoder = new OutputDecoder(spec, settings);
        smoother = settings.zoneSmoothing().on() ? new ZoneSmoother(settings.zoneSmoothing()) : null;
    }

    @Benchmark
    public boolean decode() {
        outputRow.put(output, 0, output.length);
        annotations.clear();
        annotations.capturedNanos(++frame * 33_333_333L).frameId(frame);
        return decoder.decode(backend.inputRow(0, 0), row.box(), outputRow, planes, annotations, slot.width(),
                slot.height(), false, smoother, pixels.wrap(slot.pixels(), slot.width(), slot.height(), slot.stride(),
                        slot.format().bytesPerPixel()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }
}
