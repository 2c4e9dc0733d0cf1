package org.intravis.streamer;

import org.bytedeco.javacpp.BytePointer;
import org.intravis.pipeline.testing.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DICOM cine writer's file layout and its failures: the frames' items start where the Basic Offset Table says,
 * and a writer that is aborted, or closed with no frame, leaves nothing in the folder. (Reading a written file back
 * frame for frame is {@code ExportAnalyzeTest}'s, through the application's own DICOM source.)
 */
class DicomCineWriterTest {
    @TempDir
    Path dir;

    private static void frames(DicomCineWriter w, int n) throws IOException {
        try (BytePointer bgr = new BytePointer(64 * 48 * 3)) {
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 64 * 48 * 3; k++) {
                    bgr.put(k, (byte) ((k / 3 % 64) * 4 + i * 20));
                }
                w.write(bgr, 64 * 3, i * 40L);
            }
        }
    }

    private DicomCineWriter writer() {
        return new DicomCineWriter(dir.resolve("case.dcm"), 64, 48, 0.1, Instant.parse("2026-12-05T10:00:00Z"),
                "test", true, 90);
    }

    private String[] files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void theOffsetTablePointsAtEachFramesItem() throws Exception {
        DicomCineWriter w = writer();
        w.open();
        frames(w, 3);
        w.close();
        assertThat(files()).containsExactly("case.dcm");
        byte[] b = Files.readAllBytes(dir.resolve("case.dcm"));
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int pixelData = Bytes.indexOf(b, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'B', 0, 0, -1, -1, -1, -1});
        int table = pixelData + 12;
        assertThat(buf.getShort(table) & 0xffff).isEqualTo(0xFFFE);
        assertThat(buf.getShort(table + 2) & 0xffff).isEqualTo(0xE000);
        assertThat(buf.getInt(table + 4)).as("three 32-bit offsets").isEqualTo(12);
        int first = table + 8 + 12;
        int end = first;
        for (int i = 0; i < 3; i++) {
            int item = first + buf.getInt(table + 8 + 4 * i);
            assertThat(item).as("frame %d's item follows the one before", i).isEqualTo(end);
            assertThat(buf.getShort(item + 2) & 0xffff).isEqualTo(0xE000);
            int length = buf.getInt(item + 4);
            assertThat(length % 2).isZero();
            assertThat(b[item + 8] & 0xff).as("a JPEG starts there").isEqualTo(0xFF);
            assertThat(b[item + 9] & 0xff).isEqualTo(0xD8);
            end = item + 8 + length;
        }
        assertThat(buf.getInt(end)).as("the sequence delimiter after the last frame").isEqualTo(0xE0DDFFFE);
        assertThat(end + 8).isEqualTo(b.length);
        String text = new String(b, 0, pixelData, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text).contains("0\\40\\40 ").contains("20261205").contains("0.100000\\0.100000");
    }

    @Test
    void anAbortedOrEmptyExportLeavesNothing() throws Exception {
        DicomCineWriter w = writer();
        w.open();
        frames(w, 2);
        w.abort();
        assertThat(files()).isEmpty();

        DicomCineWriter empty = writer();
        empty.open();
        assertThatThrownBy(empty::close).isInstanceOf(IOException.class).hasMessageContaining("no frame to write");
        assertThat(files()).isEmpty();
    }
}
