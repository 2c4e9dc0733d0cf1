package org.intravis.ui;

import com.microsoft.playwright.Page;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.StreamCounters;
import org.intravis.pipeline.testing.GrowthReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An OR display runs all day: does anything grow while the default demo runs? The whole application as
 * {@code intravis run} starts it on its defaults (the synthetic ultrasound phantom, the bundled model on the CPU),
 * with always-on recording ({@code -Dmeasure.record=false}: without; lossless, about 0.7 GB a minute here), the OR
 * display on H.264 and the surgeon's page on JPEG in headless Chromium, for {@code -Dmeasure.minutes} (default 30).
 * Every {@code -Dmeasure.everySeconds} (default 15) it notes the server's resident memory, its heap after the last
 * collection, NIO and Netty direct memory, JavaCPP's native allocations, threads and open files; each Chromium
 * process kind's proportional set size; each page's JavaScript heap and frames shown; the pipeline's counters.
 * {@code -Dmeasure.reloadEverySeconds=N} reloads both pages every N seconds (an OR display whose network comes and
 * goes: every reload is a client gone and a new one). The figures after the first {@code -Dmeasure.settleMinutes}
 * (default 5: JIT, pools and the recorder's first segments) are fitted with a straight line: growth per hour. Not a
 * unit test (the class name keeps it out of the default run); no assertion on figures, but like every browser test
 * it fails on a page error:
 * <pre>
 *   mvn -B -pl surgical-ui -am test -Dtest=EnduranceMeasurement -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dmeasure.minutes=30
 * </pre>
 * Results: stdout and target/endurance.md (the fitted growth, then every sample).
 */
class EnduranceMeasurement {
    @org.junit.jupiter.api.extension.RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();

    private static final double MB = GrowthReport.MB;

    @Test
    @Timeout(value = 24, unit = TimeUnit.HOURS) // the suite's 5 minutes: too short
    void measure() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("measure.minutes", "30"));
        int every = Integer.getInteger("measure.everySeconds", 15);
        int reloadEvery = Integer.getInteger("measure.reloadEverySeconds", 0);
        double settle = Double.parseDouble(System.getProperty("measure.settleMinutes", "5"));
        Path data = Files.createTempDirectory("intravis-endurance");
        IntravisConfig config = new IntravisConfig();
        config.server.host = "127.0.0.1";
        config.server.port = 0;
        config.dataDir = data.toString();
        config.recording.alwaysOn = Boolean.parseBoolean(System.getProperty("measure.record", "true"));
        Application app = TestApps.start(config);
        List<Page> opened = new ArrayList<>();
        List<Map<String, Double>> samples = new ArrayList<>();
        String started = java.time.Instant.now() + " on " + GrowthReport.machine();
        try {
            String id = config.streams.get(0).id;
            Page display = chromium.page(1600, 900);
            opened.add(display);
            display.navigate(TestApps.url(app, "/display?stream=" + id + "&encoding=h264"));
            Page surgeon = chromium.page(1600, 900);
            opened.add(surgeon);
            surgeon.navigate(TestApps.url(app, "/?stream=" + id + "&encoding=jpeg"));
            StreamPage[] pages = {new StreamPage(display, id), new StreamPage(surgeon, id)};
            for (StreamPage p : pages) {
                HeadlessChromium.waitFor("video on both pages", 60_000, () -> p.decoded() > 30);
            }
            StreamCounters counters = app.engine().stream(id).orElseThrow().pipeline().counters();
            long reloads = 0;
            long t0 = System.nanoTime();
            long end = t0 + Math.round(minutes * 60e9);
            while (true) {
                Map<String, Double> s = new LinkedHashMap<>();
                s.put("minute", (System.nanoTime() - t0) / 60e9);
                server(s);
                browser(s);
                s.put("display_js_heap_mb", jsHeap(display));
                s.put("surgeon_js_heap_mb", jsHeap(surgeon));
                s.put("display_shown", (double) pages[0].decoded());
                s.put("surgeon_shown", (double) pages[1].decoded());
                s.put("frames_in", (double) counters.get(Counter.FRAMES_IN));
                s.put("overlays", (double) counters.get(Counter.INFERENCE_DONE));
                s.put("recording_mb", folderBytes(data) / MB);
                s.put("page_reloads", (double) reloads);
                samples.add(s);
                System.out.println("endurance " + s);
                if (System.nanoTime() + every * 1_000_000_000L > end) {
                    break;
                }
                reloads += waitReloading(every, reloadEvery, opened, pages);
            }
        } finally {
            for (Page p : opened) {
                p.close(); // before the server goes: a page left open logs its reconnecting as errors
            }
            app.close();
            TempDataApp.delete(data);
        }
        String report = GrowthReport.markdown(String.format(Locale.ROOT, "Endurance: the default demo for %.0f minutes",
                minutes), "Started " + started + ". The application's defaults (synthetic ultrasound phantom, bundled "
                + "model on the CPU)" + (config.recording.alwaysOn ? " with always-on recording" : "") + "; the OR "
                + "display on H.264 and the surgeon's page on JPEG in headless Chromium"
                + (reloadEvery > 0 ? ", both reloaded every " + reloadEvery + " s" : "") + ".", samples, settle);
        System.out.println(report);
        Files.createDirectories(Paths.get("target"));
        Files.writeString(Paths.get("target", "endurance.md"), report);
    }

    /**
     * {@code seconds}, reloading both pages every {@code reloadEvery} seconds (0: never), each time until it shows
     * frames again (as an OR display that lost its network and came back); returns the reloads.
     */
    private static int waitReloading(int seconds, int reloadEvery, List<Page> pages, StreamPage[] views)
            throws InterruptedException {
        if (reloadEvery <= 0) {
            Thread.sleep(seconds * 1000L);
            return 0;
        }
        int reloads = 0;
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() + reloadEvery * 1_000_000_000L <= until) {
            Thread.sleep(reloadEvery * 1000L);
            for (int i = 0; i < pages.size(); i++) {
                pages.get(i).reload();
                StreamPage v = views[i];
                HeadlessChromium.waitFor("video after a reload", 60_000, () -> v.decoded() > 5);
                reloads++;
            }
        }
        Thread.sleep(Math.max(0, (until - System.nanoTime()) / 1_000_000));
        return reloads;
    }

    /**
     * This JVM (the server, and the test driving the pages: Playwright's driver is a process of its own), with
     * Netty's own direct memory and JavaCPP's native allocations.
     */
    private static void server(Map<String, Double> s) throws IOException {
        GrowthReport.sampleThisProcess(s);
        s.put("netty_direct_mb", io.netty.util.internal.PlatformDependent.usedDirectMemory() / MB);
        s.put("javacpp_mb", org.bytedeco.javacpp.Pointer.totalBytes() / MB);
    }

    /**
     * Chromium's processes under this JVM by kind (browser, renderer, gpu-process, utility, zygote): their
     * proportional set size (shared pages split between the processes that share them, so the kinds add up).
     */
    private static void browser(Map<String, Double> s) {
        Map<String, Double> byKind = new java.util.TreeMap<>();
        ProcessHandle.current().descendants().forEach(p -> {
            try {
                Path proc = Paths.get("/proc", String.valueOf(p.pid()));
                String cmd = new String(Files.readAllBytes(proc.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                        .replace('\0', ' ');
                if (!cmd.contains("chromium")) {
                    return;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("--type=([a-z-]+)").matcher(cmd);
                String kind = m.find() ? m.group(1) : "browser";
                byKind.merge("chromium_" + kind + "_pss_mb", GrowthReport.statusKb(proc.resolve("smaps_rollup"), "Pss:") / 1024.0,
                        Double::sum);
            } catch (IOException e) {
                // the process ended between the listing and the read
            }
        });
        s.putAll(byKind);
    }

    private static double jsHeap(Page page) {
        Object v = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : -1");
        return ((Number) v).doubleValue() / MB;
    }

    private static long folderBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // a segment rotated away meanwhile
                }
            }).sum();
        }
    }
}
