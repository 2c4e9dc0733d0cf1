package org.intravis.perf;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end latency harness: feeds N synthetic streams on a fixed clock into the real pipeline (assembled as the
 * application assembles it) and, in the same run, into the naive baseline, consumes both over WebSocket with real
 * clients on loopback, and reports per stage and end to end (p50 to max, HdrHistogram), frames, drops and skips by
 * cause, throughput, heap allocation per frame on the frame-carrying threads and GC, then the ratios
 * ours / baseline. Results go to JSON and Markdown (see {@link BenchReport}).
 * <pre>
 *   java -jar surgical-ui/target/intravis.jar bench --quick --report FILE.json   (the product finds the bench jar)
 *   java -jar perf/target/intravis-bench.jar bench --full                         (1 and 4 streams, 60 s each)
 *   java -cp perf/target/intravis-bench.jar org.intravis.perf.LatencyHarness --streams 1,4,8,16 \
 *        --resolution 1920x1080 --fps 30,60 --device cuda --no-baseline
 * </pre>
 * Latency is taken from each frame's <em>scheduled</em> capture time (see {@link ScheduledSource}), so a stall
 * anywhere shows up in the figures instead of delaying the next measurement (no coordinated omission).
 */
public final class LatencyHarness {
    static final String USAGE = """
            Usage: intravis bench [--quick | --full] [options]
                   java -cp perf/target/intravis-bench.jar org.intravis.perf.LatencyHarness [--quick | --full] [options]

            Feeds synthetic streams on a fixed clock through the real pipeline and through a naive baseline
            (thread per stream: grab, infer at batch 1, encode, send, with a blocking queue after capture),
            consumes both over WebSocket on loopback, and writes JSON and Markdown results.

            Modes (explicit options override them):
              --quick                4 streams of 1280x720 at 30 fps, 5 s warm-up, 15 s measured (about a minute)
              --full                 1 and 4 streams of 1280x720 at 30 fps, 10 s warm-up, 60 s measured each
            Options:
              --streams N[,N...]     streams fed at once (a list runs each in turn)        default 4
              --resolution WxH       frame size                                            default 1280x720
              --fps F[,F...]         frame rate of every stream (a list runs each in turn) default 30
              --phantom KIND         ultrasound | fluoroscopy                              default ultrasound
              --model M              model name or .onnx path, ground-truth, or none       default ultrasound
              --device D             cpu | cuda | cuda:N                                   default cpu
              --encoding E           h264 | jpeg (what the clients receive)                default h264
              --h264-encoder NAME    FFmpeg H.264 encoder (libx264: the -Pgpl build)       default libopenh264
              --warmup S             seconds before measuring
              --seconds S            seconds measured
              --no-baseline          measure the pipeline only
              --no-ours              measure the baseline only
              --baseline-queue N     the baseline's ArrayBlockingQueue capacity            default 4
              --ring-size N          ring entries per stream                               default 16
              --wait-strategy W      blocking | sleeping | yielding | busy-spin            default blocking
              --max-batch N          largest inference batch                               default 8
              --batch-shape S        auto | fixed | exact: partial batches padded to max   default auto
                                     (auto: padded on CUDA, exact on the CPU)
              --conv-search S        exhaustive | heuristic | default (cuDNN, CUDA only)   default exhaustive
              --budget-ms MS         AI path budget (batches close in time for it)         default 100
              --model-step-down B    on | off: the model's cheaper graph under load        default on
              --encoder-step-down N  0-3: how far encoders may cut their rate under load   default 2
              --threads N            ONNX Runtime intra-op threads (0: its default)        default 0
              --post-threads N       threads post-processing a batch's rows (0: automatic) default 0
              --models-dir DIR       where NAME/NAME.onnx models are looked for first
              --remote URL           run the model on an inference server (grpc://HOST:PORT on loopback, or
                                     grpcs://; intravis serve-inference or Triton; docs/remote-inference.md)
              --remote-trust PEM     the server's certificate or CA (grpcs://)
              --remote-token-file F  the token to send (a token of the node's data directory)
              --loop-frames N        phantom frames rendered ahead and replayed            default 30
              --render MODE          replay (frames rendered ahead) | live (each frame rendered on the capture
                                     thread, as 'intravis run' does; about 10 ms of CPU per ultrasound frame)
              --buffered-frames N    frames the simulated capture device keeps for a late reader  default 4
              --clients N            WebSocket clients per stream                          default 1
              --report FILE.json     where to write (Markdown beside it); with lists, FILE-<config>.json each
                                     and FILE-summary.md                  default perf/results/bench-<...>.json
              -h, --help             this text
            """;

    private LatencyHarness() {
    }

    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, args));
    }

    /** Runs a command line; returns the exit code: 0 done, 2 bad arguments, 1 a run failed. */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        Plan plan;
        try {
            plan = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage());
            err.println("(see --help)");
            return 2;
        }
        if (plan == null) {
            out.print(USAGE);
            return 0;
        }
        try {
            run(plan, out);
            return 0;
        } catch (Exception e) {
            err.println("bench: failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    /** What the command line asked for: the configurations to run and where to write. */
    record Plan(List<BenchSettings> runs, Path report) {
    }

    static Plan parse(String... args) {
        Map<String, String> opts = new LinkedHashMap<>();
        String mode = "custom";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--quick" -> mode = "quick";
                case "--full" -> mode = "full";
                case "--no-baseline" -> opts.put("--baseline", "off");
                case "--no-ours" -> opts.put("--ours", "off");
                default -> {
                    String key = a;
                    String value;
                    int eq = a.indexOf('=');
                    if (a.startsWith("--") && eq > 0) {
                        key = a.substring(0, eq);
                        value = a.substring(eq + 1);
                    } else {
                        if (!a.startsWith("--")) {
                            throw new IllegalArgumentException("unexpected argument '" + a + "'");
                        }
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        value = args[++i];
                    }
                    opts.put(key, value);
                }
            }
        }
        BenchSettings base = new BenchSettings().mode(mode);
        String streams = "4";
        String fps = "30";
        switch (mode) {
            case "quick" -> base.warmupSeconds(5).measureSeconds(15);
            case "full" -> {
                base.warmupSeconds(10).measureSeconds(60);
                streams = "1,4";
            }
            default -> base.warmupSeconds(5).measureSeconds(20);
        }
        Path report = null;
        for (Map.Entry<String, String> e : opts.entrySet()) {
            String v = e.getValue().trim();
            switch (e.getKey()) {
                case "--streams" -> streams = v;
                case "--fps" -> fps = v;
                case "--resolution" -> {
                    String[] wh = v.toLowerCase(Locale.ROOT).split("x");
                    if (wh.length != 2) {
                        throw new IllegalArgumentException("--resolution must be WIDTHxHEIGHT, e.g. 1920x1080, was " + v);
                    }
                    base.resolution(integer("--resolution", wh[0]), integer("--resolution", wh[1]));
                }
                case "--phantom" -> base.phantom(v);
                case "--model" -> base.model(v);
                case "--device" -> base.device(v);
                case "--encoding" -> base.encoding(v.toLowerCase(Locale.ROOT));
                case "--h264-encoder" -> base.h264Encoder(v);
                case "--warmup" -> base.warmupSeconds(number("--warmup", v));
                case "--seconds" -> base.measureSeconds(number("--seconds", v));
                case "--baseline" -> base.baseline(onOff("--baseline", v));
                case "--ours" -> base.ours(onOff("--ours", v));
                case "--baseline-queue" -> base.baselineQueue(integer("--baseline-queue", v));
                case "--ring-size" -> base.ringSize(integer("--ring-size", v));
                case "--wait-strategy" -> base.waitStrategy(v);
                case "--max-batch" -> base.maxBatch(integer("--max-batch", v));
                case "--batch-shape" -> base.batchShape(v.toLowerCase(Locale.ROOT));
                case "--conv-search" -> base.convSearch(v.toLowerCase(Locale.ROOT));
                case "--budget-ms" -> base.budgetMs(integer("--budget-ms", v));
                case "--model-step-down" -> base.modelStepDown(switch (v) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("--model-step-down must be on or off, was " + v);
                });
                case "--encoder-step-down" -> base.encoderStepDown(integer("--encoder-step-down", v));
                case "--threads" -> base.intraOpThreads(integer("--threads", v));
                case "--post-threads" -> base.postThreads(integer("--post-threads", v));
                case "--models-dir" -> base.modelsDir(Path.of(v));
                case "--remote" -> base.remote(v);
                case "--remote-trust" -> base.remoteTrust(Path.of(v));
                case "--remote-token-file" -> base.remoteTokenFile(Path.of(v));
                case "--loop-frames" -> base.loopFrames(integer("--loop-frames", v));
                case "--render" -> base.liveRender(switch (v) {
                    case "live" -> true;
                    case "replay" -> false;
                    default -> throw new IllegalArgumentException("--render takes replay or live, not '" + v + "'");
                });
                case "--buffered-frames" -> base.bufferedFrames(integer("--buffered-frames", v));
                case "--clients" -> base.clientsPerStream(integer("--clients", v));
                case "--report" -> report = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + e.getKey());
            }
        }
        List<BenchSettings> runs = new ArrayList<>();
        for (String n : streams.split(",")) {
            for (String f : fps.split(",")) {
                runs.add(base.with(integer("--streams", n.trim()), number("--fps", f.trim())));
            }
        }
        return new Plan(runs, report);
    }

    private static int integer(String option, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, not '" + v + "'");
        }
    }

    private static double number(String option, String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not '" + v + "'");
        }
    }

    private static boolean onOff(String option, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(option + " takes on or off, not '" + v + "'");
        };
    }

    /** Runs every configuration of the plan, writes each report, and a summary when there are several. */
    static List<BenchReport> run(Plan plan, PrintStream out) throws Exception {
        List<BenchReport> reports = new ArrayList<>();
        List<Path> written = new ArrayList<>();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        for (BenchSettings s : plan.runs()) {
            BenchReport r = run(s, out);
            reports.add(r);
            Path file = reportPath(plan, s, stamp);
            r.write(file);
            written.add(file);
            out.println("  wrote " + file + " and " + BenchReport.markdownPath(file).getFileName());
        }
        if (plan.runs().size() > 1) {
            Path summary = summaryPath(plan, stamp);
            Files.writeString(summary, SweepSummary.markdown(plan.runs(), reports));
            out.println("  wrote " + summary);
        }
        return reports;
    }

    /** One configuration: the pipeline, then the baseline, each with its own warm-up, on the same frames. */
    public static BenchReport run(BenchSettings s, PrintStream out) throws Exception {
        if (!s.concluded()) {
            s.conclude();
        }
        Map<String, Object> machine = MachineInfo.describe();
        out.printf(Locale.ROOT, "bench: %d x %s @ %s fps, model %s on %s, %s; %s cores, load %s%n", s.streams(),
                s.resolution(), s.fps(), s.model(), s.device(), s.encoding(), machine.get("cores"),
                machine.get("load_average"));
        long t = System.nanoTime();
        FrameLoop loop = s.liveRender() ? FrameLoop.live(s.sourceUri()) : FrameLoop.render(s.sourceUri(), s.loopFrames());
        if (!loop.rendersLive()) {
            out.printf(Locale.ROOT, "  rendered %d phantom frames in %.1f s%n", loop.frames(), (System.nanoTime() - t) / 1e9);
        }
        if (!ThreadAllocation.supported()) {
            out.println("  (this JVM does not count per-thread allocation: allocation figures are -1)");
        }
        Vertx clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        SystemResult ours = null;
        SystemResult baseline = null;
        try {
            if (s.ours()) {
                try (PipelineUnderTest sut = new PipelineUnderTest(s, loop)) {
                    ours = MeasuredRun.measure(sut, s, clients, out);
                }
                settle();
            }
            if (s.baseline()) {
                try (NaiveBaseline sut = new NaiveBaseline(s, loop)) {
                    baseline = MeasuredRun.measure(sut, s, clients, out);
                }
                settle();
            }
        } finally {
            clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        BenchReport report = new BenchReport(machine, s, ours, baseline);
        out.print(summary(report));
        return report;
    }

    private static void settle() throws InterruptedException {
        System.gc(); // the next system starts from a collected heap rather than inheriting the last one's garbage
        Thread.sleep(500);
    }

    static String summary(BenchReport r) {
        StringBuilder b = new StringBuilder();
        for (SystemResult s : new SystemResult[] {r.ours(), r.baseline()}) {
            if (s == null) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "  %-8s %6.1f video frames/s (of %.1f due), %6.1f overlays/s; "
                            + "video p50/p99/max %s ms; AI p50/p99/max %s ms; %.0f heap B/frame; GC %d (%d ms, max %d ms)%n",
                    s.name(), s.throughputFps(), s.framesDue() / s.seconds(), s.aiFps(), triple(s.video()),
                    triple(s.overlay()), s.allocBytesPerFrame(), s.gc()[0], s.gc()[1], s.gc()[2]));
            if (!s.note().isEmpty()) {
                b.append("           note: ").append(s.note()).append('\n');
            }
            if (!s.governors().isEmpty()) {
                b.append("           governors: ").append(s.governors()).append('\n');
            }
        }
        if (r.ours() != null && r.baseline() != null) {
            var ratios = r.toJson().get("ratios");
            b.append(String.format(Locale.ROOT, "  ours / baseline: throughput %s, AI p99 %s, video p99 %s%n",
                    ratios.get("throughput"), ratios.get("ai_p99"), ratios.get("video_p99")));
        }
        return b.toString();
    }

    private static String triple(org.HdrHistogram.Histogram h) {
        if (h.getTotalCount() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f/%.1f/%.1f", h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
    }

    private static Path reportPath(Plan plan, BenchSettings s, String stamp) {
        String tag = String.format(Locale.ROOT, "%dx%s@%s-%s-%s", s.streams(), s.resolution(),
                s.fps() == Math.rint(s.fps()) ? Long.toString((long) s.fps()) : Double.toString(s.fps()),
                modelTag(s.model()), s.device().replace(':', '-'));
        if (plan.report() != null) {
            if (plan.runs().size() == 1) {
                return plan.report();
            }
            return plan.report().resolveSibling(stem(plan.report()) + "-" + tag + ".json");
        }
        return defaultDir().resolve("bench-" + s.mode() + "-" + tag + "-" + stamp + ".json");
    }

    private static Path summaryPath(Plan plan, String stamp) {
        if (plan.report() != null) {
            return plan.report().resolveSibling(stem(plan.report()) + "-summary.md");
        }
        return defaultDir().resolve("bench-" + plan.runs().get(0).mode() + "-summary-" + stamp + ".md");
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }

    /** perf/results when run from the repository root (or perf/), else ./intravis-bench. */
    private static Path defaultDir() {
        if (Files.isDirectory(Path.of("perf", "results"))) {
            return Path.of("perf", "results");
        }
        if (Files.isDirectory(Path.of("results")) && Files.exists(Path.of("pom.xml"))) {
            return Path.of("results");
        }
        return Path.of("intravis-bench");
    }

    private static String modelTag(String model) {
        String m = model;
        int slash = Math.max(m.lastIndexOf('/'), m.lastIndexOf('\\'));
        if (slash >= 0) {
            m = m.substring(slash + 1);
        }
        if (m.endsWith(".onnx")) {
            m = m.substring(0, m.length() - 5);
        }
        return m.replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}
