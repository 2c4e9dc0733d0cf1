package org.intravis.ui;

import org.intravis.inference.InferenceService;
import org.intravis.inference.InferenceStatus;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.StreamCounters;
import org.intravis.streamer.StreamPublisher;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Steps the streams' encoders down to a lower frame rate when the CPU is saturated, and back up with hysteresis;
 * once a second on its own thread ({@code encoder-governor}), never on the video threads (they read one volatile int).
 * <p>
 * Saturated means, over the last second, across the streams that run a model:
 * <ul>
 *   <li>the AI is behind the picture: more than {@value #DOWN_STALE} of the frames shown carried a stale or no
 *       overlay ({@code overlay_stale} / {@code video_out}), while every model already runs its cheapest graph (the
 *       model steps down first: that costs the picture nothing); or</li>
 *   <li>the video is behind: more than {@value #DOWN_VIDEO_SKIPPED} of the frames captured were skipped by the video
 *       branch ({@code video_skipped} / {@code frames_in}).</li>
 * </ul>
 * Two such seconds in a row step every stream's encoders one step down (fewer frames encoded, the same frames for
 * every variant: {@link StreamPublisher#encoderStep}), up to {@code maxStep}. Up one step after {@code upWindows}
 * seconds in a row with under {@value #UP_STALE} stale and under {@value #UP_VIDEO_SKIPPED} skipped; a step up that
 * has to come down again within {@value #RELAPSE_WINDOWS} seconds doubles {@code upWindows} (up to
 * {@value #MAX_UP_WINDOWS}). Every step is counted and logged.
 */
final class EncoderGovernor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EncoderGovernor.class.getName());
    static final double DOWN_STALE = 0.25;
    static final double DOWN_VIDEO_SKIPPED = 0.10;
    static final double UP_STALE = 0.10;
    static final double UP_VIDEO_SKIPPED = 0.02;
    static final int DOWN_WINDOWS = 2;
    static final int BASE_UP_WINDOWS = 5;
    static final int MAX_UP_WINDOWS = 64;
    static final int RELAPSE_WINDOWS = 10;

    /** A stream the governor watches: its counters, its publisher, and whether it runs a model. */
    record Watched(String id, StreamCounters counters, StreamPublisher publisher, boolean model) {
    }

    private final List<Watched> streams;
    private final InferenceService inference;
    private final int maxStep;
    private final long[][] previous;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "encoder-governor");
        t.setDaemon(true);
        return t;
    });

    private volatile int step;
    private int downStreak;
    private int upStreak;
    private int upWindows = BASE_UP_WINDOWS;
    private long windowsSinceUp = Long.MAX_VALUE;
    private volatile long stepDowns;
    private volatile long stepUps;
    private volatile double staleShare;
    private volatile double skippedShare;

    /** @param maxStep the lowest rate step allowed (0: never step down; at most {@link StreamPublisher#maxEncoderStep()}) */
    EncoderGovernor(List<Watched> streams, InferenceService inference, int maxStep) {
        if (maxStep < 0 || maxStep > StreamPublisher.maxEncoderStep()) {
            throw new IllegalArgumentException("encoder step-down must be 0.." + StreamPublisher.maxEncoderStep()
                    + ", was " + maxStep);
        }
        this.streams = List.copyOf(streams);
        this.inference = inference;
        this.maxStep = maxStep;
        this.previous = new long[this.streams.size()][];
    }

    EncoderGovernor start() {
        if (maxStep > 0 && !streams.isEmpty()) {
            timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }
        return this;
    }

    /** One window: reads the counters since the last, decides, applies. */
    synchronized void tick() {
        long videoOut = 0;
        long stale = 0;
        long framesIn = 0;
        long skipped = 0;
        for (int i = 0; i < streams.size(); i++) {
            Watched w = streams.get(i);
            long[] now = {w.counters().get(Counter.VIDEO_OUT), w.counters().get(Counter.OVERLAY_STALE),
                    w.counters().get(Counter.FRAMES_IN), w.counters().get(Counter.VIDEO_SKIPPED)};
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
            }
        }
        if (framesIn == 0) {
            return; // nothing flowed: nothing to judge
        }
        double staleNow = videoOut == 0 ? 0 : (double) stale / videoOut;
        double skippedNow = (double) skipped / framesIn;
        staleShare = staleNow;
        skippedShare = skippedNow;
        if (windowsSinceUp != Long.MAX_VALUE) {
            windowsSinceUp++;
        }
        boolean aiBehind = staleNow > DOWN_STALE && modelsAtTheirCheapest();
        boolean videoBehind = skippedNow > DOWN_VIDEO_SKIPPED;
        if ((aiBehind || videoBehind) && step < maxStep) {
            upStreak = 0;
            if (++downStreak >= DOWN_WINDOWS) {
                if (windowsSinceUp <= RELAPSE_WINDOWS) {
                    upWindows = Math.min(MAX_UP_WINDOWS, upWindows * 2);
                }
                downStreak = 0;
                stepDowns++;
                apply(step + 1, aiBehind ? "the AI is behind the picture" : "the video is behind", staleNow, skippedNow);
            }
            return;
        }
        downStreak = 0;
        if (step > 0 && staleNow < UP_STALE && skippedNow < UP_VIDEO_SKIPPED) {
            if (++upStreak >= upWindows) {
                upStreak = 0;
                stepUps++;
                windowsSinceUp = 0;
                apply(step - 1, "the CPU keeps up", staleNow, skippedNow);
            }
        } else {
            upStreak = 0;
        }
    }

    /** Whether every loaded model already runs its cheapest graph (or has no other): the model steps first. */
    private boolean modelsAtTheirCheapest() {
        if (inference == null) {
            return true;
        }
        for (InferenceStatus.ModelStatus m : inference.status().models()) {
            InferenceStatus.Load l = m.load();
            if (l != null && l.variants().size() > 1 && l.variant().equals(l.variants().get(0))) {
                return false;
            }
        }
        return true;
    }

    private void apply(int next, String why, double stale, double skipped) {
        LOG.info("encoders step " + (next > step ? "down" : "up") + " to rate step " + next + " ("
                + describe(next) + "): " + why + " (stale overlays " + Math.round(stale * 100) + " % of frames shown, "
                + "video skipped " + Math.round(skipped * 100) + " % of frames captured, last second)");
        step = next;
        for (Watched w : streams) {
            w.publisher().encoderStep(next);
        }
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

    int step() { return step; }
    int maxStep() { return maxStep; }
    long stepDowns() { return stepDowns; }
    long stepUps() { return stepUps; }
    double staleShare() { return staleShare; }
    double skippedShare() { return skippedShare; }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
