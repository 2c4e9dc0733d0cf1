package org.intravis.capture.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The OpenIGTLink reference implementation (Debian's {@code libopenigtlink-dev}, 1.11, and its examples'
 * sources in {@code openigtlink-examples}), for tests that talk to it over real sockets: a C++ program is compiled
 * once per build with g++ into {@code target/igtl-native/}. Missing pieces fail the test (never skip it) with the
 * packages to install; {@code .ci/run} installs them.
 */
public final class IgtlReferenceLibrary {
    public static final Path INCLUDE = Path.of("/usr/include/openigtlink");
    public static final Path EXAMPLES = Path.of("/usr/share/doc/openigtlink-examples/examples");
    private static final String INSTALL = "the OpenIGTLink reference library is needed for this test: "
            + "apt-get install libopenigtlink-dev openigtlink-examples g++ (.ci/run installs them)";

    private IgtlReferenceLibrary() {
    }

    /** The example's source, e.g. {@code Imager/ImagerServer.cxx}; fails with the install line when absent. */
    public static Path example(String relative) {
        Path p = EXAMPLES.resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError(INSTALL + " (no " + p + ")");
        }
        return p;
    }

    /**
     * Compiles {@code source} against the library into {@code target/igtl-native/NAME} (once: an executable newer than
     * its source is reused) and returns the executable.
     */
    public static synchronized Path compile(Path source, String name) throws IOException, InterruptedException {
        if (!Files.isDirectory(INCLUDE) || !Files.exists(INCLUDE.resolve("igtlMessageBase.h"))) {
            throw new AssertionError(INSTALL + " (no headers in " + INCLUDE + ")");
        }
        Path dir = Path.of("target", "igtl-native").toAbsolutePath();
        Files.createDirectories(dir);
        Path exe = dir.resolve(name);
        if (Files.isExecutable(exe) && Files.getLastModifiedTime(exe).compareTo(Files.getLastModifiedTime(source)) > 0) {
            return exe;
        }
        List<String> cmd = new ArrayList<>(List.of("g++", "-O1", "-w", "-I" + INCLUDE, source.toString(),
                "-o", exe.toString(), "-lOpenIGTLink"));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(INSTALL + " (g++ did not start: " + e.getMessage() + ")", e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("compiling " + source + " failed (" + INSTALL + "):\n" + out);
        }
        return exe;
    }
}
