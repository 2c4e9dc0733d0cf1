package org.intravis.ui;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for the TLS tests, made by {@code openssl} as the README tells a user to make one (a key
 * and a certificate for 127.0.0.1 and localhost, PEM), and an {@link SSLContext} that trusts exactly that
 * certificate, so the test's HTTP and WebSocket clients check the server's identity for real.
 */
record TestCertificates(Path cert, Path key) {

    /** A new RSA key and certificate in {@code dir}, named after {@code name}. */
    static TestCertificates create(Path dir, String name) throws Exception {
        return create(dir, name, "rsa:2048");
    }

    /** {@code newkey} as openssl's -newkey takes it: rsa:2048, or ec -pkeyopt ... (not needed yet). */
    static TestCertificates create(Path dir, String name, String newkey) throws Exception {
        Path cert = dir.resolve(name + "-cert.pem");
        Path key = dir.resolve(name + "-key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", newkey, "-nodes", "-sha256",
                "-days", "2", "-subj", "/CN=intravis test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openssl failed: " + output);
        }
        return new TestCertificates(cert, key);
    }

    /** Trusts this certificate only. */
    SSLContext trusting() throws Exception {
        Certificate c;
        try (InputStream in = Files.newInputStream(cert)) {
            c = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("intravis-test", c);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The configuration's server section set to serve with this pair. */
    IntravisConfig withTls(IntravisConfig config) {
        config.server.tlsCert = cert.toString();
        config.server.tlsKey = key.toString();
        return config;
    }

    List<String> runOptions() {
        return List.of("--tls-cert", cert.toString(), "--tls-key", key.toString());
    }
}
