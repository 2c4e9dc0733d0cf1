package org.intravis.pipeline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real DICOM archive for the tests: DCMTK's {@code storescp} (Debian's dcmtk, which {@code .ci/run} installs), the
 * reference implementation of the storage service, listening on a free port with the AE title {@code TEACHING} and
 * writing what it stores into a folder. Stopped at {@link #close()}. {@link #startTls} starts one that speaks DICOM
 * over TLS with the test certificates of {@code dicom-tls/} (their README: test only, the keys are public).
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

    /**
     * One that takes DICOM over TLS only: its certificate and key are the test certificate {@code archiveCert}
     * ({@code "archive"}, {@code "wrongname"} or {@code "stranger"}: {@link #tlsFile}), and it demands a caller's
     * certificate signed by the test CA (storescp's default), unless {@code options} say otherwise.
     */
    public static StoreScp startTls(Path folder, String archiveCert, String... options)
            throws IOException, InterruptedException {
        Path tls = folder.resolveSibling(folder.getFileName() + "-tls");
        Path key = tlsFile(tls, archiveCert + ".key");
        Path cert = tlsFile(tls, archiveCert + ".pem");
        Path trusted = tlsFile(tls, "ca.pem");
        List<String> all = new ArrayList<>(List.of("+tls", key.toString(), cert.toString(), "+cf", trusted.toString()));
        all.addAll(Arrays.asList(options));
        return start(folder, all.toArray(String[]::new));
    }

    /** A test certificate or key of {@code dicom-tls/} (e.g. {@code "client.pem"}) copied into {@code into}. */
    public static Path tlsFile(Path into, String name) throws IOException {
        Files.createDirectories(into);
        Path file = into.resolve(name);
        try (InputStream in = StoreScp.class.getResourceAsStream("dicom-tls/" + name)) {
            if (in == null) {
                throw new IOException("no test certificate file dicom-tls/" + name);
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
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
