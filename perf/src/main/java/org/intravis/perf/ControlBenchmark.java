package org.intravis.perf;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

import java.util.concurrent.TimeUnit;

/**
 * The floor of the other benchmarks' figures: an operation that does nothing, in the same mode. Its time is the
 * cost of taking a sample; its {@code gc.alloc.rate.norm} is what JMH's own threads allocate per operation, which
 * the GC profiler (counting every thread) adds to every benchmark here.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ControlBenchmark {
    @Benchmark
    public void nothing() {
        // intentionally empty
    }
}
