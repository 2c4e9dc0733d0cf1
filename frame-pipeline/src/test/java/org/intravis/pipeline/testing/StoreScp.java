package org.intravis.pipeline.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real DICOM archive for the tests: DCMTK's {@code storescp} (Debian's dcmtk, which {@code .ci/run} installs), the
 * reference implementation of the storage service, listening on a free port with the AE title {@code TEACHING} and
 * writing what it stores into a folder. Stopped at {@link #close()}.
 */
public final class StoreScp implements AutoCloseable {
    public static final String AE_TITLE = "TEACHING";
    private final Process process;
    private final Path folder;
    private final int port;

    private StoreScp(Process process, Path folder, int port) {
        this.process = process;
        this.folder = folder;
        this.port = port;
    }

    /** Starts one storing into {@code folder} with storescp's {@code options}; returns once it listens. */
    public static StoreScp start(Path folder, String... options) throws IOException, InterruptedException {
        return start(folder, freePort(), options);
    }

    /** The same on a given {@code port} (an archive that comes up where a client has been trying). */
    public static StoreScp start(Path folder, int port, String... options) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        List<String> cmd = new ArrayList<>(List.of("storescp", "--aetitle", AE_TITLE, "-od", folder.toString()));
        cmd.addAll(Arrays.asList(options));
        cmd.add(String.valueOf(port));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(folder.resolveSibling(folder.getFileName() + "-storescp.log").toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("storescp (Debian's dcmtk) is needed for this test: " + e.getMessage(), e);
        }
        StoreScp scp = new StoreScp(p, folder, port);
        long until = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < until) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return scp;
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new AssertionError("storescp exited with " + p.exitValue() + " (its log: "
                            + folder.resolveSibling(folder.getFileName() + "-storescp.log") + ")");
                }
                Thread.sleep(50);
            }
        }
        scp.close();
        throw new AssertionError("storescp did not listen on " + port);
    }

    /** A port nothing listens on (just now). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** {@code TEACHING@127.0.0.1:PORT}. */
    public String destination() {
        return AE_TITLE + "@127.0.0.1:" + port;
    }

    /** The files it has stored. */
    public List<Path> stored() throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
