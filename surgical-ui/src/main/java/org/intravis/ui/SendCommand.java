package org.intravis.ui;

import org.intravis.streamer.DicomStoreClient;
import org.intravis.streamer.DicomTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code intravis send --file case.dcm --to PACS@host:104}: a DICOM file (an {@code export --output case.dcm}) stored
 * in a PACS or teaching-file archive with a C-STORE ({@link DicomStoreClient}). The archive must know this side's AE
 * title ({@code --calling-ae}); plain DICOM over TCP, or DICOM over TLS with {@code --tls} ({@link DicomTlsOptions}).
 */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Store a DICOM file (an exported case) in a PACS or teaching-file archive (C-STORE).")
final class SendCommand implements Callable<Integer> {

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "The DICOM file, e.g. case.dcm.")
    Path file;

    @Option(names = "--to", required = true, paramLabel = "AE@HOST:PORT",
            description = "The archive: its AE title, host and port, e.g. PACS@10.0.0.5:104.")
    String to;

    @Option(names = "--calling-ae", defaultValue = "INTRAVIS",
            description = "This side's AE title (default: ${DEFAULT-VALUE}).")
    String callingAe;

    @Option(names = "--timeout-s", defaultValue = "" + DEFAULT_TIMEOUT_S,
            description = "Seconds to wait for each answer (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--retries", defaultValue = "" + DEFAULT_RETRIES,
            description = "Times to send again when the archive is not reachable, busy, or the connection is cut "
                    + "(default: ${DEFAULT-VALUE}); a refusal of the file is not retried.")
    int retries;

    @Option(names = "--retry-wait-s", defaultValue = "" + DEFAULT_RETRY_WAIT_S,
            description = "Seconds between tries (default: ${DEFAULT-VALUE}).")
    int retryWaitSeconds;

    @Mixin
    DicomTlsOptions tls;

    static final int DEFAULT_TIMEOUT_S = 30;
    /** An archive restarting or busy for a moment should not need an operator to send the case again. */
    static final int DEFAULT_RETRIES = 2;
    static final int DEFAULT_RETRY_WAIT_S = 10;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(file)) {
            throw new UserError("no file " + file);
        }
        if (timeoutSeconds < 1) {
            throw new UserError("--timeout-s must be at least 1");
        }
        if (retries < 0 || retryWaitSeconds < 0) {
            throw new UserError("--retries and --retry-wait-s must not be negative");
        }
        System.out.println(store(file, destination(to, callingAe), tls.toTls(), timeoutSeconds, retries,
                retryWaitSeconds));
        return 0;
    }

    /** {@code AE@HOST:PORT} as a destination, or a {@link UserError} that says the form. */
    static DicomStoreClient.Destination destination(String to, String callingAe) {
        try {
            return DicomStoreClient.Destination.parse(to, callingAe);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /**
     * Stores {@code file} at {@code to}, again up to {@code retries} times {@code waitSeconds} apart while the failure
     * may pass (each said on stderr), over TLS where {@code tls} is not null; returns the line to print, or throws a
     * {@link UserError} saying why not.
     */
    static String store(Path file, DicomStoreClient.Destination to, DicomTls tls, int timeoutSeconds, int retries,
                        int waitSeconds) {
        DicomStoreClient.Result r;
        try {
            r = new DicomStoreClient(to, timeoutSeconds * 1000, tls).send(file, retries, waitSeconds * 1000L,
                    why -> System.err.println("not stored yet: " + why));
        } catch (IOException e) {
            throw new UserError("not stored: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("not stored: interrupted");
        }
        return String.format(Locale.ROOT, "stored %s in %s%s: %.1f MB in %.1f s%s", file.getFileName(), to,
                tls == null ? "" : " over TLS",
                r.datasetBytes() / 1e6, r.seconds(),
                r.warning() ? String.format(Locale.ROOT, " (with a warning, status 0x%04X)", r.status()) : "");
    }
}
