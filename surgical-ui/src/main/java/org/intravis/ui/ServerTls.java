package org.intravis.ui;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Collections;

/**
 * The server's TLS identity (HTTPS and WSS) from a PEM certificate and key, checked before the server starts: a
 * missing, unreadable or non-PEM file, or a key that is not the certificate's, is a {@link UserError} naming the file
 * rather than a handshake failure in the browser later. Beyond secrecy, TLS makes a display that is not
 * {@code localhost} a secure context, which the pages' WebCodecs (H.264) decoding needs.
 */
final class ServerTls {
    /** Plain HTTP. */
    static final ServerTls NONE = new ServerTls(null);

    private final PemKeyCertOptions pem;

    private ServerTls(PemKeyCertOptions pem) {
        this.pem = pem;
    }

    /** From the configuration's {@code server.tlsCert} and {@code server.tlsKey}: both, or neither (plain HTTP). */
    static ServerTls from(IntravisConfig.Server server) {
        boolean cert = server.tlsCert != null && !server.tlsCert.isBlank();
        boolean key = server.tlsKey != null && !server.tlsKey.isBlank();
        if (!cert && !key) {
            return NONE;
        }
        if (cert != key) {
            throw new UserError("TLS needs both a certificate and its key: give --tls-cert and --tls-key "
                    + "(server.tlsCert and server.tlsKey), or neither");
        }
        return load(Path.of(server.tlsCert), Path.of(server.tlsKey));
    }

    /** Reads and checks the pair; every failure is a {@link UserError} naming the file and what is wrong with it. */
    static ServerTls load(Path certFile, Path keyFile) {
        String certPem = read("certificate", certFile);
        String keyPem = read("key", keyFile);
        if (!certPem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new UserError("TLS certificate " + certFile + " is not a PEM certificate (expected "
                    + "-----BEGIN CERTIFICATE-----)");
        }
        if (!keyPem.matches("(?s).*-----BEGIN (RSA |EC )?PRIVATE KEY-----.*")) {
            throw new UserError("TLS key " + keyFile + " is not an unencrypted PEM private key (expected "
                    + "-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
        PemKeyCertOptions pem = new PemKeyCertOptions()
                .setCertValue(Buffer.buffer(certPem, "US-ASCII"))
                .setKeyValue(Buffer.buffer(keyPem, "US-ASCII"));
        X509KeyManager km;
        String alias;
        Vertx scratch = Vertx.vertx(); // the loader wants one; nothing runs on it
        try {
            KeyStore store = pem.loadKeyStore(scratch);
            alias = Collections.list(store.aliases()).stream().findFirst()
                    .orElseThrow(() -> new IllegalStateException("no key in the store"));
            KeyManagerFactory kmf = pem.getKeyManagerFactory(scratch);
            km = keyManager(kmf.getKeyManagers());
        } catch (Exception e) {
            throw new UserError("cannot load the TLS certificate " + certFile + " with key " + keyFile + ": "
                    + UserError.firstLine(e), e);
        } finally {
            scratch.close();
        }
        PrivateKey privateKey = km.getPrivateKey(alias);
        X509Certificate[] chain = km.getCertificateChain(alias);
        if (privateKey == null || chain == null || chain.length == 0) {
            throw new UserError("cannot load the TLS certificate " + certFile + " with key " + keyFile);
        }
        if (!pairs(privateKey, chain[0].getPublicKey())) {
            throw new UserError("TLS key " + keyFile + " does not match the certificate " + certFile
                    + " (its first certificate must be the one the key belongs to)");
        }
        return new ServerTls(pem);
    }

    boolean enabled() {
        return pem != null;
    }

    /** {@code https} or {@code http}, for the addresses printed at start-up. */
    String scheme() {
        return enabled() ? "https" : "http";
    }

    /** Turns SSL on in {@code options} when TLS is configured; plain options stay as they are. */
    HttpServerOptions applyTo(HttpServerOptions options) {
        if (enabled()) {
            options.setSsl(true).setKeyCertOptions(pem);
        }
        return options;
    }

    private static String read(String what, Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new UserError("TLS " + what + " file not found: " + file);
        } catch (AccessDeniedException e) {
            throw new UserError("TLS " + what + " file " + file + " is not readable (permission denied)");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new UserError("TLS " + what + " file " + file + " is not PEM text");
        } catch (IOException e) {
            throw new UserError("cannot read the TLS " + what + " file " + file + ": " + e.getMessage());
        }
    }

    private static X509KeyManager keyManager(KeyManager[] managers) {
        for (KeyManager m : managers) {
            if (m instanceof X509KeyManager x) {
                return x;
            }
        }
        throw new IllegalStateException("no X.509 key manager");
    }

    /** Whether the private key signs what the public key verifies (works for RSA, EC and EdDSA alike). */
    private static boolean pairs(PrivateKey privateKey, PublicKey publicKey) {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> privateKey.getAlgorithm();
            default -> null;
        };
        if (algorithm == null || !privateKey.getAlgorithm().equals(publicKey.getAlgorithm())
                && !(algorithm.startsWith("Ed") && publicKey.getAlgorithm().startsWith("Ed"))) {
            return false;
        }
        try {
            byte[] probe = "intravis tls key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }
}
