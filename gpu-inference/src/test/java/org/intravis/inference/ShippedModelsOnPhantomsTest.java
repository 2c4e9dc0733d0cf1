package org.intravis.inference;

import org.intravis.capture.FrameSources;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.testing.TipComparison;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped models, live, on the synthetic sources through a real pipeline: the tracked tip the video branch
 * attaches is compared with the phantom's ground truth of the frame that was annotated. Seeds differ from the ones
 * the models were trained on (1-4). The bounds are loose on purpose (the phantoms are not the validation data;
 * the model cards hold the measured accuracy) but a model that does not find the instrument fails them.
 */
class ShippedModelsOnPhantomsTest {

    /**
     * Runs the model live on the phantom until {@code instrumentFrames} annotated frames that show the instrument were
     * compared (a count, not a time: a loaded machine annotates fewer frames a second and simply takes longer), failing
     * after a generous 3 minutes.
     */
    private static TipComparison run(String uri, String model, byte kind, int instrumentFrames) throws Exception {
        InferenceSettings s = new InferenceSettings().budgetMs(300).maxBatch(2).intraOpThreads(1).conclude();
        FrameSource source = FrameSources.create(uri);
        source.open();
        TipComparison c = new TipComparison(kind);
        try (InferenceService service = new InferenceService(s)) {
            StreamPipeline.Context ctx = new StreamPipeline.Context().streamId("s").source(source)
                    .videoSink(c::frame).conclude();
            try (StreamPipeline p = new StreamPipeline(ctx)) {
                p.context().inferenceFeed(service.register(new StreamRegistration("s", 0, p.annotations(), p.counters(),
                        p.latency(), source.pixelSpacingMm(), model)));
                p.start();
                await(instrumentFrames + " annotated frames with the instrument in them").atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(100)).until(() -> c.instrumentFrames() >= instrumentFrames);
                assertThat(p.counters().get(Counter.INFERENCE_FAILED)).isZero();
                Annotations a = new Annotations();
                p.annotations().readInto(a);
                assertThat(a.modelName()).isEqualTo(model);
                assertThat(a.modelVersion()).isEqualTo(ModelSource.locate(model, null).spec().version()).isNotBlank();
            }
        }
        System.out.println(model + " on " + uri + ": " + c);
        return c;
    }

    @Test
    void theUltrasoundModelFindsThePhantomsNeedleAndVessels() throws Exception {
        TipComparison c = run("synthetic:ultrasound?width=640&height=360&fps=30&seed=7", "ultrasound",
                Annotations.INSTRUMENT_NEEDLE, 100);
        assertThat(c.annotated()).isGreaterThan(20);
        assertThat(c.withVessel()).as("frames with a vessel zone; %s", c).isGreaterThan(c.annotated() / 2);
        assertThat(c.instrumentFrames()).as("%s", c).isGreaterThan(10);
        assertThat(c.detected()).as("%s", c).isGreaterThan(c.instrumentFrames() / 2);
        assertThat(c.medianError()).as("%s", c).isLessThan(15.0);
    }

    @Test
    void theFluoroscopyModelFindsThePhantomsWireTip() throws Exception {
        TipComparison c = run("synthetic:fluoroscopy?width=512&height=512&fps=30&seed=7", "fluoroscopy",
                Annotations.INSTRUMENT_WIRE, 100);
        assertThat(c.instrumentFrames()).as("%s", c).isGreaterThan(10);
        // the fluoroscopy model misses about half of the wires (see its model card): it must still find some, well
        assertThat(c.detected()).as("%s", c).isGreaterThan(c.instrumentFrames() / 5);
        assertThat(c.medianError()).as("%s", c).isLessThan(15.0);
    }
}
