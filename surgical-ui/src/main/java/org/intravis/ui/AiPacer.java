package org.intravis.ui;

import org.intravis.inference.AiPace;
import org.intravis.inference.InferenceService;
import org.intravis.inference.InferenceStatus;
import org.intravis.pipeline.StepHysteresis;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.DoubleSupplier;
import java.util.logging.Logger;

/**
 * Lets the picture keep its CPU when the machine is saturated: the models that run on this CPU take a smaller share
 * of each stream's frames ({@link AiPace}: two of three, one of two, one of three), and take every frame again when
 * the CPU has room, with the hysteresis of {@link StepHysteresis}. Judged once a second by the encoder governor's
 * thread ({@link EncoderGovernor} calls {@link #window}); the feeds read one volatile int.
 * <p>
 * Saturated: the machine's CPU at least {@value #SATURATED} busy over the last second with work at normal priority
 * (niced batch jobs count as room), a model in this process on the
 * CPU busy at least {@value #MIN_MODEL_BUSY} of the time (pacing an idle model frees nothing), and the next step
 * still leaves each model stream its overlay floor ({@code streaming.overlayFloorHz}). Room: the CPU under
 * {@value #RELAXED}. Why: on two cores, one 720p30 stream, its H.264 encoder, the model at every frame and a browser
 * decoding the picture on the same machine need more than the two cores; the model took about 0.7 of a core and the
 * picture's H.264 glass-to-glass p99 went from about 53 ms without the model to 150-180 ms with it (BENCHMARKS.md). The
 * encoders step down only for an AI below its floor (the picture gives frames up to the AI there); above the floor
 * the AI gives frames up to the picture.
 */
final class AiPacer {
    private static final Logger LOG = Logger.getLogger(AiPacer.class.getName());
    static final double SATURATED = 0.95;
    static final double RELAXED = 0.85;
    static final double MIN_MODEL_BUSY = 0.5;

    private final InferenceService inference;
    private final DoubleSupplier cpuLoad;
    private final StepHysteresis steps = new StepHysteresis(AiPace.maxStep());
    private volatile double lastCpuLoad = Double.NaN;

    /** @param cpuLoad the machine's CPU load over the recent past, 0..1 (negative or NaN: unknown, never paces) */
    AiPacer(InferenceService inference, DoubleSupplier cpuLoad) {
        this.inference = inference;
        this.cpuLoad = cpuLoad;
    }

    /**
     * A pacer reading this machine's CPU load: on Linux from {@code /proc/stat} without the time of niced processes
     * (a batch job at low priority leaves the picture its CPU and must not pace the AI), elsewhere from the JDK's
     * {@code com.sun.management} bean.
     */
    static AiPacer ofThisMachine(InferenceService inference) {
        if (Files.isReadable(PROC_STAT)) {
            return new AiPacer(inference, new ProcStatLoad());
        }
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        DoubleSupplier load = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun::getCpuLoad : () -> -1;
        return new AiPacer(inference, load);
    }

    private static final Path PROC_STAT = Path.of("/proc/stat");

    /**
     * The share of the CPU busy with work at normal priority since the last reading: user, system, interrupts and
     * steal, over all time ({@code /proc/stat}'s first line); idle, I/O wait and niced time count as room. -1 when
     * unreadable or before the second reading.
     */
    static final class ProcStatLoad implements DoubleSupplier {
        private long lastBusy = -1;
        private long lastTotal = -1;

        @Override
        public double getAsDouble() {
            try {
                return share(Files.readAllLines(PROC_STAT).get(0));
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** Folds in one reading of the {@code cpu} line; the share busy since the previous one. */
        double share(String cpuLine) {
            String[] f = cpuLine.trim().split("\\s+");
            long user = Long.parseLong(f[1]);
            long nice = Long.parseLong(f[2]);
            long system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]);
            long iowait = f.length > 5 ? Long.parseLong(f[5]) : 0;
            long irq = f.length > 6 ? Long.parseLong(f[6]) : 0;
            long softirq = f.length > 7 ? Long.parseLong(f[7]) : 0;
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            long busy = user + system + irq + softirq + steal;
            long total = busy + nice + idle + iowait;
            double s = lastTotal < 0 || total <= lastTotal ? -1 : (double) (busy - lastBusy) / (total - lastTotal);
            lastBusy = busy;
            lastTotal = total;
            return s;
        }
    }

    /**
     * One window (about a second): {@code overlayHz} overlays a second per model stream in it (NaN: no model stream)
     * and their floor {@code floorHz} (0: none). Applies and logs a step when there is one.
     */
    void window(double overlayHz, double floorHz) {
        double load = cpuLoad.getAsDouble();
        lastCpuLoad = load;
        int step = steps.step();
        int next = decide(load, overlayHz, floorHz, load >= SATURATED && modelBusyOnThisCpu());
        if (next != step) {
            inference.pace(next);
            LOG.info("AI " + (next > step ? "yields to the picture" : "takes more frames again") + ": models on this CPU take "
                    + AiPace.describe(next) + " (CPU " + Math.round(load * 100) + " % busy, overlays "
                    + String.format(java.util.Locale.ROOT, "%.1f", overlayHz) + " a second per stream, floor "
                    + floorHz + ", last second)");
        }
    }

    /**
     * The verdict on one window, given the machine's CPU load (negative or NaN: unknown), the overlays a second per
     * model stream and their floor, and whether a model on this CPU was busy: returns the step from now on.
     */
    int decide(double load, double overlayHz, double floorHz, boolean modelBusy) {
        int step = steps.step();
        boolean known = load >= 0 && !Double.isNaN(overlayHz);
        boolean roomAboveFloor = step < AiPace.maxStep()
                && overlayHz * AiPace.share(step + 1) / AiPace.share(step) >= floorHz;
        return steps.window(known && load >= SATURATED && modelBusy && roomAboveFloor, !known || load < RELAXED);
    }

    /** Whether a model runs in this process on the CPU and was busy most of its last window. */
    private boolean modelBusyOnThisCpu() {
        for (InferenceStatus.ModelStatus m : inference.status().models()) {
            InferenceStatus.Load l = m.load();
            if (l != null && m.link().isEmpty() && "loaded".equals(m.state()) && "cpu".equals(m.device())
                    && l.busy() >= MIN_MODEL_BUSY) {
                return true;
            }
        }
        return false;
    }

    int step() { return steps.step(); }
    long stepDowns() { return steps.stepDowns(); }
    long stepUps() { return steps.stepUps(); }
    /** The machine's CPU load the last window saw (NaN before the first; negative: unknown). */
    double cpuLoad() { return lastCpuLoad; }
}
