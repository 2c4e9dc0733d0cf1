package org.intravis.ui.igtl;

import org.intravis.capture.testing.IgtlReferenceLibrary;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code src/test/cpp/igtl_count_client.cxx}, a client built on the OpenIGTLink reference library, against a
 * server for some seconds, and reads what it printed: per type the messages the library accepted (CRC and layout) and
 * those it refused, and one line of detail per device.
 */
final class ReferenceClient {
    private ReferenceClient() {
    }

    /** What the client saw. */
    record Result(Map<String, Long> ok, Map<String, Long> bad, List<String> lines, String end) {
        long ok(String type) {
            return ok.getOrDefault(type, 0L);
        }

        long badTotal() {
            return bad.values().stream().mapToLong(Long::longValue).sum();
        }

        /** The first detail line starting with {@code prefix}, or null. */
        String line(String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return String.join("\n", lines);
        }
    }

    static Path executable() throws Exception {
        return IgtlReferenceLibrary.compile(Path.of("src/test/cpp/igtl_count_client.cxx").toAbsolutePath(),
                "igtl_count_client");
    }

    /** Starts the client (already compiled) without waiting for it. */
    static Process start(Path exe, int port, double seconds) throws Exception {
        return new ProcessBuilder(exe.toString(), "127.0.0.1", String.valueOf(port), String.valueOf(seconds))
                .redirectErrorStream(true).start();
    }

    static Result run(int port, double seconds) throws Exception {
        return finish(start(executable(), port, seconds), seconds);
    }

    static Result finish(Process p, double seconds) throws Exception {
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor((long) (seconds * 1000) + 10_000, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the reference client did not finish:\n" + out);
        }
        Map<String, Long> ok = new HashMap<>();
        Map<String, Long> bad = new HashMap<>();
        List<String> lines = new ArrayList<>();
        String end = "";
        for (String line : out.split("\n")) {
            lines.add(line);
            String[] f = line.trim().split(" ");
            if (f.length == 5 && f[1].equals("ok") && f[3].equals("bad")) {
                ok.put(f[0], Long.parseLong(f[2]));
                bad.put(f[0], Long.parseLong(f[4]));
            } else if (f[0].equals("END")) {
                end = f.length > 2 ? f[2] : "";
            }
        }
        return new Result(ok, bad, lines, end);
    }
}
