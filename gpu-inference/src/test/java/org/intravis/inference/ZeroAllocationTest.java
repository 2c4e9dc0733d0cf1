package org.intravis.inference;

import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.StageLatency;
import org.intravis.pipeline.StreamCounters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Steady state allocates nothing per frame, measured with the thread allocation counter on the feed's thread
 * (preprocessing into the batch tensor) and on the model worker's thread (run, polygons, needle, tracking, drawn
 * zones, risk, alerts, heat map, publish), with frames that exercise all of it.
 * <p>
 * Measured in 10 windows of 50 frames, of which at least half must allocate nothing at all on each thread: HotSpot's
 * C2 compiler occasionally deoptimises a method and the VM then creates a few strings on that thread (56 to a few
 * hundred bytes, at one or two arbitrary points; seen on the worker and, once the feed also crops, on the feed; with
 * C1 only, -XX:TieredStopAtLevel=1, the count is exactly 0), which spoils a window or two, not half. A real per-frame
 * allocation is at least 16 bytes in every window. (A bound on the total, tried before, sat at 632 of 800 bytes.)
 * <p>
 * Run three times: with the stand-in model, with its content-cropping twin on letterboxed frames (the crop box is
 * found and the outputs put back every frame), and with three streams in one batch post-processed by three threads
 * (the worker and two helpers, {@link PostCrew}), each helper's thread measured like the worker's.
 */
class ZeroAllocationTest {
    private static final int SLOTS = 8;
    private static final int WINDOWS = 10;
    private static final int WINDOW_FRAMES = 50;
    private static final int FRAMES = WINDOWS * WINDOW_FRAMES;
    private static final Annotations SEEN = new Annotations();

    @ParameterizedTest(name = "{0}, {1} black rows, {2} streams, {3} post-processing threads")
    @CsvSource({"standin-ultrasound, 0, 1, 1", "standin-ultrasound-cropped, 64, 1, 1", "standin-ultrasound, 0, 3, 3"})
    void theFeedAndTheWorkerAllocateNothingPerFrame(String model, int marginRows, int streams, int postThreads) {
        InferenceSettings s = new InferenceSettings().budgetMs(1000).maxBatch(Math.max(2, streams)).intraOpThreads(1)
                .postThreads(postThreads).heatmapEvery(3).conclude();
        try (InferenceService service = new InferenceService(s)) {
            AnnotationExchange[] exchanges = new AnnotationExchange[streams];
            InferenceFeed[] feeds = new InferenceFeed[streams];
            StreamCounters counters = new StreamCounters(); // the first stream's
            for (int k = 0; k < streams; k++) {
                String id = "us" + (k + 1);
                service.zones().add(id, "keep out", new double[][] {{300, 300}, {360, 300}, {330, 350}});
                exchanges[k] = new AnnotationExchange(); // no listeners: they would copy
                feeds[k] = service.register(new StreamRegistration(id, k, exchanges[k], k == 0 ? counters
                        : new StreamCounters(), new StageLatency(), 0.1, model));
            }
            AnnotationExchange exchange = exchanges[0];
            Thread worker = service.workerThreads().get(0);
            List<Thread> helpers = service.postHelperThreads();
            assertThat(helpers).hasSize(postThreads - 1);

            Phantom p = new Phantom(640, 480);
            p.marginRows = marginRows;
            FrameSlot[] slots = new FrameSlot[SLOTS * streams]; // [picture * streams + stream]
            for (int i = 0; i < SLOTS; i++) { // the needle advances towards the vessel and back
                p.tipX = 250 + 25 * Math.min(i, SLOTS - i); // up to 4 mm from the vessel: alerts rise and fall
                for (int k = 0; k < streams; k++) {
                    slots[i * streams + k] = p.newSlot(i);
                    p.render(slots[i * streams + k]);
                }
            }

            long frameId = drive(feeds, exchanges, slots, 0, 400); // warm up: JIT, OpenCV's scratch, alert states
            long doneBefore = counters.get(Counter.INFERENCE_DONE);
            long overhead = Allocations.overheadOfCurrent();
            long[] feedWindows = new long[WINDOWS];
            long[] workerWindows = new long[WINDOWS];
            long[][] helperWindows = new long[helpers.size()][WINDOWS];
            for (int w = 0; w < WINDOWS; w++) {
                long workerBefore = Allocations.of(worker);
                long[] helperBefore = helpers.stream().mapToLong(Allocations::of).toArray();
                long feedBefore = Allocations.current();
                frameId = drive(feeds, exchanges, slots, frameId, WINDOW_FRAMES);
                feedWindows[w] = Allocations.current() - feedBefore - overhead;
                workerWindows[w] = Allocations.of(worker) - workerBefore;
                for (int h = 0; h < helpers.size(); h++) {
                    helperWindows[h][w] = Allocations.of(helpers.get(h)) - helperBefore[h];
                }
            }
            long feedBytes = java.util.Arrays.stream(feedWindows).sum();
            long workerBytes = java.util.Arrays.stream(workerWindows).sum();
            long done = counters.get(Counter.INFERENCE_DONE) - doneBefore;

            Annotations last = new Annotations();
            exchange.readInto(last);
            System.out.printf("zero-allocation over %d frames (%d inferred): feed thread %d bytes %s, "
                            + "worker thread %d bytes %s, per window of %d; last: %s%n", FRAMES, done, feedBytes,
                    java.util.Arrays.toString(feedWindows), workerBytes, java.util.Arrays.toString(workerWindows),
                    WINDOW_FRAMES, last);
            assertThat(done).isEqualTo(FRAMES); // every frame really went through the whole path
            assertThat(last.tipCount()).isGreaterThanOrEqualTo(1);
            assertThat(last.lineCount()).isEqualTo(1);
            assertThat(last.zoneCount()).isGreaterThanOrEqualTo(2);    // segmented vessel + drawn zone
            assertThat(last.distanceCount()).isGreaterThanOrEqualTo(2);
            assertThat(last.heatmapClasses()).isEqualTo(4);
            assertThat(counters.get(Counter.INFERENCE_FAILED)).isZero();
            // the segmented vessel lies where the phantom drew it, in frame pixels, cropped or not
            int vessel = -1;
            for (int z = 0; z < last.zoneCount(); z++) {
                if (last.zoneClass[z] == Annotations.ZONE_VESSEL && !last.zoneDrawn[z]) {
                    vessel = z;
                }
            }
            assertThat(vessel).as("a segmented vessel").isGreaterThanOrEqualTo(0);
            double cx = 0;
            double cy = 0;
            for (int k = 0; k < last.zonePointCount[vessel]; k++) {
                cx += last.zonePointX(vessel, k) / last.zonePointCount[vessel];
                cy += last.zonePointY(vessel, k) / last.zonePointCount[vessel];
            }
            assertThat(cx).isCloseTo(p.vesselX, within(p.vesselR * 0.15));
            assertThat(cy).isCloseTo(p.vesselY, within(p.vesselR * 0.15));
            assertThat(java.util.Arrays.stream(feedWindows).filter(b -> b <= 0).count())
                    .as("windows of %d frames in which the feed thread allocated nothing: %s", WINDOW_FRAMES,
                            java.util.Arrays.toString(feedWindows)).isGreaterThanOrEqualTo(WINDOWS / 2);
            assertThat(java.util.Arrays.stream(workerWindows).filter(b -> b <= 0).count())
                    .as("windows of %d frames in which the worker thread allocated nothing: %s", WINDOW_FRAMES,
                            java.util.Arrays.toString(workerWindows)).isGreaterThanOrEqualTo(WINDOWS / 2);
            if (!helpers.isEmpty()) {
                ModelWorker mw = service.loadedWorker(model);
                assertThat(mw.rowsPostedByHelpers()).as("the helpers post-processed rows").isPositive();
            }
            for (int h = 0; h < helpers.size(); h++) {
                long[] hw = helperWindows[h];
                System.out.printf("helper %s: %s%n", helpers.get(h).getName(), java.util.Arrays.toString(hw));
                assertThat(java.util.Arrays.stream(hw).filter(b -> b <= 0).count())
                        .as("windows of %d frames in which %s allocated nothing: %s", WINDOW_FRAMES,
                                helpers.get(h).getName(), java.util.Arrays.toString(hw))
                        .isGreaterThanOrEqualTo(WINDOWS / 2);
            }
        }
    }

    /**
     * Offers frames one after another to every stream (the same picture, each stream its own slot ring), the next once
     * every stream published the previous; returns the next frame id.
     */
    private static long drive(InferenceFeed[] feeds, AnnotationExchange[] exchanges, FrameSlot[] slots, long firstId,
                              int frames) {
        int streams = feeds.length;
        long id = firstId;
        for (int i = 0; i < frames; i++) {
            for (int k = 0; k < streams; k++) {
                FrameSlot slot = slots[(int) (id % SLOTS) * streams + k];
                long version = Phantom.capture(slot, id, System.nanoTime());
                feeds[k].offer(slot, version);
            }
            for (int k = 0; k < streams; k++) {
                long deadline = System.nanoTime() + 2_000_000_000L;
                long seen = -1;
                while (System.nanoTime() < deadline) {
                    seen = exchanges[k].readIfNewer(SEEN, seen);
                    if (SEEN.frameId() == id) {
                        break;
                    }
                    LockSupport.parkNanos(100_000);
                }
            }
            id++;
        }
        return id;
    }
}
