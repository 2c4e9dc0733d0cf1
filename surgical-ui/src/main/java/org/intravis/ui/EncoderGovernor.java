package org.intravis.ui;

import org.intravis.inference.InferenceStatus;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.StepHysteresis;
import org.intravis.pipeline.StreamCounters;
import org.intravis.streamer.StreamPublisher;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Steps the streams' encoders down to a lower frame rate when the CPU is saturated, and back up with hysteresis;
 * once a second on its own thread ({@code encoder-governor}), never on the video threads (they read one volatile int).
 * <p>
 * Saturated means, over the last second, across the streams that run a model:
 * <ul>
 *   <li>the AI is behind the picture for want of CPU: more than {@value #DOWN_STALE} of the frames shown carried a
 *       stale or no overlay ({@code overlay_stale} / {@code video_out}), or the streams got fewer overlays than
 *       their floor ({@code streaming.overlayFloorHz}, 10 a second each by default, at most half a stream's frames:
 *       {@link #overlayFloorHz}), while a model runs in this process, busy at least {@value #DOWN_MODEL_BUSY} of
 *       the time, and every model already runs its cheapest graph (the model steps down first: that costs the
 *       picture nothing). A model that fails, or runs on an inference server, is not helped by fewer frames: its
 *       stale overlays never cost the picture a frame; or</li>
 *   <li>the video is behind: more than {@value #DOWN_VIDEO_SKIPPED} of the frames captured were skipped by the video
 *       branch ({@code video_skipped} / {@code frames_in}).</li>
 * </ul>
 * Then every stream's encoders step down (fewer frames encoded, the same frames for every variant:
 * {@link StreamPublisher#encoderStep}), up to {@code maxStep}; they step up again when under {@value #UP_STALE} are
 * stale, under {@value #UP_VIDEO_SKIPPED} skipped and the overlays clear their floor by {@value #UP_FLOOR_MARGIN}
 * times, with the hysteresis of {@link StepHysteresis}. Every step is counted and logged.
 * <p>
 * Why a floor: under four streams on two cores the encoders took the CPU and the model published 20 overlays a
 * second for all four, five per stream, none of them stale by the clock: an overlay that moves five times a second
 * lags a needle by up to 200 ms while the picture shows it moving. Below the floor the picture gives frames up to
 * the AI, as far as {@code maxStep} allows.
 */
final class EncoderGovernor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EncoderGovernor.class.getName());
    static final double DOWN_STALE = 0.25;
    static final double DOWN_MODEL_BUSY = 0.7;
    static final double DOWN_VIDEO_SKIPPED = 0.10;
    static final double UP_STALE = 0.10;
    static final double UP_VIDEO_SKIPPED = 0.02;
    /** Stepping up needs the overlays this far above their floor (stepping up takes CPU from the AI). */
    static final double UP_FLOOR_MARGIN = 1.5;

    /** A stream the governor watches: its counters, its publisher, and whether it runs a model. */
    record Watched(String id, StreamCounters counters, StreamPublisher publisher, boolean model) {
    }

    private final List<Watched> streams;
    /** The inference service's status now (it gives null when there is no inference service). */
    private final Supplier<InferenceStatus> inference;
    /** Paces the AI on a saturated CPU, judged in the same windows (null: off). */
    private final AiPacer pacer;
    private final StepHysteresis steps;
    private final double floorHz;
    private final long[][] previous;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "encoder-governor");
        t.setDaemon(true);
        return t;
    });

    private volatile double staleShare;
    private volatile double skippedShare;
    private volatile double overlayHz = Double.NaN;
    private long previousTick;

    /**
     * @param inference the inference service's status ({@code InferenceService::status}; giving null without one)
     * @param maxStep the lowest rate step allowed (0: never step down; at most {@link StreamPublisher#maxEncoderStep()})
     * @param floorHz overlays a second per model stream below which the AI counts as behind (0: no floor)
     * @param pacer   the AI's pacing on a saturated CPU, judged in the same windows (null: none)
     */
    EncoderGovernor(List<Watched> streams, Supplier<InferenceStatus> inference, int maxStep, double floorHz,
                    AiPacer pacer) {
        if (maxStep < 0 || maxStep > StreamPublisher.maxEncoderStep()) {
            throw new IllegalArgumentException("encoder step-down must be 0.." + StreamPublisher.maxEncoderStep()
                    + ", was " + maxStep);
        }
        this.streams = List.copyOf(streams);
        this.inference = Objects.requireNonNull(inference, "inference status");
        this.steps = new StepHysteresis(maxStep);
        this.floorHz = floorHz;
        this.pacer = pacer;
        this.previous = new long[this.streams.size()][];
    }

    EncoderGovernor start() {
        if ((steps.maxStep() > 0 || pacer != null) && !streams.isEmpty()) {
            timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }
        return this;
    }

    /** One window: reads the counters since the last, decides, applies. */
    void tick() {
        tick(System.nanoTime());
    }

    /** {@link #tick()} at {@code nowNanos} ({@link System#nanoTime()}'s scale, never 0). */
    synchronized void tick(long nowNanos) {
        long videoOut = 0;
        long stale = 0;
        long framesIn = 0;
        long skipped = 0;
        long modelFramesIn = 0;
        long overlays = 0;
        int modelStreams = 0;
        for (int i = 0; i < streams.size(); i++) {
            Watched w = streams.get(i);
            long[] now = {w.counters().get(Counter.VIDEO_OUT), w.counters().get(Counter.OVERLAY_STALE),
                    w.counters().get(Counter.FRAMES_IN), w.counters().get(Counter.VIDEO_SKIPPED),
                    w.counters().get(Counter.INFERENCE_DONE)};
            long[] before = previous[i];
            previous[i] = now;
            if (before == null) {
                continue;
            }
            framesIn += now[2] - before[2];
            skipped += now[3] - before[3];
            if (w.model()) {
                videoOut += now[0] - before[0];
                stale += now[1] - before[1];
                modelFramesIn += now[2] - before[2];
                overlays += now[4] - before[4];
                modelStreams++;
            }
        }
        double seconds = previousTick == 0 ? 0 : (nowNanos - previousTick) / 1e9;
        previousTick = nowNanos;
        if (framesIn == 0 || seconds <= 0) {
            return; // nothing flowed (or the first window): nothing to judge
        }
        double staleNow = videoOut == 0 ? 0 : (double) stale / videoOut;
        double skippedNow = (double) skipped / framesIn;
        staleShare = staleNow;
        skippedShare = skippedNow;
        double floor = Double.NaN;
        double hz = Double.NaN;
        if (modelStreams > 0) {
            hz = overlays / seconds / modelStreams;
            floor = overlayFloorHz(modelFramesIn / seconds / modelStreams);
        }
        overlayHz = hz;
        boolean belowFloor = modelStreams > 0 && hz < floor; // (a floor of 0 is never missed)
        boolean aiBehind = (staleNow > DOWN_STALE || belowFloor) && aiHeldBackByTheCpu(inference.get());
        boolean videoBehind = skippedNow > DOWN_VIDEO_SKIPPED;
        boolean clearOfFloor = modelStreams == 0 || hz >= floor * UP_FLOOR_MARGIN;
        int before = steps.step();
        int next = steps.window(aiBehind || videoBehind,
                staleNow < UP_STALE && skippedNow < UP_VIDEO_SKIPPED && clearOfFloor);
        if (next != before) {
            LOG.info("encoders step " + (next > before ? "down" : "up") + " to rate step " + next + " ("
                    + describe(next) + "): " + (next < before ? "the CPU keeps up"
                    : aiBehind ? (staleNow > DOWN_STALE ? "the AI is behind the picture"
                    : "the AI is under its overlay floor") : "the video is behind") + " (stale overlays "
                    + Math.round(staleNow * 100) + " % of frames shown, video skipped " + Math.round(skippedNow * 100)
                    + " % of frames captured, overlays " + (Double.isNaN(hz) ? "-" : String.format(java.util.Locale.ROOT,
                    "%.1f", hz)) + " a second per stream, last second)");
            for (Watched w : streams) {
                w.publisher().encoderStep(next);
            }
        }
        if (pacer != null) {
            pacer.window(hz, floor);
        }
    }

    /**
     * Whether stale overlays are the CPU's doing: a model loaded in this process is busy most of the window, and
     * every such model already runs its cheapest graph (the model steps first). Not a model that fails (its runs
     * take no time) nor one on an inference server (this CPU does not run it).
     */
    private static boolean aiHeldBackByTheCpu(InferenceStatus status) {
        if (status == null) {
            return false; // no inference service
        }
        boolean busyHere = false;
        for (InferenceStatus.ModelStatus m : status.models()) {
            InferenceStatus.Load l = m.load();
            if (l == null || !m.link().isEmpty() || !"loaded".equals(m.state())) {
                continue;
            }
            if (l.variants().size() > 1 && l.variant().equals(l.variants().get(0))) {
                return false;
            }
            busyHere |= l.busy() >= DOWN_MODEL_BUSY;
        }
        return busyHere;
    }

    /** The overlays a second a stream of {@code framesHz} should get: the floor, at most half its frames. */
    double overlayFloorHz(double framesHz) {
        return Math.min(floorHz, framesHz / 2);
    }

    /** What a step encodes, in words. */
    static String describe(int step) {
        return switch (step) {
            case 0 -> "every frame";
            case 1 -> "3 of 4 frames";
            case 2 -> "2 of 3 frames";
            default -> "1 of 2 frames";
        };
    }

    int step() { return steps.step(); }
    int maxStep() { return steps.maxStep(); }
    long stepDowns() { return steps.stepDowns(); }
    long stepUps() { return steps.stepUps(); }
    double staleShare() { return staleShare; }
    double skippedShare() { return skippedShare; }
    /** Overlays published a second per stream that runs a model, last window (NaN: none runs one). */
    double overlayHz() { return overlayHz; }
    double floorHz() { return floorHz; }
    /** The AI's pacing on a saturated CPU (empty: off). */
    java.util.Optional<AiPacer> pacer() { return java.util.Optional.ofNullable(pacer); }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
