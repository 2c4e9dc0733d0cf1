package org.intravis.ui;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * {@code intravis bench}: the end-to-end latency harness of the perf module (the pipeline against a naive baseline,
 * results as JSON and Markdown), its options passed through unchanged ({@code --help} lists them).
 * <p>
 * The harness is not in the product jar (perf stands above the application, not under it); it is found at run
 * time: on the class path (running {@code perf/target/intravis-bench.jar}), else the bench jar named by
 * {@code -Dintravis.bench=FILE}, else {@code perf/target/intravis-bench.jar} of the checkout this jar was built in.
 */
@Command(name = "bench", description = "Measure latency, throughput and allocation end to end against a naive "
        + "baseline (--quick, --full; --help for the options). Needs the bench jar (perf module).")
final class BenchCommand implements Callable<Integer> {
    static final String BENCH_JAR = "perf/target/intravis-bench.jar";

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        BenchHarness harness = find().orElseThrow(() -> new UserError("the test bench is not in this jar and "
                + BENCH_JAR + " was not found: build it (mvn -pl perf -am package -DskipTests), or name it with "
                + "-Dintravis.bench=FILE"));
        int code = harness.run(System.out, System.err, args.toArray(new String[0]));
        return code == 2 ? Intravis.EXIT_USER_ERROR : code;
    }

    /** The bench on the class path, or in the bench jar where {@link #benchJars()} looks. */
    static Optional<BenchHarness> find() {
        Optional<BenchHarness> here = ServiceLoader.load(BenchHarness.class, BenchCommand.class.getClassLoader())
                .findFirst();
        if (here.isPresent()) {
            return here;
        }
        for (Path jar : benchJars()) {
            if (Files.isRegularFile(jar)) {
                // lives as long as the command: the bench's classes are in use until the process ends
                URLClassLoader loader = new URLClassLoader(new URL[] {url(jar)}, BenchCommand.class.getClassLoader());
                Optional<BenchHarness> h = ServiceLoader.load(BenchHarness.class, loader).findFirst();
                if (h.isPresent()) {
                    return h;
                }
            }
        }
        return Optional.empty();
    }

    /** {@code -Dintravis.bench} alone when given; else the checkout's bench jar, seen from where this class is. */
    static List<Path> benchJars() {
        String named = System.getProperty("intravis.bench");
        if (named != null) {
            return List.of(Path.of(named));
        }
        List<Path> out = new ArrayList<>();
        CodeSource code = BenchCommand.class.getProtectionDomain().getCodeSource();
        if (code == null) {
            return out; // nowhere to start from: only the class path counts
        }
        try {
            // surgical-ui/target/intravis.jar, or surgical-ui/target/classes when run from the build
            Path here = Path.of(code.getLocation().toURI());
            for (Path dir = here.getParent(); dir != null && out.size() < 4; dir = dir.getParent()) {
                out.add(dir.resolve(BENCH_JAR));
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file location: only the class path counts
        }
        return out;
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
