package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.InferenceFeed;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** How feeds fill a batch, with the worker's thread not started so that nothing drains it. */
class BatchFillingTest {
    private static final Phantom PHANTOM = new Phantom(320, 240);

    private static FrameSlot frame(int index) {
        FrameSlot slot = PHANTOM.newSlot(index);
        PHANTOM.render(slot);
        return slot;
    }

    /** A worker of the stand-in model whose thread is never started, its recorder, and feeds into it. */
    private static final class Rig implements AutoCloseable {
        final InferenceSettings settings;
        final ModelWorker worker;
        final Recorder recorder = new Recorder();

        Rig(int maxBatch) throws Exception {
            settings = new InferenceSettings().maxBatch(maxBatch).conclude();
            InferenceBackend backend = BackendFactory.open(ModelSource.locate("standin-ultrasound", null),
                    new BackendOptions("cpu", maxBatch, 2, 1));
            worker = new ModelWorker("standin-ultrasound", backend, settings);
        }

        ModelFeed feed(String id) {
            StreamAnnotator a = new StreamAnnotator(recorder.registration(id, 0, 0, "standin-ultrasound"),
                    Annotations.Origin.MODEL, "standin-ultrasound", "", "cpu", settings,
                    new AtomicReference<>(ZoneStore.Snapshot.EMPTY));
            return new ModelFeed(worker, worker.addStream(a), recorder.counters);
        }

        @Override
        public void close() {
            worker.backend().close();
        }
    }

    @Test
    void noFreeRowIsBusy() throws Exception {
        try (Rig rig = new Rig(2)) {
            ModelFeed a = rig.feed("a");
            ModelFeed b = rig.feed("b");
            ModelFeed c = rig.feed("c");
            FrameSlot slot = frame(0);
            assertThat(Phantom.offerNow(a, slot, 1)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            assertThat(Phantom.offerNow(b, slot, 2)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            assertThat(Phantom.offerNow(c, slot, 3)).isEqualTo(InferenceFeed.Offer.BUSY);
            Batch filling = rig.worker.filling();
            assertThat(Batch.count(filling.word())).isEqualTo(2);
            assertThat(Batch.phase(filling.rowState(0))).isEqualTo(Batch.READY);
            assertThat(Batch.phase(filling.rowState(1))).isEqualTo(Batch.READY);
        }
    }

    @Test
    void aNewerFrameTakesBackItsStreamsRowAndATornReadIsDiscarded() throws Exception {
        try (Rig rig = new Rig(4)) {
            ModelFeed a = rig.feed("a");
            FrameSlot s1 = frame(0);
            FrameSlot s2 = frame(1);
            Phantom.offerNow(a, s1, 1);
            Phantom.offerNow(a, s2, 2);
            Batch filling = rig.worker.filling();
            assertThat(Batch.count(filling.word())).isEqualTo(1);
            assertThat(filling.frameId[0]).isEqualTo(2);
            assertThat(rig.recorder.counters.get(Counter.INFERENCE_SKIPPED_STALE)).isEqualTo(1);

            // the slot is overwritten while being read: the version offered is no longer the slot's
            FrameSlot s3 = frame(2);
            long version = Phantom.capture(s3, 3, System.nanoTime());
            s3.beginWrite();
            s3.endWrite();
            assertThat(a.offer(s3, version)).isEqualTo(InferenceFeed.Offer.TORN);
            assertThat(Batch.phase(filling.rowState(0))).isEqualTo(Batch.VOID);
            // the next frame claims a fresh row
            FrameSlot s4 = frame(3);
            assertThat(Phantom.offerNow(a, s4, 4)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            assertThat(Batch.count(filling.word())).isEqualTo(2);
            assertThat(filling.frameId[1]).isEqualTo(4);
        }
    }
}
