package org.intravis.ui;

import com.microsoft.playwright.Page;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.testing.GrowthReport;
import org.intravis.pipeline.testing.SharedData;
import org.intravis.streamer.ClientStats;
import org.intravis.streamer.StreamHub;
import org.intravis.streamer.StreamPublisher;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures glass-to-glass latency (capture on the server to drawn on the page's canvas, on the synced clock) in
 * headless Chromium, for H.264 and JPEG, and the bytes each client receives. Not a unit test: no assertion on
 * time; run it on purpose (the class name keeps it out of the default test run):
 * <pre>
 *   mvn -B -pl surgical-ui -am test -Dtest=GlassToGlassMeasurement -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dmeasure.width=1920 -Dmeasure.height=1080 -Dmeasure.fps=30 -Dmeasure.seconds=20
 * </pre>
 * The source is the synthetic ultrasound phantom at the size asked for ({@code -Dmeasure.source=pattern}: the test
 * pattern over a real ultrasound frame from the shared data beside the checkout ({@link SharedData}), scaled). By
 * default a {@link StreamingTestServer} serves it with the fixture's overlays (no model: the video path alone);
 * {@code -Dmeasure.app=model} starts the whole application instead ({@link Application}, as {@code intravis run}
 * does) with the bundled ultrasound model running on the CPU beside the video, as the default demo runs
 * ({@code -Dmeasure.model=none}: the same application without a model; {@code -Dmeasure.yieldToVideo=false}: without
 * the AI's pacing on a saturated CPU; {@code -Dmeasure.keyIntervalMs=MS}: another H.264 key frame interval;
 * {@code -Dmeasure.h264Encoder=NAME}: that H.264 encoder, default {@code auto}, libx264 in a {@code -Pgpl} build).
 * {@code -Dmeasure.encodings=h264} measures one encoding only. {@code -Dmeasure.warmup=S} (default 3) is how
 * long the page runs before the measured window. Each row also gives the page's own stages (encode on the server,
 * network with the server's send queue, decode queue, draw: {@code stream-client.js}), and stdout the worst samples
 * with their time in the window. Results: stdout and target/glass-to-glass.md.
 */
class GlassToGlassMeasurement {
    @org.junit.jupiter.api.extension.RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();

    @Test
    void measure() throws Exception {
        int width = Integer.getInteger("measure.width", 1920);
        int height = Integer.getInteger("measure.height", 1080);
        double fps = Double.parseDouble(System.getProperty("measure.fps", "30"));
        int seconds = Integer.getInteger("measure.seconds", 20);
        StringBuilder report = new StringBuilder();
        String sourceKind = System.getProperty("measure.source", "synthetic");
        boolean withModel = System.getProperty("measure.app", "fixture").equals("model");
        report.append(String.format(Locale.ROOT, "# Glass-to-glass latency, headless Chromium, %dx%d at %.0f fps, %d s per encoding, source %s, %s%n%n",
                width, height, fps, seconds, sourceKind, withModel
                        ? "the application with the ultrasound model on the CPU (-Dmeasure.app=model)"
                        : "the streaming test server with the fixture's overlays (no model)"));
        report.append("Machine: ").append(GrowthReport.machine())
                .append(" (the runs just before it included); chromium headless --disable-gpu (software decode)\n\n");
        report.append("| encoding | samples | p50 ms | p90 ms | p99 ms | max ms | frames shown/s | frames sent/s | KB per frame | dropped (page / server) | Mbit/s per client | at 30 fps, Mbit/s | mean encode ms | server capture-to-sent p50 / p99 ms | page stages p50 / p99 ms: encode, network, decode, draw |\n");
        report.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        {
            for (String encoding : List.of(System.getProperty("measure.encodings", "h264,jpeg").split(","))) {
                if (withModel) {
                    report.append(runOnApplication(width, height, fps, encoding, seconds)).append('\n');
                    continue;
                }
                StreamingTestServer server = new StreamingTestServer("us1", width, height, fps);
                if (sourceKind.equals("pattern")) {
                    server.background = SharedData.require("ultrasound-nerve-vessel/images/0000.png");
                } else {
                    server.sourceUri = String.format(Locale.ROOT, "synthetic:ultrasound?width=%d&height=%d&fps=%s",
                            width, height, fps);
                }
                server.start(0);
                try {
                    report.append(run(server.url("/"), server.hub, server.pipeline, encoding, seconds)).append('\n');
                } finally {
                    server.close();
                }
            }
        }
        System.out.println(report);
        Files.createDirectories(Paths.get("target"));
        Files.writeString(Paths.get("target", "glass-to-glass.md"), report.toString());
    }

    /** One encoding against the whole application: synthetic ultrasound, the bundled model, default settings. */
    private String runOnApplication(int width, int height, double fps, String encoding, int seconds) throws Exception {
        Path data = Files.createTempDirectory("intravis-g2g");
        IntravisConfig config = TestApps.config(data, "us1", String.format(Locale.ROOT,
                "synthetic:ultrasound?width=%d&height=%d&fps=%s", width, height, fps),
                System.getProperty("measure.model", "ultrasound"));
        config.inference.maxBatch = new IntravisConfig().inference.maxBatch; // the default, not the tests' small one
        config.inference.intraOpThreads = Integer.getInteger("measure.intraOpThreads", config.inference.intraOpThreads);
        config.inference.yieldToVideo = Boolean.parseBoolean(System.getProperty("measure.yieldToVideo",
                String.valueOf(config.inference.yieldToVideo)));
        config.streaming.keyIntervalMs = Long.getLong("measure.keyIntervalMs", config.streaming.keyIntervalMs);
        config.streaming.h264Encoder = System.getProperty("measure.h264Encoder", config.streaming.h264Encoder);
        Application app = TestApps.start(config);
        try {
            StreamPipeline pipeline = app.engine().stream("us1").orElseThrow().pipeline();
            String row = run(TestApps.url(app, "/"), app.engine().hub(), pipeline, encoding, seconds);
            System.out.println("governors at the end, " + encoding + ": " + app.engine().encoderSteps()
                    + " (inference.yieldToVideo " + config.inference.yieldToVideo + ")");
            return row;
        } finally {
            app.close();
            TempDataApp.delete(data);
        }
    }

    private String run(String root, StreamHub hub, StreamPipeline pipeline, String encoding, int seconds) throws Exception {
        Page page = chromium.page(1600, 900);
        try {
            page.navigate(root + "display?stream=us1&encoding=" + encoding);
            HeadlessChromium.waitFor("video", 30_000, () -> {
                Object d = page.evaluate("() => window.intravis ? window.intravis.snapshot().decoded : 0");
                return ((Number) d).longValue() > 30;
            });
            Thread.sleep(Integer.getInteger("measure.warmup", 3) * 1000L); // warm-up: JIT, clock sync samples, governors
            pipeline.latency().reset();
            page.evaluate("() => { const c = window.intravis.views['us1'].client;"
                    + " for (const w of [c.latency, ...Object.values(c.stages)]) { w.windowMs = 600000; w.max = 100000;"
                    + " w.samples = []; } c.dropped = 0; window.__decoded0 = c.decoded; }");
            StreamPublisher pub = hub.publisher("us1").orElseThrow();
            ClientStats before = pub.stats().clients().get(0);
            StreamPublisher.VariantStats vBefore = variant(pub, encoding);
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            ClientStats after = pub.stats().clients().get(0);
            StreamPublisher.VariantStats vAfter = variant(pub, encoding);
            @SuppressWarnings("unchecked")
            List<Number> samples = (List<Number>) page.evaluate(
                    "() => window.intravis.views['us1'].client.latency.samples.map(s => s.ms)");
            System.out.println("glass-to-glass worst samples, " + encoding + ", window start and [ms into the window, ms]: " + page.evaluate("() => { const s = window.intravis.views['us1'].client.latency.samples;"
                    + " const t0 = s.length ? s[0].at : 0; return new Date(performance.timeOrigin + t0).toISOString() + ' ' + JSON.stringify(s.map(x => [Math.round(x.at - t0), Math.round(x.ms)]).sort((a, b) => b[1] - a[1]).slice(0, 15)); }"));
            System.out.println("glass-to-glass of key frames, " + encoding + ": " + page.evaluate(
                    "() => JSON.stringify(window.intravis.snapshot('us1').g2gKeyFrames)"));
            long shown = ((Number) page.evaluate("() => window.intravis.views['us1'].client.decoded - window.__decoded0")).longValue();
            long droppedPage = ((Number) page.evaluate("() => window.intravis.views['us1'].client.dropped")).longValue();
            List<Double> ms = new ArrayList<>();
            samples.forEach(n -> ms.add(n.doubleValue()));
            Collections.sort(ms);
            double mbps = (after.bytesSent() - before.bytesSent()) * 8 / elapsed / 1e6;
            long frames = vAfter.framesEncoded() - vBefore.framesEncoded();
            double encodeMs = frames == 0 ? 0 : (vAfter.meanEncodeMillis() * vAfter.framesEncoded()
                    - vBefore.meanEncodeMillis() * vBefore.framesEncoded()) / frames;
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Number>> stages = (Map<String, Map<String, Number>>) page.evaluate(
                    "() => window.intravis.views['us1'].client.stageFigures()");
            HeadlessChromium.screenshot(page, "measure-" + encoding);
            org.HdrHistogram.Histogram sent = pipeline.latency().snapshot()
                    .total(org.intravis.pipeline.LatencyPoint.CAPTURE_TO_VIDEO_SENT);
            long sentFrames = after.framesSent() - before.framesSent();
            double kbPerFrame = sentFrames == 0 ? 0 : (after.bytesSent() - before.bytesSent()) / 1024.0 / sentFrames;
            StringBuilder stageCells = new StringBuilder();
            for (String stage : List.of("encode", "network", "decode", "draw")) {
                Map<String, Number> f = stages.get(stage);
                stageCells.append(stageCells.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f / %.1f",
                        f.get("p50").doubleValue(), f.get("p99").doubleValue()));
            }
            return String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d / %d | %.2f | %.2f | %.1f | %.1f / %.1f | %s |",
                    encoding, ms.size(), pct(ms, 50), pct(ms, 90), pct(ms, 99), ms.isEmpty() ? Double.NaN : ms.get(ms.size() - 1),
                    shown / elapsed, sentFrames / elapsed, kbPerFrame, droppedPage,
                    after.framesDropped() - before.framesDropped(), mbps, kbPerFrame * 1024 * 8 * 30 / 1e6, encodeMs,
                    sent.getValueAtPercentile(50) / 1000.0, sent.getValueAtPercentile(99) / 1000.0, stageCells);
        } finally {
            page.close();
        }
    }

    private static StreamPublisher.VariantStats variant(StreamPublisher pub, String encoding) {
        return pub.stats().variants().stream().filter(v -> v.encoding().equals(encoding) && v.layer().equals("clean"))
                .findFirst().orElseThrow();
    }

    private static double pct(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p / 100 * sorted.size()) - 1));
        return sorted.get(i);
    }
}
