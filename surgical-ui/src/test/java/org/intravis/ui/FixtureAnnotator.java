package org.intravis.ui;

import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.PipelineClock;

/**
 * Test fixture standing in for the inference branch where a test is about the pages alone (drawing at an exact
 * pixel, burn-in): every ~33 ms it publishes, into the stream's {@link AnnotationExchange}, exactly what the test
 * source shows (the needle's tip and shaft from {@link NeedlePath}, untracked), a vessel and a low-confidence nerve
 * at fixed places. Labelled as ground truth. Zones and alerts come from the real application's tests
 * ({@link ZoneAlertChainBrowserTest}), where the real zone store and risk assessor make them.
 */
final class FixtureAnnotator implements AutoCloseable {
    private final java.util.function.Supplier<TruthSample> truth;
    private final int width;
    private final int height;
    private final AnnotationExchange exchange;
    private final Annotations a = new Annotations();
    private final Thread thread;
    private volatile boolean running = true;

    FixtureAnnotator(java.util.function.Supplier<TruthSample> truth, int width, int height, AnnotationExchange exchange) {
        this.truth = truth;
        this.width = width;
        this.height = height;
        this.exchange = exchange;
        thread = new Thread(this::run, "fixture-annotator");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long last = -1;
        while (running) {
            try {
                Thread.sleep(33);
            } catch (InterruptedException e) {
                return;
            }
            TruthSample t = truth.get();
            if (t == null || t.frame() == last) {
                continue;
            }
            last = t.frame();
            publish(t);
        }
    }

    private void publish(TruthSample t) {
        long frame = t.frame();
        long capturedNanos = t.capturedNanos();
        int w = width;
        int h = height;
        a.clear();
        a.status(Annotations.Status.VALID).origin(Annotations.Origin.GROUND_TRUTH).frameId(frame)
                .captureEpochMicros(PipelineClock.epochMicros(capturedNanos)).capturedNanos(capturedNanos)
                .preprocessedNanos(capturedNanos).frameSize(w, h).pixelSpacingMm(0.1)
                .model("fixture-ground-truth", "test", "cpu").batchSize(1);
        float tx = t.tipX();
        float ty = t.tipY();
        if (t.visible()) {
            a.addTip(1, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, tx, ty, 0, 0, 0.95f);
            a.addLine(Annotations.INSTRUMENT_NEEDLE, 1, t.entryX(), t.entryY(), tx, ty, 0.9f);
        }
        int vessel = a.beginZone(100, Annotations.ZONE_VESSEL, false, 0.9f, 0);
        ellipse(w * 0.78f, h * 0.30f, w * 0.08f, h * 0.07f);
        int nerve = a.beginZone(101, Annotations.ZONE_NERVE, false, 0.3f, 0);
        ellipse(w * 0.25f, h * 0.72f, w * 0.07f, h * 0.05f);
        a.addDistance(1, vessel, 50, 5, -1);
        a.addDistance(1, nerve, 80, 8, -1);
        // explainability: a confidence blob around the tip on a 32 x 18 grid
        int gw = 32;
        int gh = 18;
        a.heatmapShape(1, gw, gh, frame, "nogo");
        for (int y = 0; y < gh; y++) {
            for (int x = 0; x < gw; x++) {
                double d = Math.hypot((x + 0.5) * w / gw - tx, (y + 0.5) * h / gh - ty) / (w * 0.08);
                a.heatmap[y * gw + x] = (byte) Math.round(255 * Math.exp(-d * d));
            }
        }
        long now = System.nanoTime();
        a.inferredNanos(now).publishedNanos(now);
        exchange.publish(a);
    }

    private void ellipse(float cx, float cy, float rx, float ry) {
        for (int k = 0; k < 24; k++) {
            double t = 2 * Math.PI * k / 24;
            a.addZonePoint((float) (cx + rx * Math.cos(t)), (float) (cy + ry * Math.sin(t)));
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
