package org.intravis.ui;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gives a clear one-line message and a non-zero exit, never a stack trace. */
class CommandLineErrorsTest {

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

    record Result(int code, String out, String err) {
    }

    @Test
    void unknownSchemeIsNamed() {
        Result r = run("run", "--source", "bogus:thing", "--port", "0", "--duration", "1");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("unknown source scheme 'bogus'").doesNotContain("\tat ");
    }

    @Test
    void uriWithoutSchemeIsExplained() {
        Result r = run("run", "--source", "nocolon", "--port", "0", "--duration", "1");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("has no scheme").doesNotContain("\tat ");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result r = run("run", "--frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option");
    }
}
