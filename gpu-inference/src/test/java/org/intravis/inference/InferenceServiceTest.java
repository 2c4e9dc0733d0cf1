package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.LatencyPoint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The service with the real stand-in model: batching, deadlines, newest-wins, failures, devices, pausing. */
class InferenceServiceTest {
    private static final Phantom PHANTOM = new Phantom(320, 240);

    private static InferenceSettings settings(long budgetMs, int maxBatch) {
        return new InferenceSettings().budgetMs(budgetMs).maxBatch(maxBatch).intraOpThreads(1).conclude();
    }

    /** Offers {@code slot} to {@code feed} as frame {@code frameId}, captured now. */
    private static InferenceFeed.Offer offer(InferenceFeed feed, FrameSlot slot, long frameId) {
        return Phantom.offerNow(feed, slot, frameId);
    }

    /** Registers stream "s" (index 0, spacing unknown) running {@code model}, published into {@code r}. */
    private static InferenceFeed stream(InferenceService service, Recorder r, String model) {
        return service.register(r.registration("s", 0, 0, model));
    }

    /** A service with one stream "s" of {@code model}, its annotations recorded; closing it closes the service. */
    private record OneStream(InferenceService service, Recorder recorder, InferenceFeed feed) implements AutoCloseable {
        static OneStream start(InferenceSettings settings, String model) {
            InferenceService service = new InferenceService(settings);
            Recorder r = new Recorder();
            return new OneStream(service, r, stream(service, r, model));
        }

        @Override
        public void close() {
            service.close();
        }
    }

    /** After the trouble, the stream goes on: a fresh frame offered now is published valid. */
    private static void nextFrameGoesThrough(InferenceFeed feed, Recorder r, long frameId) throws InterruptedException {
        Phantom.offerNow(feed, frame(1), frameId);
        assertThat(r.await(x -> x.frameId() == frameId).status()).isEqualTo(Annotations.Status.VALID);
    }

    private static FrameSlot frame(int index) {
        FrameSlot slot = PHANTOM.newSlot(index);
        PHANTOM.render(slot);
        return slot;
    }

    @Test
    void aPartialBatchClosesAtItsDeadlineWithFramesFromSeveralStreams() throws Exception {
        try (InferenceService service = new InferenceService(settings(1000, 8))) {
            Recorder a = new Recorder();
            Recorder b = new Recorder();
            InferenceFeed fa = service.register(a.registration("a", 0, 0, "standin-ultrasound"));
            InferenceFeed fb = service.register(b.registration("b", 1, 0, "standin-ultrasound"));
            service.register(new Recorder().registration("c", 2, 0, "standin-ultrasound")); // registered, silent
            FrameSlot sa = frame(0);
            FrameSlot sb = frame(0);
            assertThat(Phantom.offerNow(fa, sa, 1)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            assertThat(Phantom.offerNow(fb, sb, 1)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            Annotations ra = a.await(x -> x.frameId() == 1);
            Annotations rb = b.await(x -> x.frameId() == 1);
            // one ONNX Runtime call for both streams, closed by the deadline with 2 of 8 rows (c might have sent a third)
            assertThat(ra.batchSize()).isEqualTo(2);
            assertThat(rb.batchSize()).isEqualTo(2);
            assertThat(ra.status()).isEqualTo(Annotations.Status.VALID);
            assertThat(ra.streamIndex()).isZero();
            assertThat(rb.streamIndex()).isEqualTo(1);
            InferenceStatus.ModelStatus m = service.status().models().get(0);
            assertThat(m.batchSizes()).containsEntry(2, 1L).hasSize(1);
            assertThat(m.batchesRun()).isEqualTo(1);
            assertThat(a.counters.get(Counter.INFERENCE_DONE)).isEqualTo(1);
            // stages stamped and measured
            assertThat(ra.capturedNanos()).isLessThanOrEqualTo(ra.preprocessedNanos());
            assertThat(ra.preprocessedNanos()).isLessThanOrEqualTo(ra.inferredNanos());
            assertThat(ra.inferredNanos()).isLessThanOrEqualTo(ra.publishedNanos());
            assertThat(a.latency.snapshot().total(LatencyPoint.PREPROCESSED_TO_INFERRED).getTotalCount()).isEqualTo(1);
            assertThat(ra.modelName()).isEqualTo("standin-ultrasound");
            assertThat(ra.modelVersion()).isEqualTo("0.0.1-standin");
            assertThat(ra.device()).isEqualTo("cpu");
        }
    }

    @Test
    void aBatchHoldingARowOfEveryActiveStreamClosesWithoutWaitingForItsDeadline() throws Exception {
        try (InferenceService service = new InferenceService(settings(600_000, 8))) { // a ten-minute budget
            Recorder a = new Recorder();
            Recorder b = new Recorder();
            InferenceFeed fa = service.register(a.registration("a", 0, 0, "standin-ultrasound"));
            InferenceFeed fb = service.register(b.registration("b", 1, 0, "standin-ultrasound"));
            FrameSlot sa = frame(0);
            FrameSlot sb = frame(0);
            Phantom.offerNow(fa, sa, 1);
            Phantom.offerNow(fb, sb, 1);
            assertThat(a.await(x -> x.frameId() == 1).batchSize()).isEqualTo(2); // within 10 s, not 10 minutes
            // a paused stream does not count: the other one's frames go through alone
            service.pause("b");
            Phantom.offerNow(fa, sa, 2);
            assertThat(a.await(x -> x.frameId() == 2).batchSize()).isEqualTo(1);
        }
    }

    @Test
    void framesAlreadyStaleWhenTheirBatchClosesAreSkippedAndCounted() throws Exception {
        try (OneStream one = OneStream.start(settings(100, 4), "standin-ultrasound")) {
            FrameSlot old = frame(0);
            long capturedLongAgo = System.nanoTime() - 1_000_000_000L;
            assertThat(one.feed().offer(old, Phantom.capture(old, 1, capturedLongAgo))).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            long end = System.nanoTime() + 10_000_000_000L;
            while (one.recorder().counters.get(Counter.INFERENCE_SKIPPED_DEADLINE) == 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertThat(one.recorder().counters.get(Counter.INFERENCE_SKIPPED_DEADLINE)).isEqualTo(1);
            assertThat(one.recorder().published).isEmpty();
            nextFrameGoesThrough(one.feed(), one.recorder(), 2);
            assertThat(one.service().status().models().get(0).skippedDeadline()).isEqualTo(1);
        }
    }

    @Test
    void aFramePastItsBudgetWhoseOverlayWouldStillBeFreshIsInferred() throws Exception {
        InferenceSettings s = new InferenceSettings().budgetMs(100).overlayStaleAfterMs(2000).maxBatch(4)
                .intraOpThreads(1).conclude();
        try (OneStream one = OneStream.start(s, "standin-ultrasound")) {
            FrameSlot late = frame(0);
            long captured = System.nanoTime() - 300_000_000L; // three budgets old, well inside the 2 s staleness
            assertThat(one.feed().offer(late, Phantom.capture(late, 1, captured))).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            Annotations out = one.recorder().await(x -> x.frameId() == 1);
            assertThat(out.status()).isEqualTo(Annotations.Status.VALID);
            assertThat(one.recorder().counters.get(Counter.INFERENCE_SKIPPED_DEADLINE)).isZero();
        }
        assertThatThrownBy(() -> new InferenceSettings().overlayStaleAfterMs(0).conclude())
                .hasMessageContaining("pipeline.staleAfterMs");
    }

    @Test
    void aPacedModelLeavesOutItsShareOfEachStreamsFramesUntilPacedBack() throws Exception {
        try (OneStream one = OneStream.start(settings(100, 4), "standin-ultrasound")) {
            one.service().pace(AiPace.maxStep()); // one of three
            java.util.List<InferenceFeed.Offer> offers = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                offers.add(offer(one.feed(), frame(i % 2), i + 1));
                Thread.sleep(20);
            }
            assertThat(offers).extracting(o -> o == InferenceFeed.Offer.PACED)
                    .containsExactly(false, true, true, false, true, true);
            Annotations paced = one.recorder().await(x -> x.frameId() == 4);
            assertThat(paced.modelPace()).as("the overlay says the share it was made at").isEqualTo("1 of 3 frames");
            one.service().pace(0);
            nextFrameGoesThrough(one.feed(), one.recorder(), 7);
            assertThat(one.recorder().await(x -> x.frameId() == 7).modelPace()).as("every frame: nothing said").isEmpty();
            assertThat(offer(one.feed(), frame(0), 8)).isNotEqualTo(InferenceFeed.Offer.PACED);
            assertThatThrownBy(() -> one.service().pace(AiPace.maxStep() + 1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void helpersPostProcessRowsAndEveryStreamGetsTheOverlaysOneThreadGives() throws Exception {
        int streams = 4;
        int frames = 12;
        Phantom p = new Phantom(640, 480);
        float[][][] tips = new float[2][streams][frames + 1];
        for (int run = 0; run < 2; run++) {
            int postThreads = run == 0 ? 1 : 3;
            InferenceSettings s = new InferenceSettings().budgetMs(2_000).maxBatch(streams).intraOpThreads(1)
                    .postThreads(postThreads).conclude();
            try (InferenceService service = new InferenceService(s)) {
                Recorder[] r = new Recorder[streams];
                InferenceFeed[] feeds = new InferenceFeed[streams];
                FrameSlot[] slots = new FrameSlot[streams];
                for (int k = 0; k < streams; k++) {
                    r[k] = new Recorder();
                    feeds[k] = service.register(r[k].registration("s" + k, k, 0.1, "standin-ultrasound"));
                    slots[k] = p.newSlot(0);
                    p.render(slots[k]);
                }
                for (long f = 1; f <= frames; f++) {
                    for (int k = 0; k < streams; k++) {
                        Phantom.offerNow(feeds[k], slots[k], f);
                    }
                    for (int k = 0; k < streams; k++) {
                        long id = f;
                        Annotations a = r[k].await(x -> x.frameId() == id);
                        assertThat(a.status()).isEqualTo(Annotations.Status.VALID);
                        assertThat(a.tipCount()).isEqualTo(1);
                        tips[run][k][(int) f] = a.tipX[0];
                    }
                }
                for (int k = 0; k < streams; k++) { // in frame order, every frame once
                    assertThat(r[k].published.stream().mapToLong(Annotations::frameId).toArray())
                            .containsExactly(java.util.stream.LongStream.rangeClosed(1, frames).toArray());
                }
                ModelWorker w = service.loadedWorker("standin-ultrasound");
                assertThat(w.postThreads()).isEqualTo(postThreads);
                InferenceStatus.Load load = service.status().models().get(0).load();
                assertThat(load.postThreads()).isEqualTo(postThreads);
                assertThat(load.rowsPostedByHelpers()).isEqualTo(w.rowsPostedByHelpers());
                assertThat(service.postHelperThreads()).extracting(Thread::getName)
                        .allMatch(n -> n.startsWith("post-standin-ultrasound-")).hasSize(postThreads - 1);
                if (postThreads > 1) {
                    assertThat(w.rowsPostedByHelpers()).isPositive();
                } else {
                    assertThat(w.rowsPostedByHelpers()).isZero();
                }
            }
        }
        for (int k = 0; k < streams; k++) { // the same tracks, whichever thread decoded each row
            for (int f = 1; f <= frames; f++) {
                assertThat(tips[1][k][f]).as("stream %d frame %d", k, f).isCloseTo(tips[0][k][f], within(0.01f));
            }
        }
    }

    @Test
    void theNewestFrameOfAStreamReplacesItsRowInTheFillingBatch() throws Exception {
        try (OneStream one = OneStream.start(settings(1000, 8), "standin-ultrasound")) {
            one.service().register(new Recorder().registration("other", 1, 0, "standin-ultrasound")); // keeps the batch open
            FrameSlot first = frame(0);
            FrameSlot second = frame(1);
            assertThat(Phantom.offerNow(one.feed(), first, 1)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            assertThat(Phantom.offerNow(one.feed(), second, 2)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            Annotations out = one.recorder().await(x -> x.frameId() == 2);
            assertThat(out.batchSize()).isEqualTo(1);
            assertThat(one.recorder().counters.get(Counter.INFERENCE_SKIPPED_STALE)).isEqualTo(1);
            Thread.sleep(50);
            assertThat(one.recorder().published).extracting(Annotations::frameId).containsExactly(2L);
        }
    }

    @Test
    void severalRowsPerStreamLetEveryFrameThroughForOfflineAnalysis() throws Exception {
        InferenceSettings s = new InferenceSettings().budgetMs(1000).maxBatch(4).rowsPerStream(4).intraOpThreads(1).conclude();
        try (OneStream one = OneStream.start(s, "standin-ultrasound")) {
            for (int i = 0; i < 4; i++) {
                FrameSlot slot = frame(i);
                assertThat(Phantom.offerNow(one.feed(), slot, i + 1)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            }
            one.recorder().await(x -> x.frameId() == 4);
            assertThat(one.recorder().published).extracting(Annotations::frameId).containsExactly(1L, 2L, 3L, 4L);
            assertThat(one.recorder().published).allSatisfy(x -> assertThat(x.batchSize()).isEqualTo(4)); // full: closed at once
        }
    }

    @Test
    void runTimeErrorsAreCountedPublishedAsFailedAndTheWorkerGoesOn() throws Exception {
        try (OneStream one = OneStream.start(settings(200, 2), "failing-ultrasound")) {
            FrameSlot bad = frame(0);
            for (int y = 0; y < 8; y++) { // the failing model's trigger: a white top-left corner
                for (int x = 0; x < 8; x++) {
                    bad.pixels().put(y * bad.stride() + x, (byte) 255);
                }
            }
            Phantom.offerNow(one.feed(), bad, 1);
            Annotations failed = one.recorder().await(x -> x.frameId() == 1);
            assertThat(failed.status()).isEqualTo(Annotations.Status.FAILED);
            assertThat(failed.failure()).isEqualTo("inference failed");
            assertThat(one.recorder().counters.get(Counter.INFERENCE_FAILED)).isEqualTo(1);
            nextFrameGoesThrough(one.feed(), one.recorder(), 2);
            assertThat(one.service().status().models().get(0).runFailures()).isEqualTo(1);
        }
    }

    /** CUDA asked for: the status says what runs (CUDA where the build and the machine have it) and, if not, why. */
    @Test
    void cudaRequestedRunsWhereItCanAndTheStatusSaysSo() throws Exception {
        InferenceSettings s = new InferenceSettings().device("cuda").budgetMs(200).maxBatch(2).intraOpThreads(1).conclude();
        String expected = CudaBuild.usable() ? "cuda:0" : "cpu";
        try (OneStream one = OneStream.start(s, "standin-ultrasound")) {
            InferenceStatus status = one.service().status();
            assertThat(status.deviceRequested()).isEqualTo("cuda");
            assertThat(status.deviceInUse()).isEqualTo(expected);
            if (expected.equals("cpu")) {
                assertThat(status.deviceNote()).contains("CUDA was requested but cannot start").contains("running on the CPU");
            } else {
                assertThat(status.deviceNote()).isEmpty();
            }
            assertThat(status.models().get(0).device()).isEqualTo(expected);
            FrameSlot slot = frame(0);
            Phantom.offerNow(one.feed(), slot, 1);
            assertThat(one.recorder().await(x -> x.frameId() == 1).device()).isEqualTo(expected);
        }
    }

    @Test
    void aModelThatFailsToLoadAnswersFailedAndIsInTheStatus() throws Exception {
        try (OneStream one = OneStream.start(settings(200, 2), "no-such-model")) {
            FrameSlot slot = frame(0);
            assertThat(Phantom.offerNow(one.feed(), slot, 1)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            Annotations a = one.recorder().last();
            assertThat(a.status()).isEqualTo(Annotations.Status.FAILED);
            assertThat(a.failure()).startsWith("model failed to load: model 'no-such-model' not found");
            InferenceStatus.ModelStatus m = one.service().status().models().get(0);
            assertThat(m.state()).isEqualTo("failed");
            assertThat(m.error()).startsWith("model failed to load:");
            assertThat(one.service().status().streams().get(0).mode()).isEqualTo("failed");
        }
    }

    @Test
    void pausingAStreamStopsItsInferenceUntilResumed() throws Exception {
        try (OneStream one = OneStream.start(settings(200, 2), "standin-ultrasound")) {
            one.service().pause("s");
            assertThat(one.service().status().streams().get(0).paused()).isTrue();
            FrameSlot slot = frame(0);
            assertThat(Phantom.offerNow(one.feed(), slot, 1)).isEqualTo(InferenceFeed.Offer.BUSY);
            one.service().resume("s");
            assertThat(Phantom.offerNow(one.feed(), slot, 2)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            one.recorder().await(x -> x.frameId() == 2);
            assertThatThrownBy(() -> one.service().pause("nope")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void afterCloseFeedsDeclineFramesWithoutTouchingFreedTensors() throws Exception {
        InferenceFeed feed;
        FrameSlot slot = frame(0);
        try (InferenceService service = new InferenceService(settings(200, 2))) {
            feed = service.register(new Recorder().registration("s", 0, 0, "standin-ultrasound"));
        }
        assertThat(Phantom.offerNow(feed, slot, 1)).isEqualTo(InferenceFeed.Offer.BUSY);
    }

    @Test
    void noneHasNoFeedAndStreamsRegisterOnce() {
        try (InferenceService service = new InferenceService(settings(200, 2))) {
            Recorder r = new Recorder();
            assertThat(stream(service, r, "none")).isNull();
            assertThatThrownBy(() -> stream(service, r, "standin-ultrasound"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
            assertThat(service.status().streams().get(0).mode()).isEqualTo("none");
        }
    }

    @Test
    void theStandInFindsThePhantomsNeedleAndVessel() throws Exception {
        InferenceSettings s = new InferenceSettings().budgetMs(300).maxBatch(2).intraOpThreads(1).heatmapEvery(1).conclude();
        try (InferenceService service = new InferenceService(s)) {
            Recorder r = new Recorder();
            InferenceFeed feed = service.register(r.registration("s", 0, 0.1, "standin-ultrasound"));
            Phantom p = new Phantom(640, 480);
            for (int i = 1; i <= 3; i++) {
                FrameSlot slot = p.newSlot(0);
                p.render(slot);
                Phantom.offerNow(feed, slot, i);
                r.await(x -> x.frameId() == slot.frameId());
            }
            Annotations a = r.last();
            assertThat(a.status()).isEqualTo(Annotations.Status.VALID);
            assertThat(a.frameWidth()).isEqualTo(640);
            assertThat(a.tipCount()).isEqualTo(1);
            assertThat(a.tipState[0]).isEqualTo(Annotations.TRACK_CONFIRMED);
            assertThat(a.tipX[0]).isCloseTo((float) p.tipX, within(8f));
            assertThat(a.tipY[0]).isCloseTo((float) p.tipY, within(8f));
            assertThat(a.lineCount()).isEqualTo(1);
            assertThat(a.lineX1[0]).isCloseTo((float) p.entryX, within(8f));
            assertThat(a.lineY1[0]).isCloseTo((float) p.entryY, within(8f));
            int vessels = 0;
            for (int z = 0; z < a.zoneCount(); z++) {
                if (a.zoneClass[z] == Annotations.ZONE_VESSEL) {
                    vessels++;
                    float cx = 0;
                    float cy = 0;
                    for (int k = 0; k < a.zonePointCount[z]; k++) {
                        cx += a.zonePointX(z, k) / a.zonePointCount[z];
                        cy += a.zonePointY(z, k) / a.zonePointCount[z];
                    }
                    assertThat(cx).isCloseTo((float) p.vesselX, within(6f));
                    assertThat(cy).isCloseTo((float) p.vesselY, within(6f));
                    assertThat(a.zoneConfidence[z]).isGreaterThan(0.5f);
                }
            }
            assertThat(vessels).isEqualTo(1);
            // distances to the zones, in mm at 0.1 mm/px
            assertThat(a.distanceCount()).isGreaterThanOrEqualTo(1);
            for (int i = 0; i < a.distanceCount(); i++) {
                assertThat(a.distMm[i]).isCloseTo(a.distPx[i] * 0.1f, within(1e-3f));
            }
            assertThat(a.heatmapClasses()).isEqualTo(4);
            assertThat(a.heatmapWidth()).isEqualTo(64);
            assertThat(a.heatmapClassName(1)).isEqualTo("vessel");
        }
    }
}
