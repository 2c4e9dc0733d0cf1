package org.intravis.ui;

import java.io.PrintStream;

/**
 * The test bench, as {@code intravis bench} finds it at run time. The perf module provides it (a
 * {@code META-INF/services} entry in {@code perf/target/intravis-bench.jar}); the product jar does not contain it,
 * so the application stands on its own and JMH and the naive baseline do not ship with it.
 */
public interface BenchHarness {

    /** Runs a bench command line; returns 0 when done, 2 for bad arguments, 1 when a run failed. */
    int run(PrintStream out, PrintStream err, String... args);
}
