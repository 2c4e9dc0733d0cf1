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
 * again.
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
