package org.intravis.ui;

import io.netty.buffer.UnpooledByteBufAllocator;
import org.intravis.inference.InferenceStatus;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.StepHysteresis;
import org.intravis.pipeline.StreamCounters;
import org.intravis.streamer.StreamPublisher;
import org.intravis.streamer.StreamerSettings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The encoder governor's verdicts, window by window, on real stream counters and publishers: what it reads from the
 * counters, when the picture gives frames up (the video behind; the AI behind for want of this CPU, or under its
 * floor) and when it takes them back. The live behaviour under four streams is {@code LoadGovernorTest}'s and
 * BENCHMARKS.md's.
 */
class EncoderGovernorTest {
    private static final long SECOND = 1_000_000_000L;

    /** One stream's counters and publisher, advanced a window at a time. */
    static final class Stream {
        final StreamCounters counters = new StreamCounters();
        final StreamPublisher publisher = new StreamPublisher("s", new StreamerSettings().conclude(),
                UnpooledByteBufAllocator.DEFAULT);
        final boolean model;

        Stream(boolean model) {
            this.model = model;
        }

        /** A window's frames captured, shown, shown with a stale or no overlay, skipped by the video, overlays made. */
        void add(long in, long out, long stale, long skipped, long overlays) {
            counters.add(Counter.FRAMES_IN, in);
            counters.add(Counter.VIDEO_OUT, out);
            counters.add(Counter.OVERLAY_STALE, stale);
            counters.add(Counter.VIDEO_SKIPPED, skipped);
            counters.add(Counter.INFERENCE_DONE, overlays);
        }

        EncoderGovernor.Watched watched(int i) {
            return new EncoderGovernor.Watched("s" + i, counters, publisher, model);
        }
    }

    private final AtomicReference<InferenceStatus> status = new AtomicReference<>();
    private long now = SECOND;

    private EncoderGovernor governor(int maxStep, double floorHz, Stream... streams) {
        List<EncoderGovernor.Watched> watched = new ArrayList<>();
        for (int i = 0; i < streams.length; i++) {
            watched.add(streams[i].watched(i));
        }
        EncoderGovernor g = new EncoderGovernor(watched, status::get, maxStep, floorHz, null);
        g.tick(now); // the first window only reads the counters
        return g;
    }

    /** {@code n} windows of a second, each adding {@code perWindow} to the streams' counters first. */
    private int windows(EncoderGovernor g, int n, Runnable perWindow) {
        for (int i = 0; i < n; i++) {
            perWindow.run();
            now += SECOND;
            g.tick(now);
        }
        return g.step();
    }

    /** A model in this process on the CPU: {@code variant} of {@code variants} running, busy that share of the window. */
    private static InferenceStatus model(String variant, List<String> variants, double busy, String state, String link) {
        InferenceStatus.Load load = new InferenceStatus.Load(variant, variants, 0, 0, 1, busy, 1, 0);
        InferenceStatus.ModelStatus m = new InferenceStatus.ModelStatus("ultrasound", "1.2.4", state, "", "bundled",
                "cpu", 4, false, 0, 0, 0, 0, 0, 0, Map.of(), Map.of(), "", Map.of(), load, link);
        return new InferenceStatus("cpu", "cpu", "", List.of(m), List.of(), 0);
    }

    private static InferenceStatus cheapestAndBusy(double busy) {
        return model("single-pass", List.of("full", "single-pass"), busy, "loaded", "");
    }

    @Test
    void theSharesAndTheOverlayRateAreTheLastWindowsOnly() {
        Stream a = new Stream(true);
        Stream b = new Stream(true);
        Stream plain = new Stream(false);
        a.add(100, 100, 100, 50, 0); // before the governor: not in any window
        EncoderGovernor g = governor(2, 10, a, b, plain);
        assertThat(g.overlayHz()).as("nothing judged yet").isNaN();
        a.add(60, 60, 30, 0, 20);
        b.add(60, 60, 6, 0, 40);
        plain.add(60, 48, 0, 12, 0);
        now += 2 * SECOND; // a window of two seconds
        g.tick(now);
        assertThat(g.staleShare()).as("stale of the frames shown by the model streams").isCloseTo(36 / 120.0, within(1e-9));
        assertThat(g.skippedShare()).as("skipped of all frames captured").isCloseTo(12 / 180.0, within(1e-9));
        assertThat(g.overlayHz()).as("overlays a second per model stream").isCloseTo(60 / 2.0 / 2, within(1e-9));
        assertThat(g.step()).isZero();
        now += SECOND;
        g.tick(now); // nothing flowed: nothing judged, the last figures stay
        assertThat(g.staleShare()).isCloseTo(0.3, within(1e-9));
    }

    @Test
    void withoutAModelStreamThereIsNoOverlayRate() {
        Stream plain = new Stream(false);
        EncoderGovernor g = governor(2, 10, plain);
        windows(g, 1, () -> plain.add(30, 30, 0, 0, 0));
        assertThat(g.overlayHz()).isNaN();
        assertThat(g.staleShare()).isZero();
    }

    @Test
    void aVideoBehindStepsEveryStreamDownToTheLimitAndBackUpWhenTheCpuKeepsUp() {
        Stream model = new Stream(true);
        Stream plain = new Stream(false);
        EncoderGovernor g = governor(2, 10, model, plain);
        Runnable behind = () -> {
            model.add(30, 30, 0, 0, 30);
            plain.add(30, 23, 0, 7, 0); // 7 of 60 captured: over a tenth
        };
        assertThat(windows(g, StepHysteresis.DOWN_WINDOWS - 1, behind)).isZero();
        assertThat(windows(g, 1, behind)).isEqualTo(1);
        assertThat(model.publisher.encoderStep()).isEqualTo(1);
        assertThat(plain.publisher.encoderStep()).as("every stream steps, not only the one behind").isEqualTo(1);
        assertThat(windows(g, 10, behind)).as("no further than the limit").isEqualTo(2);
        assertThat(g.stepDowns()).isEqualTo(2);

        Runnable clear = () -> {
            model.add(30, 30, 0, 0, 30);
            plain.add(30, 30, 0, 0, 0);
        };
        assertThat(windows(g, StepHysteresis.BASE_UP_WINDOWS - 1, clear)).isEqualTo(2);
        assertThat(windows(g, 1, clear)).isEqualTo(1);
        assertThat(plain.publisher.encoderStep()).isEqualTo(1);
        assertThat(g.stepUps()).isEqualTo(1);
    }

    @Test
    void aTenthSkippedIsNotBehindAndSkippingAFiftiethKeepsTheStep() {
        Stream plain = new Stream(false);
        EncoderGovernor g = governor(2, 10, plain);
        assertThat(windows(g, 6, () -> plain.add(50, 45, 0, 5, 0))).as("exactly a tenth").isZero();
        windows(g, StepHysteresis.DOWN_WINDOWS, () -> plain.add(50, 44, 0, 6, 0));
        assertThat(g.step()).isEqualTo(1);
        assertThat(windows(g, 20, () -> plain.add(50, 49, 0, 1, 0))).as("a fiftieth: not clear to step up").isEqualTo(1);
        assertThat(windows(g, StepHysteresis.BASE_UP_WINDOWS, () -> plain.add(51, 51, 0, 1, 0)))
                .as("under a fiftieth").isZero();
    }

    @Test
    void staleOverlaysStepTheEncodersDownOnlyWhenThisCpuHoldsTheAiBack() {
        Stream s = new Stream(true);
        Runnable stale = () -> s.add(30, 30, 9, 0, 21); // 0.3 of the frames shown stale; 21 overlays, over the floor
        record Case(String what, InferenceStatus status, int step) {
        }
        List<Case> cases = List.of(
                new Case("no inference service", null, 0),
                new Case("the model has its cheaper graph still to step to",
                        model("full", List.of("full", "single-pass"), 0.95, "loaded", ""), 0),
                new Case("cheapest graph, busy under 0.7", cheapestAndBusy(0.69), 0),
                new Case("cheapest graph, busy 0.7", cheapestAndBusy(0.7), 1),
                new Case("one graph only, busy", model("full", List.of("full"), 0.95, "loaded", ""), 1),
                new Case("on an inference server", model("single-pass", List.of("full", "single-pass"), 0.95,
                        "loaded", "triton at 10.0.0.2:8001 reachable"), 0),
                new Case("failed to load", model("single-pass", List.of("full", "single-pass"), 0.95, "failed", ""), 0));
        for (Case c : cases) {
            status.set(c.status());
            EncoderGovernor g = governor(2, 10, s);
            assertThat(windows(g, StepHysteresis.DOWN_WINDOWS, stale)).as(c.what()).isEqualTo(c.step());
        }
        status.set(cheapestAndBusy(0.95));
        EncoderGovernor g = governor(2, 10, s);
        assertThat(windows(g, 4, () -> s.add(40, 40, 10, 0, 21))).as("exactly a quarter stale").isZero();
    }

    @Test
    void overlaysUnderTheirFloorStepDownAndMustClearItByHalfAgainToStepUp() {
        Stream s = new Stream(true);
        status.set(cheapestAndBusy(0.9));
        EncoderGovernor g = governor(2, 10, s);
        assertThat(windows(g, StepHysteresis.DOWN_WINDOWS, () -> s.add(30, 30, 0, 0, 9))).as("9 a second").isEqualTo(1);
        assertThat(windows(g, 20, () -> s.add(30, 30, 0, 0, 14))).as("over the floor, under 1.5 times it").isEqualTo(1);
        assertThat(windows(g, StepHysteresis.BASE_UP_WINDOWS, () -> s.add(30, 30, 0, 0, 15))).isZero();

        // exactly at the floor is not under it
        EncoderGovernor at = governor(2, 10, s);
        assertThat(windows(at, 4, () -> s.add(30, 30, 0, 0, 10))).isZero();

        // two streams of 12 frames a second have a floor of 6 each, half their frames (windows of two seconds here)
        Stream t = new Stream(true);
        EncoderGovernor slow = governor(2, 10, s, t);
        Runnable atSix = () -> {
            s.add(24, 24, 0, 0, 12);
            t.add(24, 24, 0, 0, 12);
            now += SECOND;
        };
        assertThat(windows(slow, 4, atSix)).isZero();
        assertThat(slow.overlayHz()).isEqualTo(6);
        Runnable atFive = () -> {
            s.add(24, 24, 0, 0, 10);
            t.add(24, 24, 0, 0, 10);
            now += SECOND;
        };
        assertThat(windows(slow, StepHysteresis.DOWN_WINDOWS, atFive)).isEqualTo(1);
        // no floor: the overlays' rate alone never steps
        EncoderGovernor none = governor(2, 0, s);
        assertThat(windows(none, 4, () -> s.add(30, 30, 0, 0, 1))).isZero();
    }

    @Test
    void aTenthStaleKeepsTheStep() {
        Stream s = new Stream(true);
        status.set(cheapestAndBusy(0.9));
        EncoderGovernor g = governor(2, 10, s);
        windows(g, StepHysteresis.DOWN_WINDOWS, () -> s.add(30, 30, 0, 0, 5));
        assertThat(g.step()).isEqualTo(1);
        assertThat(windows(g, 20, () -> s.add(30, 30, 3, 0, 30))).as("a tenth stale").isEqualTo(1);
        assertThat(windows(g, StepHysteresis.BASE_UP_WINDOWS, () -> s.add(30, 30, 2, 0, 30))).isZero();
    }

    @Test
    void aLimitOfNoStepNeverStepsAndThePacerIsJudgedInTheSameWindows() {
        Stream s = new Stream(true);
        AiPacer pacer = new AiPacer(null, () -> 0.42); // a CPU under its marks: the pacer never steps
        status.set(cheapestAndBusy(0.9));
        EncoderGovernor g = governor(0, 10, s);
        assertThat(windows(g, 10, () -> s.add(30, 20, 10, 10, 1))).isZero();
        assertThat(s.publisher.encoderStep()).isZero();
        assertThat(g.pacer()).isEmpty();

        EncoderGovernor paced = new EncoderGovernor(List.of(s.watched(0)), status::get, 0, 10, pacer);
        paced.tick(now);
        assertThat(pacer.cpuLoad()).as("the first window judges nothing").isNaN();
        windows(paced, 1, () -> s.add(30, 30, 0, 0, 30));
        assertThat(pacer.cpuLoad()).isEqualTo(0.42);
        assertThat(paced.pacer()).containsSame(pacer);
    }

    @Test
    void theFloorIsAtMostHalfAStreamsFramesAndTheStepLimitIsChecked() {
        EncoderGovernor g = governor(2, 10, new Stream(true));
        assertThat(g.overlayFloorHz(30)).isEqualTo(10);
        assertThat(g.overlayFloorHz(12)).isEqualTo(6);
        assertThat(g.floorHz()).isEqualTo(10);
        assertThat(g.maxStep()).isEqualTo(2);
        assertThatThrownBy(() -> governor(-1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> governor(StreamPublisher.maxEncoderStep() + 1, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.." + StreamPublisher.maxEncoderStep());
        assertThat(governor(StreamPublisher.maxEncoderStep(), 10).maxStep()).isEqualTo(StreamPublisher.maxEncoderStep());
        assertThat(EncoderGovernor.describe(0)).isEqualTo("every frame");
        assertThat(EncoderGovernor.describe(StreamPublisher.maxEncoderStep())).isEqualTo("1 of 2 frames");
    }
}
