package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.testing.StandInSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Inference wired into real stream pipelines (capture thread, ring, video and inference branches). */
class StreamPipelineInferenceTest {

    private static StreamPipeline pipeline(String id, int index, InferenceService service, String model, AtomicLong videoFrames)
            throws Exception {
        Phantom phantom = new Phantom(320, 240);
        StandInSource source = phantom.source(30);
        source.open(); // whoever assembles the pipeline opens the source
        StreamPipeline.Context ctx = new StreamPipeline.Context().streamId(id).streamIndex(index)
                .source(source).videoSink(slot -> videoFrames.incrementAndGet()).conclude();
        StreamPipeline p = new StreamPipeline(ctx);
        p.context().inferenceFeed(service.register(new StreamRegistration(id, index, p.annotations(), p.counters(),
                p.latency(), 0.1, model)));
        p.start();
        return p;
    }

    private static void awaitCount(AtomicLong n, long atLeast) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (n.get() < atLeast && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    @Test
    void aBadModelLeavesTheVideoFlowingWhileAnnotationsSayFailed(@TempDir Path dir) throws Exception {
        Path corrupt = dir.resolve("broken.onnx");
        Files.write(corrupt, new byte[] {8, 7, 18, 4, 'j', 'u', 'n', 'k', 0, 1, 2, 3});
        Files.writeString(dir.resolve("broken.json"), new String(getClass().getResourceAsStream(
                "/models/standin-ultrasound/standin-ultrasound.json").readAllBytes()));
        AtomicLong video = new AtomicLong();
        try (InferenceService service = new InferenceService(new InferenceSettings().conclude());
             StreamPipeline p = pipeline("us1", 0, service, corrupt.toString(), video)) {
            awaitCount(video, 20);
            assertThat(video.get()).isGreaterThanOrEqualTo(20); // the picture keeps coming
            Annotations a = new Annotations();
            p.annotations().readInto(a);
            assertThat(a.status()).isEqualTo(Annotations.Status.FAILED);
            assertThat(a.failure()).startsWith("model failed to load: model 'broken' (" + corrupt.toAbsolutePath() + ")")
                    .contains("is not a loadable ONNX model");
            assertThat(p.counters().get(Counter.VIDEO_OUT)).isGreaterThanOrEqualTo(20);
            assertThat(p.counters().get(Counter.OVERLAY_STALE)).isGreaterThanOrEqualTo(20); // never shown as valid
            InferenceStatus.ModelStatus m = service.status().models().get(0);
            assertThat(m.state()).isEqualTo("failed");
            assertThat(m.error()).contains(corrupt.toAbsolutePath().toString());
        }
    }

    @Test
    void twoStreamsShareOneModelWorkerAndAThirdShowsGroundTruth() throws Exception {
        AtomicLong v1 = new AtomicLong();
        AtomicLong v2 = new AtomicLong();
        AtomicLong v3 = new AtomicLong();
        InferenceSettings s = new InferenceSettings().budgetMs(150).maxBatch(4).intraOpThreads(1).conclude();
        try (InferenceService service = new InferenceService(s);
             StreamPipeline a = pipeline("us1", 0, service, "standin-ultrasound", v1);
             StreamPipeline b = pipeline("us2", 1, service, "standin-ultrasound", v2);
             StreamPipeline g = pipeline("gt", 2, service, "ground-truth", v3)) {
            long end = System.nanoTime() + 15_000_000_000L;
            while (System.nanoTime() < end && (a.counters().get(Counter.INFERENCE_DONE) < 20
                    || b.counters().get(Counter.INFERENCE_DONE) < 20 || g.counters().get(Counter.INFERENCE_DONE) < 20)) {
                Thread.sleep(20);
            }
            for (StreamPipeline p : new StreamPipeline[] {a, b}) {
                assertThat(p.counters().get(Counter.INFERENCE_DONE)).isGreaterThanOrEqualTo(20);
                Annotations ann = new Annotations();
                p.annotations().readInto(ann);
                assertThat(ann.status()).isEqualTo(Annotations.Status.VALID);
                assertThat(ann.origin()).isEqualTo(Annotations.Origin.MODEL);
                assertThat(ann.tipCount()).isGreaterThanOrEqualTo(1);
                assertThat(ann.streamIndex()).isEqualTo(p.streamIndex());
            }
            Annotations gt = new Annotations();
            g.annotations().readInto(gt);
            assertThat(gt.origin()).isEqualTo(Annotations.Origin.GROUND_TRUTH);
            assertThat(gt.tipCount()).isEqualTo(1);
            assertThat(service.workerThreads()).extracting(Thread::getName).containsExactly("infer-standin-ultrasound");
            InferenceStatus.ModelStatus m = service.status().models().get(0);
            assertThat(m.rowsRun()).isGreaterThanOrEqualTo(40);
            // the video branch attached these annotations to its frames, with their age
            assertThat(a.counters().get(Counter.VIDEO_OUT)).isGreaterThan(0);
            assertThat(a.latency().snapshot().total(org.intravis.pipeline.LatencyPoint.INFERRED_TO_PUBLISHED).getTotalCount())
                    .isGreaterThanOrEqualTo(20);
            assertThat(m.meanBatchSize()).isCloseTo(m.rowsRun() / (double) m.batchesRun(), within(1e-9));
        }
    }
}
