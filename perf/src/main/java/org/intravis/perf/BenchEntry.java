package org.intravis.perf;

import org.intravis.ui.BenchHarness;

import java.io.PrintStream;

/**
 * How {@code intravis bench} finds the latency harness at run time: registered in
 * {@code META-INF/services/org.intravis.ui.BenchHarness}, so the application needs no compile-time link to perf.
 */
public final class BenchEntry implements BenchHarness {
    @Override
    public int run(PrintStream out, PrintStream err, String... args) {
        return LatencyHarness.execute(out, err, args);
    }
}
