package org.intravis.ui;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --tls-cert} and {@code --tls-key}, as the commands that serve on the network share them (a picocli mixin:
 * one wording, one meaning; the files are checked by {@link ServerTls}).
 */
final class TlsOptions {
    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve over TLS (HTTPS and WSS, or gRPC) with this "
            + "certificate (chain), PEM; needs --tls-key.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The certificate's private key, PEM.")
    Path key;

    /** The server settings with the certificate and key given, where they were (the configuration's stay otherwise). */
    IntravisConfig.Server applyTo(IntravisConfig.Server server) {
        if (cert != null) {
            server.tlsCert = cert.toString();
        }
        if (key != null) {
            server.tlsKey = key.toString();
        }
        return server;
    }
}
