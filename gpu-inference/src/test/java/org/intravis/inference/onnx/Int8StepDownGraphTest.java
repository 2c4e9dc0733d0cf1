package org.intravis.inference.onnx;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.ModelSource;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.Preprocessor;
import org.intravis.inference.TensorRow;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

/**
 * The shipped ultrasound model's step-down graph on the CPU is its int8 copy (the sidecar's {@code fallback.cpu}),
 * and on real frames (the held-out clip frames of the test fixture, never used to calibrate it) it gives what the
 * float single pass gives: the same needle shaft and tip, the same vessels and nerves, within the quantisation's
 * small differences.
 */
class Int8StepDownGraphTest {
    private static final Path FRAMES = Path.of("src", "test", "resources", "real-needle", "images");

    @Test
    void theCpuStepsDownToTheInt8GraphWhichAgreesWithTheFloatOne() throws Exception {
        ModelSource source = ModelSource.locate("ultrasound", null);
        ModelSpec spec = source.spec();
        assertThat(source.fallback(true).location()).endsWith("ultrasound-single-int8.onnx");
        assertThat(source.fallback(false).location()).endsWith("ultrasound-single.onnx");
        try (InferenceBackend both = OnnxBackend.loadWithFallback(source, BackendOptions.single("cpu"))) {
            assertThat(both.variants()).isEqualTo(2);
            assertThat(both.variantName(1)).as("the same step for the user as the float graph")
                    .isEqualTo("single-pass");
            assertThat(both.fallback().file()).isEqualTo("ultrasound-single-int8.onnx");
        }
        List<Path> frames;
        try (Stream<Path> s = Files.list(FRAMES)) {
            frames = s.sorted().limit(8).toList();
        }
        int plane = spec.width() * spec.height();
        int needle = spec.outputChannels().indexOf("needle");
        int tip = spec.outputChannels().indexOf("tip");
        Preprocessor pre = new Preprocessor(spec);
        try (InferenceBackend fp = OnnxBackend.load(source.fallback(false), BackendOptions.single("cpu"));
             InferenceBackend q = OnnxBackend.load(source.fallback(true), BackendOptions.single("cpu"))) {
            for (Path f : frames) {
                Mat grey = imread(f.toString(), IMREAD_GRAYSCALE);
                for (InferenceBackend b : List.of(fp, q)) {
                    pre.toTensor(grey, new TensorRow(spec, b.inputRow(0, 0)));
                    b.run(0, 1);
                }
                FloatPointer a = fp.outputRow(0, 0);
                FloatPointer c = q.outputRow(0, 0);
                for (int ch = 0; ch < spec.outputChannelCount(); ch++) {
                    double diff = 0;
                    int both = 0;
                    int either = 0;
                    for (int i = 0; i < plane; i++) {
                        float x = a.get((long) ch * plane + i);
                        float y = c.get((long) ch * plane + i);
                        diff += Math.abs(x - y);
                        both += x > 0.5f && y > 0.5f ? 1 : 0;
                        either += x > 0.5f || y > 0.5f ? 1 : 0;
                    }
                    double iou = either == 0 ? 1 : (double) both / either;
                    System.out.printf("%s %s: mean |diff| %.4f, IoU above 0.5 %.3f (%d px)%n", f.getFileName(),
                            spec.outputChannels().get(ch), diff / plane, iou, either);
                    assertThat(diff / plane).as("%s %s mean difference", f.getFileName(), spec.outputChannels().get(ch))
                            .isLessThan(0.01); // measured: 0.0001-0.0028
                    if (ch == needle && either > 50) { // measured: 0.95-0.98
                        assertThat(iou).as("%s needle mask agreement", f.getFileName()).isGreaterThan(0.9);
                    }
                }
                int pa = argmax(a, tip, plane);
                int pc = argmax(c, tip, plane);
                double apart = Math.hypot(pa % spec.width() - pc % spec.width(), pa / spec.width() - pc / spec.width());
                System.out.printf("%s tip peak %.1f cells apart%n", f.getFileName(), apart);
                assertThat(apart).as("%s tip peaks (256 grid cells; measured: the same cell)", f.getFileName())
                        .isLessThanOrEqualTo(1);
            }
        }
    }

    private static int argmax(FloatPointer p, int channel, int plane) {
        int best = 0;
        for (int i = 1; i < plane; i++) {
            if (p.get((long) channel * plane + i) > p.get((long) channel * plane + best)) {
                best = i;
            }
        }
        return best;
    }
}
