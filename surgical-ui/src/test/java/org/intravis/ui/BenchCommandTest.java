package org.intravis.ui;

import org.intravis.ui.testing.CommandRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code intravis bench} without the bench: the product does not contain the perf module, and says where the bench
 * is instead of failing obscurely. (With the bench jar, perf's own tests run the command through to the harness.)
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void withoutTheBenchJarItSaysHowToGetIt() {
        String old = System.getProperty("intravis.bench");
        System.setProperty("intravis.bench", dir.resolve("missing.jar").toString());
        try {
            CommandRun.Result r = CommandLineErrorsTest.run("bench", "--quick");
            assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
            assertThat(r.err()).contains("test bench is not in this jar", BenchCommand.BENCH_JAR, "-Dintravis.bench")
                    .doesNotContain("\tat ");
        } finally {
            if (old == null) {
                System.clearProperty("intravis.bench");
            } else {
                System.setProperty("intravis.bench", old);
            }
        }
    }

    @Test
    void theProductJarHasNoBench() {
        assertThat(getClass().getClassLoader().getResource("org/intravis/perf/LatencyHarness.class")).isNull();
        assertThat(getClass().getClassLoader().getResource("org/openjdk/jmh/Main.class")).isNull();
    }
}
