package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code intravis bench} reaches the perf module's harness with its arguments unchanged. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheHarnessOptions() {
        CommandLineErrorsTest.Result r = CommandLineErrorsTest.run("bench", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: intravis bench", "--quick", "--full", "--report FILE.json");
    }

    @Test
    void aBadOptionIsAUsageError() {
        CommandLineErrorsTest.Result r = CommandLineErrorsTest.run("bench", "--streams", "many");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("--streams takes a whole number").doesNotContain("\tat ");
    }

    @Test
    void aTinyRunWritesTheReport() throws Exception {
        Path report = dir.resolve("tiny.json");
        CommandLineErrorsTest.Result r = CommandLineErrorsTest.run("bench", "--streams", "1", "--resolution", "160x120",
                "--warmup", "0.5", "--seconds", "1", "--loop-frames", "4", "--model", "ground-truth", "--no-baseline",
                "--report", report.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("resolution").asText()).isEqualTo("160x120");
        assertThat(json.path("ours").path("throughput_fps").asDouble()).isPositive();
        assertThat(json.path("baseline").isNull()).isTrue();
    }
}
