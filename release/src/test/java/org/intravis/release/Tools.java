package org.intravis.release;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command-line tools the release checks run (kubectl, systemd-analyze, a newer Java): their exit status and
 * output.
 */
final class Tools {
    private Tools() {
    }

    record Result(int code, String out) {
    }

    /**
     * Runs {@code command} with {@code env} added; a tool that is not installed fails the test and says what to
     * install ({@code .ci/run} installs it).
     */
    static Result run(List<String> command, Map<String, String> env, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(command.get(0) + " is needed by this test and is not installed (Debian package "
                    + (command.get(0).equals("kubectl") ? "kubectl" : "systemd") + "; .ci/run installs it): " + e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), out);
    }
}
