package org.intravis.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.ui.Intravis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code intravis bench} finds this module's harness at run time (the application has no compile-time link to perf)
 * and reaches it with its arguments unchanged.
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int code = Intravis.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }

    @Test
    void helpListsTheHarnessOptions() {
        Result r = run("bench", "--help");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Usage: intravis bench", "--quick", "--full", "--report FILE.json");
    }

    @Test
    void aBadOptionIsAUsageError() {
        Result r = run("bench", "--streams", "many");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("--streams takes a whole number").doesNotContain("\tat ");
    }

    @Test
    void aTinyRunWritesTheReport() throws Exception {
        Path report = dir.resolve("tiny.json");
        Result r = run("bench", "--streams", "1", "--resolution", "160x120", "--warmup", "0.5", "--seconds", "1",
                "--loop-frames", "4", "--model", "ground-truth", "--no-baseline", "--report", report.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("resolution").asText()).isEqualTo("160x120");
        assertThat(json.path("ours").path("throughput_fps").asDouble()).isPositive();
        assertThat(json.path("baseline").isNull()).isTrue();
    }
}
