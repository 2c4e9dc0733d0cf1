package org.intravis.ui;

import org.intravis.perf.LatencyHarness;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code intravis bench}: the end-to-end latency harness of the perf module (the pipeline against a naive baseline,
 * results as JSON and Markdown). Its options are the harness's own, passed through unchanged; {@code --help} lists
 * them.
 */
@Command(name = "bench", description = "Measure latency, throughput and allocation end to end against a naive "
        + "baseline (--quick, --full; --help for the options).")
final class BenchCommand implements Callable<Integer> {

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        int code = LatencyHarness.execute(System.out, System.err, args.toArray(new String[0]));
        return code == 2 ? Intravis.EXIT_USER_ERROR : code;
    }
}
