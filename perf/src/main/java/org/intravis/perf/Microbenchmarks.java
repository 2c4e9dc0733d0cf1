package org.intravis.perf;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the JMH microbenchmarks with the GC profiler and a short configuration (1 fork, 3 warm-up and 5 measured
 * iterations of 1 s each), writing JMH's JSON and a Markdown table (percentiles, heap bytes per operation) under
 * perf/results (or the folder given):
 * <pre>
 *   java -cp perf/target/intravis-bench.jar org.intravis.perf.Microbenchmarks [REGEX] [--long] [--out DIR]
 * </pre>
 * REGEX selects benchmarks (default: all): Control, RingHop, Preprocess, PostProcess, MaskPolygons, ZoneSmoother, OverlayJson,
 * Encode.
 * {@code --long} uses 5 warm-up and 10 measured iterations. For anything else, JMH's own command line works on the
 * same class path: {@code java -cp perf/target/intravis-bench.jar org.openjdk.jmh.Main -prof gc ...} (the bench jar
 * names the product jar in its manifest; JMH's forks inherit both).
 */
public final class Microbenchmarks {
    private Microbenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String include = ".*(Control|RingHop|Preprocess|PostProcess|MaskPolygons|ZoneSmoother|SceneCut|OverlayJson|Encode|NeedleTip)Benchmark.*";
        boolean longRun = false;
        Path out = Files.isDirectory(Path.of("perf", "results")) ? Path.of("perf", "results") : Path.of(".");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--long" -> longRun = true;
                case "--out" -> out = Path.of(args[++i]);
                default -> include = args[i];
            }
        }
        Files.createDirectories(out);
        Path result = out.resolve("jmh-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + ".json");
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(include)
                .addProfiler(GCProfiler.class)
                .forks(1)
                .jvmArgsAppend("-Xmx2g")
                .warmupIterations(longRun ? 5 : 3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(longRun ? 10 : 5)
                .measurementTime(TimeValue.seconds(1))
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString());
        Collection<RunResult> results = new Runner(o.build()).run();
        Path md = result.resolveSibling(result.getFileName().toString().replace(".json", ".md"));
        Files.writeString(md, markdown(results));
        System.out.println("JMH results: " + result + " and " + md.getFileName());
    }

    /** One row per benchmark and parameter set: sample-time percentiles (µs) and heap bytes per operation. */
    static String markdown(Collection<RunResult> results) {
        Map<String, Object> machine = MachineInfo.describe();
        StringBuilder b = new StringBuilder("# intravis microbenchmarks (JMH, -prof gc)\n\n");
        b.append(String.format(Locale.ROOT, "Machine: %s cores, %s; %s; %s; commit %s; load average %s.%n%n",
                machine.get("cores"), machine.get("cpu"), machine.get("jdk"), machine.get("date"),
                machine.get("git_commit"), machine.get("load_average")));
        b.append("| benchmark | parameters | samples | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | heap B/op |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String name = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.', p.getBenchmark().lastIndexOf('.') - 1) + 1);
            StringBuilder params = new StringBuilder();
            for (String k : p.getParamsKeys()) {
                params.append(params.length() > 0 ? ", " : "").append(k).append('=').append(p.getParam(k));
            }
            Statistics st = r.getPrimaryResult().getStatistics();
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %s |%n", name,
                    params, st.getN(), st.getPercentile(50), st.getPercentile(90), st.getPercentile(99),
                    st.getPercentile(99.9), st.getMax(),
                    alloc == null ? "-" : String.format(Locale.ROOT, "%.1f ± %.1f", alloc.getScore(), alloc.getScoreError())));
        }
        return b.toString();
    }
}
