package org.intravis.ui;

import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.PipelineClock;

import java.util.List;
import java.util.function.Supplier;

/**
 * Test fixture standing in for the inference branch until the real model and the ground-truth annotator are on
 * main: every ~33 ms it publishes, into the stream's {@link AnnotationExchange}, what the test source really
 * shows (the needle's tip and shaft from {@link NeedlePath}), a vessel and a low-confidence nerve at fixed places,
 * the surgeon-drawn no-go zones, and a critical alert while the tip is inside one of them. Labelled as ground
 * truth, as the real stand-in will be. It can be paused (the overlay then goes stale) and resumed.
 */
final class FixtureAnnotator implements AutoCloseable {
    /** A stored no-go polygon, frame pixels. */
    record Zone(int id, List<float[]> points) {
    }

    private final java.util.function.Supplier<TruthSample> truth;
    private final int width;
    private final int height;
    private final AnnotationExchange exchange;
    /** What was published per frame id (the newest few hundred), for tests to compare the page against. */
    final java.util.Map<Long, TruthSample> publishedTruth = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<Long, TruthSample> e) {
                    return size() > 600;
                }
            });
    private final Supplier<List<Zone>> zones;
    private final Annotations a = new Annotations();
    private final Thread thread;
    private volatile boolean paused;
    private volatile boolean running = true;
    private volatile long published;

    FixtureAnnotator(java.util.function.Supplier<TruthSample> truth, int width, int height, AnnotationExchange exchange,
                     Supplier<List<Zone>> zones) {
        this.truth = truth;
        this.width = width;
        this.height = height;
        this.exchange = exchange;
        this.zones = zones;
        thread = new Thread(this::run, "fixture-annotator");
        thread.setDaemon(true);
        thread.start();
    }

    void pause() { paused = true; }
    void resume() { paused = false; }
    long published() { return published; }

    private void run() {
        long last = -1;
        while (running) {
            try {
                Thread.sleep(33);
            } catch (InterruptedException e) {
                return;
            }
            TruthSample t = truth.get();
            if (paused || t == null || t.frame() == last) {
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
        for (Zone z : zones.get()) {
            int zi = a.beginZone(z.id(), Annotations.ZONE_NOGO, true, 1f, 0);
            for (float[] pt : z.points()) {
                a.addZonePoint(pt[0], pt[1]);
            }
            if (t.visible() && inside(z.points(), tx, ty)) {
                a.addAlert(z.id(), Annotations.ALERT_CRITICAL, Annotations.ALERT_KIND_INSIDE, 1, zi,
                        Annotations.ZONE_NOGO, 0, 0);
            }
        }
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
        publishedTruth.put(frame, t);
        exchange.publish(a);
        published++;
    }

    private void ellipse(float cx, float cy, float rx, float ry) {
        for (int k = 0; k < 24; k++) {
            double t = 2 * Math.PI * k / 24;
            a.addZonePoint((float) (cx + rx * Math.cos(t)), (float) (cy + ry * Math.sin(t)));
        }
    }

    static boolean inside(List<float[]> poly, float x, float y) {
        boolean hit = false;
        for (int i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
            float[] pi = poly.get(i);
            float[] pj = poly.get(j);
            if ((pi[1] > y) != (pj[1] > y) && x < (pj[0] - pi[0]) * (y - pi[1]) / (pj[1] - pi[1]) + pi[0]) {
                hit = !hit;
            }
        }
        return hit;
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
