package org.intravis.streamer;

import org.bytedeco.javacpp.BytePointer;
import org.intravis.pipeline.testing.StoreScp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The C-STORE client against a real archive ({@link StoreScp}: DCMTK's {@code storescp}, the reference
 * implementation of the storage service). A file the cine writer made is stored byte for
 * byte; an archive that refuses the association, the JPEG transfer syntax, or is not there, is an error that says
 * which; an archive that comes up while the client is trying gets the file on a later try, a refusal is not tried
 * again. Over TLS (storescp with the test certificates of {@code dicom-tls/}): stored byte for byte when each side
 * trusts the other; an archive whose certificate is not trusted or not for the host, one that wants this side's
 * certificate, and one that does not speak TLS are each refused with what to fix, before anything is sent.
 */
class DicomStoreClientTest {
    @TempDir
    Path dir;

    private Path cine() throws IOException {
        DicomCineWriter w = new DicomCineWriter(dir.resolve("case.dcm"), 64, 48, 0.1,
                Instant.parse("2026-12-05T10:00:00Z"), "test", true, 90);
        w.open();
        try (BytePointer bgr = new BytePointer(64 * 48 * 3)) {
            for (int i = 0; i < 5; i++) {
                for (int k = 0; k < 64 * 48 * 3; k++) {
                    bgr.put(k, (byte) ((k / 3 % 64) * 4 + i * 20));
                }
                w.write(bgr, 64 * 3, i * 40L);
            }
        }
        w.close();
        return dir.resolve("case.dcm");
    }

    private static DicomStoreClient client(int port) {
        return new DicomStoreClient(
                new DicomStoreClient.Destination(StoreScp.AE_TITLE, "127.0.0.1", port, "INTRAVIS"), 10_000);
    }

    @Test
    void aCineIsStoredByteForByte() throws Exception {
        Path sent = cine();
        // every transfer syntax it knows; the data set kept as received
        try (StoreScp archive = StoreScp.start(dir.resolve("received"), "+xa", "+B")) {
            DicomStoreClient.Result r = client(archive.port()).send(sent);
            assertThat(r.status()).isZero();
            assertThat(r.warning()).isFalse();
            List<Path> stored = archive.stored();
            assertThat(stored).hasSize(1);
            DicomStoreClient.PartTen ours = DicomStoreClient.readMeta(sent);
            DicomStoreClient.PartTen theirs = DicomStoreClient.readMeta(stored.get(0));
            assertThat(theirs.sopInstance()).isEqualTo(ours.sopInstance());
            assertThat(theirs.sopClass()).isEqualTo(ours.sopClass());
            assertThat(theirs.transferSyntax()).isEqualTo("1.2.840.10008.1.2.4.50");
            byte[] a = Files.readAllBytes(sent);
            byte[] b = Files.readAllBytes(stored.get(0));
            assertThat(r.datasetBytes()).isEqualTo(a.length - ours.datasetOffset());
            assertThat(Arrays.copyOfRange(b, (int) theirs.datasetOffset(), b.length)).as("the data set as kept there")
                    .isEqualTo(Arrays.copyOfRange(a, (int) ours.datasetOffset(), a.length));
        }
    }

    @Test
    void anArchiveThatTakesUncompressedFilesOnlyIsSaidSo() throws Exception {
        Path sent = cine();
        // storescp's default: uncompressed transfer syntaxes only
        try (StoreScp archive = StoreScp.start(dir.resolve("received"))) {
            assertThatThrownBy(() -> client(archive.port()).send(sent)).isInstanceOf(IOException.class)
                    .hasMessageContaining(archive.destination())
                    .hasMessageContaining("does not take the transfer syntax 1.2.840.10008.1.2.4.50");
            assertThat(archive.stored()).isEmpty();
        }
    }

    @Test
    void aRefusedAssociationAnAbortedOrSlowStoreAndAMissingArchiveAreSaidSo() throws Exception {
        Path sent = cine();
        try (StoreScp refusing = StoreScp.start(dir.resolve("refusing"), "--refuse")) {
            assertThatThrownBy(() -> client(refusing.port()).send(sent)).isInstanceOf(IOException.class)
                    .hasMessageContaining("refused the association");
        }
        try (StoreScp aborting = StoreScp.start(dir.resolve("aborting"), "+xa", "--abort-after")) {
            assertThatThrownBy(() -> client(aborting.port()).send(sent)).isInstanceOf(IOException.class)
                    .hasMessageContaining("aborted the association before it answered the store");
        }
        try (StoreScp slow = StoreScp.start(dir.resolve("slow"), "+xa", "--sleep-during", "4")) {
            DicomStoreClient impatient = new DicomStoreClient(
                    new DicomStoreClient.Destination(StoreScp.AE_TITLE, "127.0.0.1", slow.port(), "INTRAVIS"), 1000);
            assertThatThrownBy(() -> impatient.send(sent)).isInstanceOf(IOException.class)
                    .hasMessageContaining("did not answer within 1 s");
        }
        int port = StoreScp.freePort();
        assertThatThrownBy(() -> client(port).send(sent)).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot reach TEACHING@127.0.0.1:" + port);
        assertThatThrownBy(() -> client(port).send(dir.resolve("nope.dcm"))).isInstanceOf(IOException.class);
        Files.writeString(dir.resolve("text.dcm"), "not a DICOM file");
        assertThatThrownBy(() -> client(port).send(dir.resolve("text.dcm"))).isInstanceOf(IOException.class)
                .hasMessageContaining("not a DICOM Part 10 file");
    }

    @Test
    void anArchiveThatComesUpLateGetsTheFileOnARetry() throws Exception {
        Path sent = cine();
        int port = StoreScp.freePort();
        List<String> told = new CopyOnWriteArrayList<>();
        AtomicReference<StoreScp> late = new AtomicReference<>();
        Thread starter = new Thread(() -> {
            try {
                Thread.sleep(1500); // after the first try has met nobody
                late.set(StoreScp.start(dir.resolve("late"), port, "+xa"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        starter.start();
        try {
            DicomStoreClient.Result r = client(port).send(sent, 5, 1000, told::add);
            assertThat(r.status()).isZero();
            assertThat(told).as("each failed try is told before the wait").isNotEmpty()
                    .allSatisfy(t -> assertThat(t).contains("cannot reach").contains("trying again in 1 s"));
            starter.join();
            assertThat(late.get().stored()).hasSize(1);
        } finally {
            starter.join();
            if (late.get() != null) {
                late.get().close();
            }
        }
    }

    @Test
    void aRefusalOfTheFileIsNotRetriedAndAnArchiveThatStaysAwayIsSaidWithTheTries() throws Exception {
        Path sent = cine();
        List<String> told = new CopyOnWriteArrayList<>();
        // storescp's default takes uncompressed files only: sending again would only be refused again
        try (StoreScp archive = StoreScp.start(dir.resolve("received"))) {
            assertThatThrownBy(() -> client(archive.port()).send(sent, 3, 5_000, told::add))
                    .isNotInstanceOf(DicomStoreClient.TryAgainLater.class)
                    .hasMessageContaining("does not take the transfer syntax");
            assertThat(told).isEmpty();
        }
        int port = StoreScp.freePort();
        assertThatThrownBy(() -> client(port).send(sent, 2, 100, told::add))
                .hasMessageContaining("cannot reach TEACHING@127.0.0.1:" + port)
                .hasMessageContaining("tried 3 times");
        assertThat(told).hasSize(2);
    }

    private DicomStoreClient tlsClient(int port, String trust, boolean showOwnCertificate) throws IOException {
        Path certs = dir.resolve("client-tls");
        DicomTls tls = DicomTls.of(trust == null ? null : StoreScp.tlsFile(certs, trust),
                showOwnCertificate ? StoreScp.tlsFile(certs, "client.pem") : null,
                showOwnCertificate ? StoreScp.tlsFile(certs, "client.key") : null);
        return new DicomStoreClient(
                new DicomStoreClient.Destination(StoreScp.AE_TITLE, "127.0.0.1", port, "INTRAVIS"), 10_000, tls);
    }

    @Test
    void overTlsACineIsStoredByteForByteWhenEachSideTrustsTheOther() throws Exception {
        Path sent = cine();
        try (StoreScp archive = StoreScp.startTls(dir.resolve("received"), "archive", "+xa", "+B")) {
            DicomStoreClient.Result r = tlsClient(archive.port(), "ca.pem", true).send(sent);
            assertThat(r.status()).isZero();
            List<Path> stored = archive.stored();
            assertThat(stored).hasSize(1);
            DicomStoreClient.PartTen ours = DicomStoreClient.readMeta(sent);
            DicomStoreClient.PartTen theirs = DicomStoreClient.readMeta(stored.get(0));
            byte[] a = Files.readAllBytes(sent);
            byte[] b = Files.readAllBytes(stored.get(0));
            assertThat(Arrays.copyOfRange(b, (int) theirs.datasetOffset(), b.length)).as("the data set as kept there")
                    .isEqualTo(Arrays.copyOfRange(a, (int) ours.datasetOffset(), a.length));
            // a plain caller gets nothing stored there, and is told TLS may be why
            assertThatThrownBy(() -> client(archive.port()).send(sent)).isInstanceOf(IOException.class)
                    .hasMessageContaining("an archive that takes DICOM over TLS only cuts a plain caller so: --tls");
            assertThat(archive.stored()).hasSize(1);
        }
    }

    @Test
    void overTlsAnArchiveNotTrustedOrNotForTheHostIsRefusedBeforeAnythingIsSent() throws Exception {
        Path sent = cine();
        List<String> told = new CopyOnWriteArrayList<>();
        try (StoreScp stranger = StoreScp.startTls(dir.resolve("stranger"), "stranger", "+xa", "-ic")) {
            assertThatThrownBy(() -> tlsClient(stranger.port(), "ca.pem", true).send(sent, 2, 100, told::add))
                    .isNotInstanceOf(DicomStoreClient.TryAgainLater.class)
                    .hasMessageContaining("TLS handshake failed")
                    .hasMessageContaining("its certificate is not trusted");
            // without --tls-trust, Java's own trust store: it does not know the test CA either
            assertThatThrownBy(() -> tlsClient(stranger.port(), null, true).send(sent))
                    .hasMessageContaining("its certificate is not trusted");
            assertThat(stranger.stored()).isEmpty();
        }
        try (StoreScp elsewhere = StoreScp.startTls(dir.resolve("elsewhere"), "wrongname", "+xa", "-ic")) {
            assertThatThrownBy(() -> tlsClient(elsewhere.port(), "ca.pem", true).send(sent))
                    .hasMessageContaining("its certificate is not for this host");
            assertThat(elsewhere.stored()).isEmpty();
        }
        assertThat(told).as("a certificate that fails fails again: not retried").isEmpty();
    }

    @Test
    void overTlsAnArchiveThatWantsThisSidesCertificateOrDoesNotSpeakTlsIsSaidSo() throws Exception {
        Path sent = cine();
        try (StoreScp archive = StoreScp.startTls(dir.resolve("demanding"), "archive", "+xa")) {
            assertThatThrownBy(() -> tlsClient(archive.port(), "ca.pem", false).send(sent))
                    .isInstanceOf(IOException.class)
                    .isNotInstanceOf(DicomStoreClient.TryAgainLater.class)
                    .hasMessageContaining("it wants this side's certificate: give one (--tls-cert, --tls-key)");
            // a certificate the archive's CAs did not sign
            Path certs = dir.resolve("stranger-tls");
            DicomStoreClient unknown = new DicomStoreClient(new DicomStoreClient.Destination(StoreScp.AE_TITLE,
                    "127.0.0.1", archive.port(), "INTRAVIS"), 10_000, DicomTls.of(StoreScp.tlsFile(certs, "ca.pem"),
                    StoreScp.tlsFile(certs, "stranger.pem"), StoreScp.tlsFile(certs, "stranger.key")));
            assertThatThrownBy(() -> unknown.send(sent)).isNotInstanceOf(DicomStoreClient.TryAgainLater.class)
                    .hasMessageContaining("it did not accept this side's certificate");
            assertThat(archive.stored()).isEmpty();
        }
        try (StoreScp plain = StoreScp.start(dir.resolve("plain"), "+xa")) {
            assertThatThrownBy(() -> tlsClient(plain.port(), "ca.pem", true).send(sent))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("TLS handshake failed: it does not seem to speak TLS on this port");
            assertThat(plain.stored()).isEmpty();
        }
    }

    @Test
    void tlsFilesThatAreMissingOrWrongAreSaidSo() throws IOException {
        Path certs = dir.resolve("files");
        Path ca = StoreScp.tlsFile(certs, "ca.pem");
        Path key = StoreScp.tlsFile(certs, "client.key");
        Path cert = StoreScp.tlsFile(certs, "client.pem");
        assertThatThrownBy(() -> DicomTls.of(ca, cert, null)).hasMessageContaining("give both or neither");
        assertThatThrownBy(() -> DicomTls.of(certs.resolve("none.pem"), null, null))
                .hasMessageContaining("cannot read the trusted certificates");
        assertThatThrownBy(() -> DicomTls.of(key, null, null)).hasMessageContaining("is not PEM certificates");
        Files.writeString(certs.resolve("empty.pem"), "");
        assertThatThrownBy(() -> DicomTls.of(certs.resolve("empty.pem"), null, null))
                .hasMessageContaining("holds no certificate");
        assertThatThrownBy(() -> DicomTls.of(ca, key, cert)).hasMessageContaining("is not a PEM certificate");
        assertThatThrownBy(() -> DicomTls.of(ca, cert, ca)).hasMessageContaining("is not an unencrypted PEM private key");
        assertThat(DicomTls.of(ca, cert, key)).isNotNull();
        assertThat(DicomTls.of(null, null, null)).isNotNull();
    }

    @Test
    void destinationsAreParsedOrRefusedWithTheirForm() {
        DicomStoreClient.Destination d = DicomStoreClient.Destination.parse("PACS@10.0.0.5:104", "INTRAVIS");
        assertThat(d.calledAe()).isEqualTo("PACS");
        assertThat(d.host()).isEqualTo("10.0.0.5");
        assertThat(d.port()).isEqualTo(104);
        for (String bad : new String[] {"PACS", "PACS@host", "@host:104", "PACS@:104", "PACS@host:x", "PACS@host:0",
                "A_TITLE_LONGER_THAN_16@host:104"}) {
            assertThatThrownBy(() -> DicomStoreClient.Destination.parse(bad, "INTRAVIS")).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
