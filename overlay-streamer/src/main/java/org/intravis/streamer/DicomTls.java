package org.intravis.streamer;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

/**
 * DICOM over TLS for the C-STORE client (DICOM PS3.15 Annex B, the BCP 195 profiles): TLS 1.3 or 1.2; the archive's
 * certificate must chain to the given CA certificates (PEM), or to the JDK's trust store when none are given, and
 * must name the host connected to; this side shows its own certificate and key (PEM, the forms the server's
 * {@code --tls-cert}/{@code --tls-key} take) to archives that authenticate their callers, as DICOM's secure
 * transport profiles do. Built once per command; {@link #wrap} makes one connection secure.
 */
public final class DicomTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SSLContext context;
    private final AskedKeyManager keys;

    private DicomTls(SSLContext context, AskedKeyManager keys) {
        this.context = context;
        this.keys = keys;
    }

    /**
     * @param trustPem CA certificates (PEM, one or more) the archive's certificate must chain to; null: the JDK's
     *                 trust store
     * @param certPem  this side's certificate (chain), PEM; null: none shown (then {@code keyPem} must be null too)
     * @param keyPem   its private key, PEM (PKCS#8, or PKCS#1 RSA, or SEC1 EC)
     * @throws IllegalArgumentException a file that is missing, unreadable or not what it should be, said which
     */
    public static DicomTls of(Path trustPem, Path certPem, Path keyPem) {
        if ((certPem == null) != (keyPem == null)) {
            throw new IllegalArgumentException("this side's certificate and its key go together: give both or neither");
        }
        try {
            AskedKeyManager keys = new AskedKeyManager(certPem == null ? null : keyManager(certPem, keyPem));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, trustPem == null ? null : trustManagers(trustPem), null);
            return new DicomTls(context, keys);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS cannot be set up: " + e.getMessage(), e);
        }
    }

    /**
     * The plain connection {@code plain} (to {@code host}) made secure: the handshake done, the archive's
     * certificate and name checked. Its failures are {@link javax.net.ssl.SSLException}s (or the socket's own).
     */
    SSLSocket wrap(Socket plain, String host) throws IOException {
        keys.asked = false;
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, plain.getPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host, as a browser checks it
        p.setProtocols(PROTOCOLS);
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    /** Whether the archive asked for this side's certificate in the last {@link #wrap}'s handshake. */
    boolean askedForOwnCertificate() {
        return keys.asked;
    }

    /** Whether this side has a certificate to show. */
    boolean showsOwnCertificate() {
        return keys.own != null;
    }

    private static TrustManager[] trustManagers(Path pem) throws GeneralSecurityException {
        Collection<? extends Certificate> cas;
        try (InputStream in = Files.newInputStream(pem)) {
            cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the trusted certificates " + pem + ": " + e.getMessage(),
                    e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(pem + " is not PEM certificates: " + e.getMessage(), e);
        }
        if (cas.isEmpty()) {
            throw new IllegalArgumentException(pem + " holds no certificate");
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e); // an empty store reads nothing
        }
        int i = 0;
        for (Certificate ca : cas) {
            store.setCertificateEntry("ca-" + i++, ca);
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        return f.getTrustManagers();
    }

    private static X509KeyManager keyManager(Path certPem, Path keyPem) {
        String cert = read(certPem, "certificate");
        String key = read(keyPem, "key");
        if (!cert.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(certPem + " is not a PEM certificate");
        }
        if (!key.matches("(?s).*-----BEGIN (RSA |EC )?PRIVATE KEY-----.*")) {
            throw new IllegalArgumentException(keyPem + " is not an unencrypted PEM private key");
        }
        try {
            // Vert.x's PEM reader (the server's, ServerTls): PKCS#8, PKCS#1 RSA and SEC1 EC keys; no Vert.x
            // instance is needed for values given in memory
            for (KeyManager k : new PemKeyCertOptions().setCertValue(Buffer.buffer(cert))
                    .setKeyValue(Buffer.buffer(key)).getKeyManagerFactory(null).getKeyManagers()) {
                if (k instanceof X509KeyManager x) {
                    return x;
                }
            }
            throw new IllegalArgumentException("no X.509 key in " + keyPem);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("the certificate " + certPem + " and key " + keyPem
                    + " cannot be used: " + e.getMessage(), e);
        }
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * This side's key manager (or none), noting whether the archive asked for a certificate: under TLS 1.3 an
     * archive that refuses a missing or unknown one says so only after the handshake has finished here.
     */
    private static final class AskedKeyManager extends X509ExtendedKeyManager {
        private final X509KeyManager own;
        volatile boolean asked;

        AskedKeyManager(X509KeyManager own) {
            this.own = own;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            asked = true;
            return own == null ? null : own.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            asked = true;
            return own == null ? null : own.chooseClientAlias(keyType, issuers, null);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return own == null ? null : own.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null; // a client only
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return own == null ? null : own.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return own == null ? null : own.getPrivateKey(alias);
        }
    }
}
