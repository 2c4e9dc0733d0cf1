package org.intravis.ui;

import org.intravis.ui.testing.CommandRun;
import org.intravis.ui.testing.CommandRun.Result;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input gives a clear one-line message and a non-zero exit, never a stack trace. */
class CommandLineErrorsTest {

    static Result run(String... args) {
        return CommandRun.run(args);
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
