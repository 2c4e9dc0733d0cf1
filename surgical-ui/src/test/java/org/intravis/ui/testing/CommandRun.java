package org.intravis.ui.testing;

import org.intravis.ui.Intravis;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs an {@code intravis} command line in this JVM, as the launcher would, and keeps what it printed: for tests of
 * the commands here and in other modules (surgical-ui's test-jar carries this package).
 */
public final class CommandRun {
    private CommandRun() {
    }

    /** The exit status and what went to standard output and standard error. */
    public record Result(int code, String out, String err) {
    }

    public static Result run(String... args) {
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
}
