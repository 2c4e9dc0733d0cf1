package org.intravis.capture.dicom;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The video transfer syntaxes (MPEG-2, H.264, HEVC: how some scanners and PACS export long cine loops): the pixel
 * data is one video stream cut into fragments, not a picture per frame. Joined, the fragments are the stream as an
 * encoder wrote it (an elementary stream, or a program or transport stream), which FFmpeg reads from a file.
 */
final class DicomVideo {
    private static final String FAMILY = "1.2.840.10008.1.2.4.";

    private DicomVideo() {
    }

    /**
     * The stream's kind for a video transfer syntax (1.2.840.10008.1.2.4.100-108 and their fragmentable ".1"
     * forms), or null for any other syntax.
     */
    static String kind(String transferSyntax) {
        if (!transferSyntax.startsWith(FAMILY)) {
            return null;
        }
        String s = transferSyntax.substring(FAMILY.length());
        if (s.endsWith(".1")) {
            s = s.substring(0, s.length() - 2);
        }
        return switch (s) {
            case "100", "101" -> "MPEG-2";
            case "102", "103", "104", "105", "106" -> "H.264";
            case "107", "108" -> "HEVC";
            default -> null;
        };
    }

    /**
     * Copies the stream out of {@code file} into a new temporary file (named for its kind, so that FFmpeg's probe
     * has the hint) and returns it; the caller deletes it.
     */
    static Path extract(DicomFile file) throws IOException {
        String kind = kind(file.transferSyntax);
        if (kind == null || !file.encapsulated() || file.fragments.isEmpty()) {
            throw new DicomFormatException("says it holds a video stream but its pixel data has none");
        }
        String suffix = switch (kind) {
            case "MPEG-2" -> ".mpg";
            case "H.264" -> ".h264";
            default -> ".hevc";
        };
        Path out = Files.createTempFile("intravis-dicom-video-", suffix);
        out.toFile().deleteOnExit(); // a process killed before its source closes leaves nothing for ever
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long[] f : file.fragments) {
                var bytes = file.bytes.slice((int) f[0], (int) f[1]);
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(out);
            throw e;
        }
        return out;
    }
}
