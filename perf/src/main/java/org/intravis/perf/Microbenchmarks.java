package org.intravis.perf;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Runs the JMH microbenchmarks with the GC profiler and a short configuration (1 fork, 3 warm-up and 5 measured
 * iterations of 1 s each), writing JMH's JSON under perf/results (or the folder given):
 * <pre>
 *   java -cp surgical-ui/target/intravis.jar org.intravis.perf.Microbenchmarks [REGEX] [--long] [--out DIR]
 * </pre>
 * REGEX selects benchmarks (default: all): Control, RingHop, Preprocess, MaskPolygons, OverlayJson, Encode.
 * {@code --long} uses 5 warm-up and 10 measured iterations. For anything else, JMH's own command line works on the
 * same class path: {@code java -cp intravis.jar org.openjdk.jmh.Main -prof gc ...}.
 */
public final class Microbenchmarks {
    private Microbenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String include = ".*(Control|RingHop|Preprocess|MaskPolygons|OverlayJson|Encode)Benchmark.*";
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
        new Runner(o.build()).run();
        System.out.println("JMH results: " + result);
    }
}
