package org.intravis.inference;

import org.intravis.capture.FrameSources;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.StreamPipeline;
import org.junit.jupiter.api.Test;

import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The capture module's synthetic phantoms through real pipelines: ground truth overlay, and both stand-in models. */
class SyntheticSourcesInferenceTest {

    /** Runs a stream until its newest annotations satisfy {@code done} (or 15 s pass); returns them. */
    private static Annotations runUntil(String uri, String model, Predicate<Annotations> done, GroundTruthCheck check)
            throws Exception {
        InferenceSettings s = new InferenceSettings().budgetMs(300).maxBatch(2).intraOpThreads(1).conclude();
        FrameSource source = FrameSources.create(uri);
        source.open();
        try (InferenceService service = new InferenceService(s)) {
            StreamPipeline.Context ctx = new StreamPipeline.Context().streamId("s").source(source)
                    .videoSink(slot -> check.frame(slot.groundTruth())).conclude();
            try (StreamPipeline p = new StreamPipeline(ctx)) {
                p.context().inferenceFeed(service.register(new StreamRegistration("s", 0, p.annotations(), p.counters(),
                        p.latency(), source.pixelSpacingMm(), model)));
                p.start();
                Annotations a = new Annotations();
                long end = System.nanoTime() + 15_000_000_000L;
                do {
                    Thread.sleep(50);
                    p.annotations().readInto(a);
                } while (!done.test(a) && System.nanoTime() < end);
                assertThat(p.counters().get(Counter.INFERENCE_FAILED)).isZero();
                return a;
            }
        }
    }

    /** Keeps the ground truth of the frames the video branch saw (tip positions), for comparison. */
    static final class GroundTruthCheck {
        volatile float tipX = Float.NaN;
        volatile float tipY = Float.NaN;

        void frame(org.intravis.pipeline.GroundTruth gt) {
            if (gt.present() && gt.instrumentVisible()) {
                tipX = gt.tipX();
                tipY = gt.tipY();
            }
        }
    }

    @Test
    void groundTruthOfTheSyntheticUltrasoundBecomesAnOverlay() throws Exception {
        GroundTruthCheck truth = new GroundTruthCheck();
        Annotations a = runUntil("synthetic:ultrasound?width=640&height=360&fps=30&seed=3", StreamRegistration.GROUND_TRUTH,
                x -> x.status() == Annotations.Status.VALID && x.tipCount() > 0 && x.tipState[0] == Annotations.TRACK_CONFIRMED,
                truth);
        assertThat(a.origin()).isEqualTo(Annotations.Origin.GROUND_TRUTH);
        assertThat(a.tipCount()).isEqualTo(1);
        assertThat(a.tipKind[0]).isEqualTo(Annotations.INSTRUMENT_NEEDLE);
        assertThat(a.tipX[0]).isCloseTo(truth.tipX, within(40f)); // the track lags the newest frame a little
        boolean vessel = false;
        boolean nerve = false;
        for (int z = 0; z < a.zoneCount(); z++) {
            vessel |= a.zoneClass[z] == Annotations.ZONE_VESSEL;
            nerve |= a.zoneClass[z] == Annotations.ZONE_NERVE;
        }
        assertThat(vessel).isTrue();
        assertThat(nerve).isTrue();
        assertThat(a.distanceCount()).isEqualTo(a.zoneCount());
    }

    /**
     * The tip rules on the phantoms' own instrument masks: the ground-truth tip from the rule (needle: end of the
     * fitted shaft farther from its border; wire: skeleton end farthest along it) lands on the phantom's tip.
     */
    @Test
    void theTipRulesFindThePhantomsTipsInTheirInstrumentMasks() throws Exception {
        for (String uri : new String[] {"synthetic:ultrasound?width=640&height=360&pace=fast&seed=5",
                "synthetic:fluoroscopy?width=512&height=512&pace=fast&seed=5"}) {
            FrameSource source = FrameSources.create(uri);
            source.open();
            try {
                org.intravis.pipeline.FrameSlot slot = new org.intravis.pipeline.FrameSlot(0, source.geometry(), true);
                int w = source.geometry().maxWidth();
                int h = source.geometry().maxHeight();
                NeedleLocator needle = new NeedleLocator(w, h);
                WireLocator wire = new WireLocator(w, h);
                InstrumentDetection d = new InstrumentDetection();
                int checked = 0;
                for (int f = 0; f < 360; f++) {
                    assertThat(source.readInto(slot)).isEqualTo(FrameSource.Read.FRAME);
                    org.intravis.pipeline.GroundTruth gt = slot.groundTruth();
                    if (f % 15 != 0 || !gt.instrumentVisible()
                            || Math.hypot(gt.tipX() - gt.entryX(), gt.tipY() - gt.entryY()) < 30) {
                        continue; // absent, or only just entering: too short to have a shaft
                    }
                    byte[] mask = new byte[w * h];
                    for (int i = 0; i < w * h; i++) {
                        mask[i] = gt.labels()[i] == org.intravis.pipeline.GroundTruth.LABEL_INSTRUMENT ? (byte) 1 : 0;
                    }
                    boolean found = gt.instrumentKind() == Annotations.INSTRUMENT_NEEDLE
                            ? needle.locateInMask(mask, d) : wire.locateInMask(mask, d);
                    assertThat(found).as("%s frame %d", uri, f).isTrue();
                    assertThat(Math.hypot(d.tipX - gt.tipX(), d.tipY - gt.tipY())).as("%s frame %d: %s vs (%s,%s)", uri, f,
                            d, gt.tipX(), gt.tipY()).isLessThan(5.0);
                    checked++;
                }
                assertThat(checked).as(uri).isGreaterThanOrEqualTo(3);
            } finally {
                source.close();
            }
        }
    }

    @Test
    void theUltrasoundStandInRunsOnTheSyntheticUltrasound() throws Exception {
        Annotations a = runUntil("synthetic:ultrasound?width=640&height=360&fps=30&seed=3", "standin-ultrasound",
                x -> x.status() == Annotations.Status.VALID && x.frameId() > 20, new GroundTruthCheck());
        assertThat(a.origin()).isEqualTo(Annotations.Origin.MODEL);
        assertThat(a.modelName()).isEqualTo("standin-ultrasound");
        assertThat(a.frameWidth()).isEqualTo(640);
    }

    @Test
    void theFluoroscopyStandInFindsAWireTip() throws Exception {
        GroundTruthCheck truth = new GroundTruthCheck();
        Annotations a = runUntil("synthetic:fluoroscopy?width=512&height=512&fps=30&seed=2", "standin-fluoroscopy",
                x -> x.status() == Annotations.Status.VALID && x.tipCount() > 0 && x.frameId() > 20, truth);
        assertThat(a.modelName()).isEqualTo("standin-fluoroscopy");
        assertThat(a.tipKind[0]).isEqualTo(Annotations.INSTRUMENT_WIRE);
        assertThat(a.lineCount()).isGreaterThanOrEqualTo(0);
        System.out.printf("fluoroscopy stand-in: tip (%.1f, %.1f), ground truth (%.1f, %.1f)%n", a.tipX[0], a.tipY[0],
                truth.tipX, truth.tipY);
    }
}
