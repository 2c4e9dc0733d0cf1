package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.InferenceFeed;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admission under load, with the shipped ultrasound model (tens of ms a batch on a CPU): streams offering frames
 * faster than the model takes them are not preprocessed for nothing. Without admission every offer was preprocessed
 * and all but the last before each batch thrown away; the model still gets a recent frame of each stream.
 */
class AdmissionUnderLoadTest {
    private static final Phantom PHANTOM = new Phantom(320, 240);
    private static final int STREAMS = 2;
    private static final long INTERVAL_NANOS = 10_000_000L; // 100 frames/s per stream: far more than the model takes

    @Test
    void framesANewerOneWouldReplaceAreNotPreprocessedWhileTheModelIsBusy() throws Exception {
        InferenceSettings s = new InferenceSettings().budgetMs(1000).maxBatch(STREAMS).intraOpThreads(1).conclude();
        try (InferenceService service = new InferenceService(s)) {
            Recorder[] out = new Recorder[STREAMS];
            InferenceFeed[] feeds = new InferenceFeed[STREAMS];
            for (int i = 0; i < STREAMS; i++) {
                out[i] = new Recorder();
                feeds[i] = service.register(out[i].registration("s" + i, i, 0, "ultrasound"));
            }
            AtomicLongArray accepted = new AtomicLongArray(STREAMS);
            AtomicLongArray deferred = new AtomicLongArray(STREAMS);
            Thread[] threads = new Thread[STREAMS];
            long end = System.nanoTime() + 2_500_000_000L;
            for (int i = 0; i < STREAMS; i++) {
                int k = i;
                threads[i] = new Thread(() -> {
                    FrameSlot[] slots = {PHANTOM.newSlot(0), PHANTOM.newSlot(1)};
                    for (FrameSlot slot : slots) {
                        PHANTOM.render(slot);
                    }
                    long next = System.nanoTime();
                    for (long id = 1; System.nanoTime() < end; id++) {
                        FrameSlot slot = slots[(int) (id & 1)];
                        InferenceFeed.Offer o = feeds[k].offer(slot, Phantom.capture(slot, id, System.nanoTime()));
                        if (o == InferenceFeed.Offer.ACCEPTED) {
                            accepted.incrementAndGet(k);
                        } else if (o == InferenceFeed.Offer.DEFERRED) {
                            deferred.incrementAndGet(k);
                        }
                        next += INTERVAL_NANOS;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                    }
                }, "offer-s" + i);
                threads[i].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            for (int i = 0; i < STREAMS; i++) {
                int done = out[i].published.size();
                assertThat(done).as("stream %d: the model keeps publishing", i).isGreaterThanOrEqualTo(5);
                assertThat(deferred.get(i)).as("stream %d: offers not preprocessed while the model was busy", i)
                        .isGreaterThan(accepted.get(i));
                // what was preprocessed was mostly inferred: not many more rows written than published
                assertThat(accepted.get(i)).as("stream %d: rows preprocessed vs %d published", i, done)
                        .isLessThanOrEqualTo(3L * done + 5);
                assertThat(out[i].published).allMatch(a -> a.status() == Annotations.Status.VALID);
            }
        }
    }
}
