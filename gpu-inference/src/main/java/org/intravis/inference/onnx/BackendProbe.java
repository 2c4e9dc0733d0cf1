package org.intravis.inference.onnx;

import org.HdrHistogram.Histogram;
import org.intravis.inference.BackendFactory;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.BatchShape;
import org.intravis.inference.ConvAlgoSearch;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.ModelSource;
import org.intravis.inference.Preprocessor;
import org.intravis.inference.TensorRow;
import org.bytedeco.opencv.opencv_core.Mat;

import java.nio.file.Path;
import java.util.Locale;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

/**
 * Latency and throughput of one model on one device, per batch size: a plain main that warms up, then times
 * {@code iterations} ONNX Runtime calls per batch size into an HdrHistogram and prints percentiles. The batch is
 * filled with preprocessed noise frames once (the run time does not depend on the content).
 * <pre>
 *   java -cp ... org.intravis.inference.onnx.BackendProbe [--model NAME|PATH] [--device cpu|cuda]
 *        [--batches 1,4,8] [--iterations 200] [--warmup 20] [--threads 0] [--models-dir DIR]
 *        [--batch-shape exact|fixed|auto] [--conv-search exhaustive|heuristic|default] [--interleave]
 * </pre>
 * {@code --interleave} adds a row "mixed": calls cycling through the batch sizes, one size after another.
 */
public final class BackendProbe {
    private BackendProbe() {
    }

    /**
     * Calls whose batch size changes every time (the sizes in turn), as the deadline-bounded batcher makes them
     * when streams do not fill batches: what a shape change costs on this device.
     */
    private static void interleaved(InferenceBackend backend, int[] sizes, int iterations) throws Exception {
        Histogram h = new Histogram(3_600_000_000L, 3);
        int rows = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            int n = Math.min(sizes[i % sizes.length], backend.maxBatch());
            long s = System.nanoTime();
            backend.run(0, n);
            h.recordValue((System.nanoTime() - s) / 1000);
            rows += n;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%6s %10.2f %10.2f %10.2f %10.2f %12.2f %12.1f%n", "mixed",
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, seconds * 1000 / rows, rows / seconds);
    }

    public static void main(String[] args) throws Exception {
        String model = "ultrasound";
        String device = "cpu";
        String batches = "1,4,8";
        int iterations = 200;
        int warmup = 20;
        int threads = 0;
        Path modelsDir = null;
        BatchShape shape = BatchShape.EXACT; // the table measures each size as it is
        ConvAlgoSearch search = ConvAlgoSearch.EXHAUSTIVE;
        boolean interleave = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--model" -> { model = v; i++; }
                case "--device" -> { device = v; i++; }
                case "--batches" -> { batches = v; i++; }
                case "--iterations" -> { iterations = Integer.parseInt(v); i++; }
                case "--warmup" -> { warmup = Integer.parseInt(v); i++; }
                case "--threads" -> { threads = Integer.parseInt(v); i++; }
                case "--models-dir" -> { modelsDir = Path.of(v); i++; }
                case "--batch-shape" -> { shape = BatchShape.parse(v); i++; }
                case "--conv-search" -> { search = ConvAlgoSearch.parse(v); i++; }
                case "--interleave" -> interleave = true;
                default -> {
                    System.err.println("unknown option " + a + "; options: --model --device --batches --iterations "
                            + "--warmup --threads --models-dir --batch-shape --conv-search --interleave");
                    System.exit(2);
                }
            }
        }
        int[] sizes = java.util.Arrays.stream(batches.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        int max = java.util.Arrays.stream(sizes).max().orElse(1);
        ModelSource source = ModelSource.locate(model, modelsDir);
        BackendOptions options = new BackendOptions(device, max, 1, threads, shape, search);
        try (InferenceBackend backend = BackendFactory.open(source, options)) {
            System.out.printf(Locale.ROOT, "model %s %s from %s%ndevice %s%s, intra-op threads %s, %d cores, "
                            + "batch shape %s (%s), cuDNN search %s%n",
                    source.spec().name(), source.spec().version(), backend.location(), backend.device(),
                    backend.deviceNote().isEmpty() ? "" : " (" + backend.deviceNote() + ")",
                    threads == 0 ? "default" : Integer.toString(threads), Runtime.getRuntime().availableProcessors(),
                    shape.name().toLowerCase(Locale.ROOT), backend.fixedBatchShape() ? "every call at " + max + " rows"
                            : "each call at its size", search.name().toLowerCase(Locale.ROOT));
            Preprocessor pre = new Preprocessor(source.spec());
            Mat noise = new Mat(source.spec().height(), source.spec().width(), CV_8UC1);
            byte[] px = new byte[source.spec().width() * source.spec().height()];
            new java.util.Random(1).nextBytes(px);
            noise.data().put(px, 0, px.length);
            for (int r = 0; r < backend.maxBatch(); r++) {
                pre.toTensor(noise, new TensorRow(source.spec(), backend.inputRow(0, r)));
            }
            System.out.printf(Locale.ROOT, "%6s %10s %10s %10s %10s %12s %12s%n", "batch", "p50 ms", "p90 ms", "p99 ms",
                    "max ms", "ms/frame", "frames/s");
            for (int n : sizes) {
                if (n > backend.maxBatch()) {
                    System.out.printf("%6d  skipped: the model takes at most %d%n", n, backend.maxBatch());
                    continue;
                }
                for (int i = 0; i < warmup; i++) {
                    backend.run(0, n);
                }
                Histogram h = new Histogram(3_600_000_000L, 3);
                long t0 = System.nanoTime();
                for (int i = 0; i < iterations; i++) {
                    long s = System.nanoTime();
                    backend.run(0, n);
                    h.recordValue((System.nanoTime() - s) / 1000);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double p50 = h.getValueAtPercentile(50) / 1000.0;
                System.out.printf(Locale.ROOT, "%6d %10.2f %10.2f %10.2f %10.2f %12.2f %12.1f%n", n, p50,
                        h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                        h.getMaxValue() / 1000.0, p50 / n, iterations * n / seconds);
            }
            if (interleave) {
                interleaved(backend, sizes, iterations);
            }
        }
    }
}
