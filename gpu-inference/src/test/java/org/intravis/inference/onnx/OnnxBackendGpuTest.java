package org.intravis.inference.onnx;

import org.intravis.inference.BackendOptions;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceService;
import org.intravis.inference.InferenceSettings;
import org.intravis.inference.InferenceStatus;
import org.intravis.inference.ModelSource;
import org.intravis.inference.Preprocessor;
import org.intravis.inference.StreamRegistration;
import org.intravis.inference.TensorRow;
import org.intravis.inference.TestImages;
import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.StageLatency;
import org.intravis.pipeline.StreamCounters;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The CUDA path: runs only with {@code -Pgpu} (the CUDA build of ONNX Runtime) on a machine with an NVIDIA GPU,
 * CUDA 13 and cuDNN 9. The bound host tensors stay where they are between calls; ONNX Runtime copies them to and
 * from the device.
 */
@Tag("gpu")
class OnnxBackendGpuTest {

    @Test
    void cudaRunsTheModelAndReproducesPyTorch() throws Exception {
        ModelSource source = ModelSource.locate("standin-ultrasound", null);
        GoldenOutputs golden = GoldenOutputs.of("standin-ultrasound");
        try (InferenceBackend backend = OnnxBackend.load(source, new BackendOptions("cuda", 4, 2, 0))) {
            assertThat(backend.device()).isEqualTo("cuda:0");
            assertThat(backend.deviceNote()).isEmpty();
            assertThat(backend.fixedBatchShape()).as("AUTO pads partial batches on CUDA (BatchShape)").isTrue();
            GoldenOutputs.runGoldenInputs(backend, source.spec());
            golden.assertSamples(backend, source.spec(), 1e-3f);
            int w = source.spec().width();
            int h = source.spec().height();
            Preprocessor pre = new Preprocessor(source.spec());
            // a batch of 2 equals 2 single runs (the second tensor set)
            float[] batched = new float[source.spec().outputRowFloats()];
            float[] single = new float[batched.length];
            backend.outputRow(0, 1).get(batched, 0, batched.length);
            pre.toTensor(TestImages.ramps(w, h), new TensorRow(source.spec(), backend.inputRow(1, 0)));
            backend.run(1, 1);
            backend.outputRow(1, 0).get(single, 0, single.length);
            for (int i = 0; i < batched.length; i++) {
                assertThat(batched[i]).isCloseTo(single[i], within(1e-4f));
            }
            // I/O binding: steady-state runs allocate nothing on the Java heap
            assertThat(SteadyRuns.bytesAllocated(backend)).as("bytes allocated by 40 runs").isLessThanOrEqualTo(0);
        }
    }

    @Test
    void theServiceReportsCudaInItsStatusAndAnnotations() throws Exception {
        InferenceSettings s = new InferenceSettings().device("cuda").budgetMs(500).maxBatch(2).conclude();
        try (InferenceService service = new InferenceService(s)) {
            AnnotationExchange exchange = new AnnotationExchange();
            InferenceFeed feed = service.register(new StreamRegistration("g", 0, exchange, new StreamCounters(),
                    new StageLatency(), 0, "standin-ultrasound"));
            InferenceStatus status = service.status();
            assertThat(status.deviceInUse()).isEqualTo("cuda:0");
            assertThat(status.deviceNote()).isEmpty();
            FrameSlot slot = new FrameSlot(0, new FrameGeometry(320, 240, PixelFormat.GRAY8), false);
            slot.frame(320, 240, 320, PixelFormat.GRAY8);
            slot.beginWrite();
            slot.captured(0, 1, 1, System.nanoTime());
            slot.endWrite();
            assertThat(feed.offer(slot, slot.writeVersion())).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            Annotations a = new Annotations();
            long end = System.nanoTime() + 10_000_000_000L;
            while (exchange.readInto(a) == 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertThat(a.status()).isEqualTo(Annotations.Status.VALID);
            assertThat(a.device()).isEqualTo("cuda:0");
        }
    }

    /** On the GPU the shipped ultrasound model steps down to its float single pass, not the CPU's int8 copy. */
    @Test
    void onCudaTheStepDownGraphIsTheFloatSinglePass() throws Exception {
        try (InferenceBackend backend = OnnxBackend.loadWithFallback(ModelSource.locate("ultrasound", null),
                new BackendOptions("cuda", 2, 1, 0))) {
            assertThat(backend.device()).isEqualTo("cuda:0");
            assertThat(backend.variants()).isEqualTo(2);
            assertThat(backend.fallback().file()).isEqualTo("ultrasound-single.onnx");
        }
    }
}
