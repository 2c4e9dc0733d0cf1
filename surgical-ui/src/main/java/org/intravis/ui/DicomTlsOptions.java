package org.intravis.ui;

import org.intravis.streamer.DicomTls;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --tls}, {@code --tls-trust}, {@code --tls-cert}, {@code --tls-key}: DICOM over TLS to an archive, as the
 * commands that store in one share them (a picocli mixin: one wording, one meaning; {@link DicomTls} checks them).
 */
final class DicomTlsOptions {
    @Option(names = "--tls", description = "Store over TLS (DICOM's secure transport, TLS 1.3 or 1.2): the archive's "
            + "certificate must chain to --tls-trust (else Java's trust store) and name the host. Implied by the "
            + "--tls-* options.")
    boolean tls;

    @Option(names = "--tls-trust", paramLabel = "PEM",
            description = "The CA certificate(s), PEM, that the archive's certificate must chain to.")
    Path trust;

    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "This side's certificate (chain), PEM, for an archive that authenticates its callers; "
                    + "needs --tls-key.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "That certificate's private key, PEM.")
    Path key;

    /** The TLS asked for, or null for plain DICOM; a {@link UserError} that says what is wrong with the files. */
    DicomTls toTls() {
        if (!tls && trust == null && cert == null && key == null) {
            return null;
        }
        try {
            return DicomTls.of(trust, cert, key);
        } catch (IllegalArgumentException e) {
            throw new UserError("--tls: " + e.getMessage());
        }
    }
}
