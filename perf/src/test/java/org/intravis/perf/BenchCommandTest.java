package org.intravis.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.ui.Intravis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream systemOut;
    private PrintStream systemErr;

    /** The command prints to System.out and System.err, as from a terminal: catch them for the test. */
    @BeforeEach
    void catchOutput() {
        systemOut = System.out;
        systemErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(systemOut);
        System.setErr(systemErr);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheHarnessOptions() {
        assertThat(Intravis.execute("bench", "--help")).as(err()).isZero();
        assertThat(out()).contains("Usage: intravis bench", "--quick", "--full", "--report FILE.json");
    }

    @Test
    void aBadOptionIsAUsageError() {
        assertThat(Intravis.execute("bench", "--streams", "many")).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(err()).contains("--streams takes a whole number").doesNotContain("\tat ");
    }

    @Test
    void aTinyRunWritesTheReport() throws Exception {
        Path report = dir.resolve("tiny.json");
        int code = Intravis.execute("bench", "--streams", "1", "--resolution", "160x120", "--warmup", "0.5",
                "--seconds", "1", "--loop-frames", "4", "--model", "ground-truth", "--no-baseline",
                "--report", report.toString());
        assertThat(code).as(err()).isZero();
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("resolution").asText()).isEqualTo("160x120");
        assertThat(json.path("ours").path("throughput_fps").asDouble()).isPositive();
        assertThat(json.path("baseline").isNull()).isTrue();
    }
}
