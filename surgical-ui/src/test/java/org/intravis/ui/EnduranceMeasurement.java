package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.Gson;
import com.microsoft.playwright.CDPSession;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * An OR display runs all day: does anything grow while the default demo runs? The whole application as
 * {@code intravis run} starts it on its defaults (the synthetic ultrasound phantom, the bundled model on the CPU),
 * with always-on recording ({@code -Dmeasure.record=false}: without; lossless, about 0.7 GB a minute here), the OR
 * display on H.264 and the surgeon's page on JPEG in headless Chromium, for {@code -Dmeasure.minutes} (default 30).
 * Every {@code -Dmeasure.everySeconds} (default 15) it notes the server's resident memory, its heap after the last
 * collection, NIO and Netty direct memory, JavaCPP's native allocations, threads and open files; each Chromium
 * process kind's proportional set size, and each page's renderer processes alone (with their anonymous part: V8's
 * heap, the allocator's for pixels and buffers); each page's JavaScript heap, DOM nodes, event listeners and frames
 * shown (DevTools' {@code Performance} metrics); the pipeline's counters. The figures after the first
 * {@code -Dmeasure.settleMinutes} (default 5: JIT, pools and the recorder's first segments) are fitted with a straight
 * line: growth per hour. Options:
 * <ul>
 *   <li>{@code -Dmeasure.reloadEverySeconds=N} reloads the pages every N seconds (an OR display whose network comes and
 *   goes: every reload is a client gone and a new one);</li>
 *   <li>{@code -Dmeasure.pages=display} or {@code surgeon}: that page alone; {@code -Dmeasure.displayEncoding} and
 *   {@code -Dmeasure.surgeonEncoding} (h264, jpeg) change their encodings;</li>
 *   <li>{@code -Dmeasure.gcEveryMinutes=N}: each page's V8 collects its garbage (DevTools) before every N-th minute's
 *   sample, a row with {@code forced_gc} 1: memory that returns then was garbage waiting for a collection, memory
 *   that does not is held;</li>
 *   <li>{@code -Dmeasure.streams=N}: N streams of the default phantom (us1 ... usN) instead of one, their frames
 *   batched together through the one model (the path one stream never takes); the OR display and the surgeon's page
 *   show us1, and each further stream has an OR display of its own ({@code display-usK}, on the display's
 *   encoding); the counters are summed over the streams;</li>
 *   <li>{@code -Dmeasure.browser=plain}: each page in a Chromium of its own with no test driver attached
 *   ({@link PlainChromium}; Playwright's DevTools network agent keeps copies of what a page fetches). Page errors
 *   are not seen there.</li>
 * </ul>
 * Not a unit test (the class name keeps it out of the default run); no assertion on figures, but like every browser
 * test it fails on a page error (Playwright's browser). Runs of more than about 25 minutes need
 * {@code -Dintravis.forkTimeoutSeconds=0} (the build kills a test JVM after 30 minutes otherwise, after the report):
 * <pre>
 *   mvn -B -pl surgical-ui -am test -Dtest=EnduranceMeasurement -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dmeasure.minutes=30
 * </pre>
 * Results: stdout and target/endurance.md (the fitted growth, then every sample); while it runs, each sample as it is
 * taken in target/endurance-samples.txt.
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
        String which = System.getProperty("measure.pages", "both");
        double gcEvery = Double.parseDouble(System.getProperty("measure.gcEveryMinutes", "0"));
        String displayEncoding = System.getProperty("measure.displayEncoding", "h264");
        String surgeonEncoding = System.getProperty("measure.surgeonEncoding", "jpeg");
        boolean plain = System.getProperty("measure.browser", "playwright").equals("plain");
        int streams = Integer.getInteger("measure.streams", 1);
        Path data = Files.createTempDirectory("intravis-endurance");
        IntravisConfig config = new IntravisConfig();
        config.server.host = "127.0.0.1";
        config.server.port = 0;
        config.dataDir = data.toString();
        config.recording.alwaysOn = Boolean.parseBoolean(System.getProperty("measure.record", "true"));
        for (int k = 2; k <= streams; k++) {
            IntravisConfig.Stream more = IntravisConfig.Stream.defaultUltrasound();
            more.id = "us" + k;
            config.streams.add(more);
        }
        Application app = TestApps.start(config);
        List<BrowserPage> pages = new ArrayList<>();
        List<Map<String, Double>> samples = new ArrayList<>();
        // each sample as it is taken, so that a run of hours can be read while it runs (stdout comes at the end)
        Path progress = Files.createDirectories(Paths.get("target")).resolve("endurance-samples.txt");
        Files.writeString(progress, "");
        String started = java.time.Instant.now() + " on " + GrowthReport.machine();
        try {
            String id = config.streams.get(0).id;
            if (!which.equals("surgeon")) {
                pages.add(BrowserPage.open("display", "/display?stream=" + id + "&encoding=" + displayEncoding, app, id, plain));
            }
            if (!which.equals("display")) {
                pages.add(BrowserPage.open("surgeon", "/?stream=" + id + "&encoding=" + surgeonEncoding, app, id, plain));
            }
            for (IntravisConfig.Stream more : config.streams.subList(1, config.streams.size())) {
                pages.add(BrowserPage.open("display-" + more.id, "/display?stream=" + more.id + "&encoding="
                        + displayEncoding, app, more.id, plain));
            }
            for (BrowserPage p : pages) {
                await("video on the " + p.name + " page").atMost(Duration.ofSeconds(60)).until(() -> p.decoded() > 30);
            }
            List<StreamCounters> counters = new ArrayList<>();
            for (IntravisConfig.Stream st : config.streams) {
                counters.add(app.engine().stream(st.id).orElseThrow().pipeline().counters());
            }
            long reloads = 0;
            long t0 = System.nanoTime();
            long end = t0 + Math.round(minutes * 60e9);
            long lastGc = t0;
            while (true) {
                Map<String, Double> s = new LinkedHashMap<>();
                boolean collect = gcEvery > 0 && System.nanoTime() - lastGc >= Math.round(gcEvery * 60e9) - 1_000_000_000L;
                if (collect) {
                    lastGc = System.nanoTime();
                    for (BrowserPage p : pages) {
                        p.collectGarbage();
                    }
                    Thread.sleep(2000); // the allocator's pages freed by the collection
                }
                s.put("minute", (System.nanoTime() - t0) / 60e9);
                s.put("forced_gc", collect ? 1.0 : 0.0);
                server(s);
                browser(s, pages);
                for (BrowserPage p : pages) {
                    p.sample(s);
                }
                s.put("frames_in", (double) counters.stream().mapToLong(c -> c.get(Counter.FRAMES_IN)).sum());
                s.put("overlays", (double) counters.stream().mapToLong(c -> c.get(Counter.INFERENCE_DONE)).sum());
                s.put("recording_mb", folderBytes(data) / MB);
                s.put("page_reloads", (double) reloads);
                samples.add(s);
                System.out.println("endurance " + s);
                Files.writeString(progress, s + "\n", java.nio.file.StandardOpenOption.APPEND);
                if (System.nanoTime() + every * 1_000_000_000L > end) {
                    break;
                }
                reloads += waitReloading(every, reloadEvery, pages);
            }
        } finally {
            for (BrowserPage p : pages) {
                p.close(); // before the server goes: a page left open logs its reconnecting as errors
            }
            app.close();
            TempDataApp.delete(data);
        }
        String report = GrowthReport.markdown(String.format(Locale.ROOT, "Endurance: the default demo for %.0f minutes",
                minutes), "Started " + started + ". The application's defaults (synthetic ultrasound phantom, bundled "
                + "model on the CPU)" + (streams > 1 ? " as " + streams + " streams (a display page for each further"
                + " one, on " + displayEncoding + ")" : "")
                + (config.recording.alwaysOn ? " with always-on recording" : "") + "; "
                + switch (which) {
                    case "display" -> "the OR display alone on " + displayEncoding;
                    case "surgeon" -> "the surgeon's page alone on " + surgeonEncoding;
                    default -> "the OR display on " + displayEncoding + " and the surgeon's page on " + surgeonEncoding;
                } + " in headless Chromium" + (plain ? " with nothing attached but for the samples" : " (Playwright)")
                + (reloadEvery > 0 ? ", reloaded every " + reloadEvery + " s" : "")
                + (gcEvery > 0 ? ", each page's garbage collected (DevTools) every " + gcEvery + " minutes" : "")
                + ".", samples, settle);
        System.out.println(report);
        Files.createDirectories(Paths.get("target"));
        Files.writeString(Paths.get("target", "endurance.md"), report);
    }

    /**
     * {@code seconds}, reloading the pages every {@code reloadEvery} seconds (0: never), each time until it shows
     * frames again (as an OR display that lost its network and came back); returns the reloads.
     */
    private static int waitReloading(int seconds, int reloadEvery, List<BrowserPage> pages) throws Exception {
        if (reloadEvery <= 0) {
            Thread.sleep(seconds * 1000L);
            return 0;
        }
        int reloads = 0;
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() + reloadEvery * 1_000_000_000L <= until) {
            Thread.sleep(reloadEvery * 1000L);
            for (BrowserPage p : pages) {
                p.reload();
                await("video after a reload").atMost(Duration.ofSeconds(60)).until(() -> p.decoded() > 5);
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
     * proportional set size (shared pages split between the processes that share them, so the kinds add up); and each
     * page's renderer alone, with its anonymous part.
     */
    private static void browser(Map<String, Double> s, List<BrowserPage> pages) {
        Map<String, Double> byKind = new java.util.TreeMap<>();
        for (ChromiumProcess p : ChromiumProcess.under(ProcessHandle.current())) {
            byKind.merge("chromium_" + p.kind + "_pss_mb", p.pssMb, Double::sum);
            for (BrowserPage page : pages) {
                if (page.renderers().contains(p.pid)) {
                    byKind.merge(page.name + "_renderer_pss_mb", p.pssMb, Double::sum);
                    byKind.merge(page.name + "_renderer_anon_mb", p.anonMb, Double::sum);
                }
            }
        }
        s.putAll(byKind);
    }

    /** A Chromium process under this JVM: its id, kind and memory (PSS, and its anonymous part). */
    private record ChromiumProcess(long pid, String kind, double pssMb, double anonMb) {
        private static final java.util.regex.Pattern KIND = java.util.regex.Pattern.compile("--type=([a-z-]+)");

        static List<ChromiumProcess> under(ProcessHandle root) {
            List<ChromiumProcess> all = new ArrayList<>();
            root.descendants().forEach(p -> {
                try {
                    Path proc = Paths.get("/proc", String.valueOf(p.pid()));
                    String cmd = new String(Files.readAllBytes(proc.resolve("cmdline")),
                            java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
                    if (!cmd.contains("chromium")) {
                        return;
                    }
                    java.util.regex.Matcher m = KIND.matcher(cmd);
                    Path rollup = proc.resolve("smaps_rollup");
                    all.add(new ChromiumProcess(p.pid(), m.find() ? m.group(1) : "browser",
                            GrowthReport.statusKb(rollup, "Pss:") / 1024.0,
                            GrowthReport.statusKb(rollup, "Pss_Anon:") / 1024.0));
                } catch (IOException e) {
                    // the process ended between the listing and the read
                }
            });
            return all;
        }

        static Set<Long> renderersUnder(ProcessHandle root) {
            Set<Long> ids = new HashSet<>();
            for (ChromiumProcess p : under(root)) {
                if (p.kind.equals("renderer")) {
                    ids.add(p.pid);
                }
            }
            return ids;
        }
    }

    /**
     * One page of the run, read and driven through the DevTools protocol: in the browser tests' Chromium (Playwright,
     * whose DevTools network agent stays on in every page, keeping copies of what the page fetched) or, with
     * {@code -Dmeasure.browser=plain}, in a Chromium of its own with nothing attached ({@link PlainChromium}), as an OR
     * display's kiosk browser runs.
     */
    private static final class BrowserPage implements AutoCloseable {
        /** A DevTools command and its result. */
        private interface DevTools {
            JsonNode send(String method, Map<String, Object> params) throws Exception;
        }

        private static final ObjectMapper JSON = new ObjectMapper();
        private static final Gson GSON = new Gson();

        final String name;
        private final String stream;
        private final DevTools devtools;
        private final Supplier<Set<Long>> renderers;
        private final AutoCloseable closer;

        private BrowserPage(String name, String stream, DevTools devtools, Supplier<Set<Long>> renderers,
                            AutoCloseable closer) throws Exception {
            this.name = name;
            this.stream = stream;
            this.devtools = devtools;
            this.renderers = renderers;
            this.closer = closer;
            devtools.send("Performance.enable", Map.of());
        }

        static BrowserPage open(String name, String path, Application app, String stream, boolean plain) throws Exception {
            String url = TestApps.url(app, path);
            if (plain) {
                PlainChromium browser = PlainChromium.open(url, 1600, 900);
                return new BrowserPage(name, stream, browser::send, () -> ChromiumProcess.renderersUnder(browser.process()),
                        browser);
            }
            Set<Long> before = ChromiumProcess.renderersUnder(ProcessHandle.current());
            Page page = chromium.page(1600, 900);
            page.navigate(url);
            // each page has a browser context of its own: the renderers new since are this page's
            Set<Long> mine = ChromiumProcess.renderersUnder(ProcessHandle.current());
            mine.removeAll(before);
            System.out.println("endurance: the " + name + " page's renderer processes " + mine);
            CDPSession cdp = page.context().newCDPSession(page);
            DevTools devtools = (method, params) -> JSON.readTree(
                    cdp.send(method, params.isEmpty() ? null : GSON.toJsonTree(params).getAsJsonObject()).toString());
            return new BrowserPage(name, stream, devtools, () -> mine, page::close);
        }

        Set<Long> renderers() {
            return renderers.get();
        }

        long decoded() throws Exception {
            JsonNode r = devtools.send("Runtime.evaluate", Map.of("returnByValue", true, "expression",
                    "(window.intravis && window.intravis.snapshot('" + stream + "') || { decoded: 0 }).decoded"));
            return r.path("result").path("value").asLong(0);
        }

        void reload() throws Exception {
            devtools.send("Page.reload", Map.of());
        }

        void collectGarbage() throws Exception {
            devtools.send("HeapProfiler.collectGarbage", Map.of());
        }

        /** Its JS heap, DOM nodes, event listeners and frames shown. */
        void sample(Map<String, Double> s) throws Exception {
            Map<String, Double> metrics = new HashMap<>();
            for (JsonNode m : devtools.send("Performance.getMetrics", Map.of()).path("metrics")) {
                metrics.put(m.path("name").asText(), m.path("value").asDouble());
            }
            s.put(name + "_js_heap_mb", metrics.getOrDefault("JSHeapUsedSize", -MB) / MB);
            s.put(name + "_dom_nodes", metrics.getOrDefault("Nodes", -1.0));
            s.put(name + "_listeners", metrics.getOrDefault("JSEventListeners", -1.0));
            s.put(name + "_shown", (double) decoded());
        }

        @Override
        public void close() throws Exception {
            closer.close();
        }
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
