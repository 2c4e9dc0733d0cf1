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

    private static ModelWorker worker(InferenceSettings s) throws Exception {
        InferenceBackend backend = BackendFactory.open(ModelSource.locate("standin-ultrasound", null),
                new BackendOptions("cpu", s.maxBatch(), 2, 1));
        return new ModelWorker("standin-ultrasound", backend, s);
    }

    private static ModelFeed feed(ModelWorker w, Recorder r, String id, InferenceSettings s) {
        StreamAnnotator a = new StreamAnnotator(r.registration(id, 0, 0, "standin-ultrasound"), Annotations.Origin.MODEL,
                "standin-ultrasound", "", "cpu", s, new AtomicReference<>(ZoneStore.Snapshot.EMPTY));
        return new ModelFeed(w, w.addStream(a), r.counters);
    }

    @Test
    void noFreeRowIsBusy() throws Exception {
        InferenceSettings s = new InferenceSettings().maxBatch(2).conclude();
        ModelWorker w = worker(s);
        try {
            Recorder r = new Recorder();
            ModelFeed a = feed(w, r, "a", s);
            ModelFeed b = feed(w, r, "b", s);
            ModelFeed c = feed(w, r, "c", s);
            FrameSlot slot = frame(0);
            assertThat(Phantom.offerNow(a, slot, 1)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            assertThat(Phantom.offerNow(b, slot, 2)).isEqualTo(InferenceFeed.Offer.ACCEPTED);
            assertThat(Phantom.offerNow(c, slot, 3)).isEqualTo(InferenceFeed.Offer.BUSY);
            Batch filling = w.filling();
            assertThat(Batch.count(filling.word())).isEqualTo(2);
            assertThat(Batch.phase(filling.rowState(0))).isEqualTo(Batch.READY);
            assertThat(Batch.phase(filling.rowState(1))).isEqualTo(Batch.READY);
        } finally {
            w.backend().close();
        }
    }

    @Test
    void aNewerFrameTakesBackItsStreamsRowAndATornReadIsDiscarded() throws Exception {
        InferenceSettings s = new InferenceSettings().maxBatch(4).conclude();
        ModelWorker w = worker(s);
        try {
            Recorder r = new Recorder();
            ModelFeed a = feed(w, r, "a", s);
            FrameSlot s1 = frame(0);
            FrameSlot s2 = frame(1);
            Phantom.offerNow(a, s1, 1);
            Phantom.offerNow(a, s2, 2);
            Batch filling = w.filling();
            assertThat(Batch.count(filling.word())).isEqualTo(1);
            assertThat(filling.frameId[0]).isEqualTo(2);
            assertThat(r.counters.get(Counter.INFERENCE_SKIPPED_STALE)).isEqualTo(1);

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
        } finally {
            w.backend().close();
        }
    }
}
