package org.intravis.capture.dicom;

import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.capture.FrameSources;
import org.intravis.capture.Slots;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.FrameSource.Read;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;
import org.intravis.pipeline.testing.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

/**
 * {@code dicom:} sources on the files of {@code src/test/resources/dicom} (its README): ultrasound cines written by
 * pydicom from frames of the real needle clip (JPEG baseline, RLE, implicit VR native, RGB by plane, the lossless
 * syntaxes, grey of 12 bits through its VOI window, video streams, deflated, an Extended Offset Table) and the NEMA
 * sample OBXXXX1A (palette colour, RLE, from a scanner). Each frame checked is compared with the picture pydicom (for
 * JPEG, OpenCV in Python; for the lossless and video syntaxes, the frames given to or decoded by the ffmpeg command)
 * decoded from the same file.
 */
class DicomSourceTest {
    @TempDir
    Path dir;

    static Path resource(String name) throws Exception {
        return Path.of(DicomSourceTest.class.getResource("/dicom/" + name).toURI());
    }

    static FrameSource open(String uri) throws CaptureException {
        FrameSource s = FrameSources.create(uri);
        s.open();
        return s;
    }

    /** Every frame of the source at pace=fast, as grey byte arrays, with their presentation times. */
    static List<byte[]> frames(FrameSource s, List<Long> pts) throws CaptureException {
        List<byte[]> out = new ArrayList<>();
        FrameSlot slot = new FrameSlot(0, s.geometry(), false);
        Read r;
        while ((r = Slots.next(s, slot, 5000)) == Read.FRAME) {
            byte[] b = new byte[slot.frameBytes()];
            slot.pixels().get(0, b);
            out.add(b);
            pts.add(slot.sourcePtsMicros());
        }
        assertThat(r).isEqualTo(Read.END);
        return out;
    }

    static double meanAbsDiff(byte[] got, Path expectedPng, int[] maxOut) {
        try (Mat m = imread(expectedPng.toString(), IMREAD_GRAYSCALE)) {
            byte[] want = new byte[(int) (m.total())];
            m.data().get(want);
            assertThat(got).hasSameSizeAs(want);
            long sum = 0;
            int max = 0;
            for (int i = 0; i < want.length; i++) {
                int d = Math.abs((got[i] & 0xff) - (want[i] & 0xff));
                sum += d;
                max = Math.max(max, d);
            }
            maxOut[0] = max;
            return (double) sum / want.length;
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // file,                 width, height, frames, fps,  spacing mm, frames checked, mean diff, max diff
            "cine-jpeg.dcm,            360, 288, 10, 20.0, 0.1, 0 9, 0.5, 8",
            "cine-rle.dcm,             180, 144,  6, 25.0, 0.2, 0 5, 0,   0",
            "cine-implicit.dcm,        120,  96,  5, 20.0, 0,   0 4, 0,   0",
            "rgb-explicit.dcm,         100,  80,  3, 30.0, 0,   0 2, 0,   0",
            "cine-jpegls.dcm,          120,  96,  3, 30.0, 0,   0 2, 0,   0",
            "cine-j2k.dcm,             120,  96,  3, 30.0, 0,   0 2, 0,   0",
            "cine-ljpeg.dcm,           120,  96,  3, 30.0, 0,   0 2, 0,   0",
            "OBXXXX1A_rle_2frame.dcm,  800, 600,  2, 30.0, 0.2622878766196998, 0 1, 0, 0",
            "grey12-window.dcm,         120,  96,  2, 30.0, 0,   0 1, 0.01, 1",
            "grey12-signed-sigmoid.dcm, 120,  96,  2, 30.0, 0,   0 1, 0.01, 1",
            "grey12-rle-exact.dcm,      120,  96,  2, 30.0, 0,   0 1, 0.01, 1",
            // the same 12-bit pictures compressed (DCMTK, GDCM), through the same windows
            "grey12-window-ljpeg.dcm,   120,  96,  2, 30.0, 0,   0 1, 0.01, 1",
            "grey12-window-j2k.dcm,     120,  96,  2, 30.0, 0,   0 1, 0.01, 1",
            "grey12-window-lossy.dcm,   120,  96,  2, 30.0, 0,   0 1, 0.5,  4",
            "grey12-signed-sigmoid-jls.dcm, 120, 96, 2, 30.0, 0, 0 1, 0.01, 1",
            "grey12-signed-sigmoid-j2k.dcm, 120, 96, 2, 30.0, 0, 0 1, 0.01, 1",
            // colour JPEG stored as RGB, as DCMTK writes it (an Adobe marker, R, G, B component ids)
            "rgb-jpeg-rgb.dcm,         100,  80,  3, 30.0, 0,   0 2, 2.0, 16",
            // the same without those marks, as some encoders write RGB JPEG: the photometric interpretation decides
            "rgb-jpeg-plain.dcm,       100,  80,  3, 30.0, 0,   0 2, 2.0, 16",
            // labelled RGB over a JPEG that holds YCbCr (chroma subsampled, no marker): the JPEG's own sampling decides
            "rgb-jpeg-ycbcr.dcm,       100,  80,  3, 30.0, 0,   0 2, 2.0, 16",
            "cine-deflated.dcm,        120,  96,  3, 15.0, 0,   0 2, 0,   0",
            // the retired explicit VR big endian (DCMTK's dcmconv +tb): 8-bit grey and colour as OW, 16-bit grey
            "cine-bigendian.dcm,       120,  96,  5, 20.0, 0,   0 4, 0,   0",
            "grey12-window-bigendian.dcm, 120, 96, 2, 30.0, 0,  0 1, 0.01, 1",
            "rgb-bigendian.dcm,        100,  80,  3, 30.0, 0,   0 2, 0,   0",
            "cine-eot.dcm,             120,  96,  4, 30.0, 0,   0 3, 0,   0",
            "video-h264.dcm,           180, 144, 10, 20.0, 0,   0 9, 0.5, 4",
            "video-mpeg2.dcm,          180, 144, 10, 20.0, 0,   0 9, 0.5, 4",
            "video-hevc.dcm,           180, 144, 10, 20.0, 0,   0 9, 0.5, 4",
    })
    void framesMatchWhatPydicomDecodes(String name, int w, int h, int n, double fps, double spacing, String checked,
                                       double meanDiff, int maxDiff) throws Exception {
        try (FrameSource s = open("dicom:" + resource(name) + "?pace=fast")) {
            assertThat(s.status()).isEqualTo(SourceStatus.STREAMING);
            assertThat(s.geometry().maxWidth()).isEqualTo(w);
            assertThat(s.geometry().maxHeight()).isEqualTo(h);
            assertThat(s.geometry().format()).isEqualTo(PixelFormat.GRAY8);
            assertThat(s.nominalFps()).isCloseTo(fps, org.assertj.core.data.Offset.offset(0.01));
            assertThat(s.pixelSpacingMm()).isCloseTo(spacing, org.assertj.core.data.Offset.offset(1e-9));
            List<Long> pts = new ArrayList<>();
            List<byte[]> frames = frames(s, pts);
            assertThat(frames).hasSize(n);
            for (String f : checked.split(" ")) {
                int i = Integer.parseInt(f);
                int[] max = new int[1];
                String stem = name.substring(0, name.length() - 4);
                double mean = meanAbsDiff(frames.get(i), resource("expected/" + stem + "_" + i + ".png"), max);
                assertThat(mean).as("%s frame %d: mean difference", name, i).isLessThanOrEqualTo(meanDiff);
                assertThat(max[0]).as("%s frame %d: largest difference", name, i).isLessThanOrEqualTo(maxDiff);
            }
            // consecutive frames differ (the reader does not repeat one frame)
            assertThat(frames.get(0)).isNotEqualTo(frames.get(n - 1));
            assertThat(s.statusDetail()).contains(n + " frames delivered of " + n);
        }
    }

    /** The two other samples of the shared data, read where they lie (skipped without ../shared). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"OBXXXX1A_2frame.dcm, 2, 1, 800, 600", "US1_UNCR.dcm, 1, 0, 640, 480"})
    void theSharedSamplesMatchPydicom(String name, int n, int checked, int w, int h) throws Exception {
        Path file = org.intravis.pipeline.testing.SharedData.require("dicom/" + name);
        try (FrameSource s = open("dicom:" + file + "?pace=fast")) {
            assertThat(s.geometry().maxWidth()).isEqualTo(w);
            assertThat(s.geometry().maxHeight()).isEqualTo(h);
            List<byte[]> frames = frames(s, new ArrayList<>());
            assertThat(frames).hasSize(n);
            int[] max = new int[1];
            String stem = name.substring(0, name.length() - 4);
            assertThat(meanAbsDiff(frames.get(checked), resource("expected/" + stem + "_" + checked + ".png"), max))
                    .isZero();
        }
    }

    @Test
    void aFrameTimeVectorPacesEachFrame() throws Exception {
        try (FrameSource s = open("dicom:" + resource("cine-implicit.dcm") + "?pace=fast")) {
            List<Long> pts = new ArrayList<>();
            frames(s, pts);
            // increments 0, 40, 40, 80, 40 ms (the first frame's is always 0)
            assertThat(pts).containsExactly(0L, 40_000L, 80_000L, 160_000L, 200_000L);
            assertThat(s.statusDetail()).contains("frame time vector");
        }
    }

    @Test
    void theFpsOptionWinsAndLoopingKeepsTimeRunning() throws Exception {
        try (FrameSource s = open("dicom:" + resource("cine-rle.dcm") + "?pace=fast&fps=10&loop=true")) {
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            List<Long> pts = new ArrayList<>();
            for (int i = 0; i < 14; i++) {
                assertThat(Slots.next(s, slot, 5000)).isEqualTo(Read.FRAME);
                pts.add(slot.sourcePtsMicros());
            }
            for (int i = 0; i < pts.size(); i++) {
                assertThat(pts.get(i)).isEqualTo(i * 100_000L);
            }
            assertThat(s.statusDetail()).contains("looped 2 times");
        }
    }

    /**
     * A big-endian file (DCMTK's dcmconv +tb of a little-endian one) gives its original's frames to the byte, with its
     * timing and size: the data set read in that order, 16-bit samples swapped, 8-bit ones stored as OW words put back
     * in order (grey, and colour delivered as BGR).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"cine-bigendian.dcm, cine-implicit.dcm, ", "grey12-window-bigendian.dcm, grey12-window.dcm, ",
            "rgb-bigendian.dcm, rgb-explicit.dcm, &format=bgr"})
    void aBigEndianFileGivesItsOriginalsFrames(String bigEndian, String original, String options) throws Exception {
        String extra = options == null ? "" : options;
        List<Long> ptsBig = new ArrayList<>();
        List<Long> ptsLittle = new ArrayList<>();
        List<byte[]> big;
        List<byte[]> little;
        try (FrameSource s = open("dicom:" + resource(bigEndian) + "?pace=fast" + extra)) {
            big = frames(s, ptsBig);
            assertThat(s.statusDetail()).contains(big.size() + " frames delivered of " + big.size());
        }
        try (FrameSource s = open("dicom:" + resource(original) + "?pace=fast" + extra)) {
            little = frames(s, ptsLittle);
        }
        assertThat(big).hasSameSizeAs(little).isNotEmpty();
        for (int i = 0; i < big.size(); i++) {
            assertThat(big.get(i)).as("%s frame %d", bigEndian, i).isEqualTo(little.get(i));
        }
        assertThat(ptsBig).isEqualTo(ptsLittle);
    }

    @Test
    void colourIsDeliveredAsBgrWhenAsked() throws Exception {
        try (FrameSource s = open("dicom:" + resource("rgb-explicit.dcm") + "?pace=fast&format=bgr")) {
            assertThat(s.geometry().format()).isEqualTo(PixelFormat.BGR24);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            assertThat(Slots.next(s, slot, 5000)).isEqualTo(Read.FRAME);
            assertThat(slot.format()).isEqualTo(PixelFormat.BGR24);
            assertThat(slot.stride()).isEqualTo(300);
            // the clip's frames are grey pictures stored as colour: B, G and R agree to within JPEG noise
            long spread = 0;
            for (int i = 0; i < 100 * 80; i++) {
                int b = slot.pixels().get(3 * i) & 0xff;
                int r = slot.pixels().get(3 * i + 2) & 0xff;
                spread += Math.abs(b - r);
            }
            assertThat(spread / (100.0 * 80)).isLessThan(4);
            assertThat(Slots.mean(slot)).isGreaterThan(5);
        }
    }

    @Test
    void aFileSourceNamingADicomFilePlaysItThroughTheDicomReader() throws Exception {
        try (FrameSource s = open("file:" + resource("OBXXXX1A_rle_2frame.dcm") + "?pace=fast")) {
            assertThat(s).isInstanceOf(DicomSource.class);
            assertThat(frames(s, new ArrayList<>())).hasSize(2);
        }
        assertThatThrownBy(() -> FrameSources.create("file:" + resource("cine-rle.dcm") + "?maxWidth=100"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWidth");
    }

    @Test
    void aNonDicomFileIsAClearError() throws Exception {
        Path png = resource("expected/cine-rle_0.png");
        assertThat(DicomSource.isDicomFile(png)).isFalse();
        assertThat(DicomSource.isDicomFile(resource("cine-jpeg.dcm"))).isTrue();
        FrameSource s = FrameSources.create("dicom:" + png);
        assertThatThrownBy(s::open).isInstanceOf(CaptureException.class)
                .hasMessageContaining(png.toString()).hasMessageContaining("is not a DICOM file");
        s.close();
        FrameSource missing = FrameSources.create("dicom:" + dir.resolve("none.dcm"));
        assertThatThrownBy(missing::open).isInstanceOf(CaptureException.class).hasMessageContaining("does not exist");
        missing.close();
    }

    @Test
    void anUnknownCompressionIsNamed() throws Exception {
        byte[] b = Files.readAllBytes(resource("cine-jpeg.dcm"));
        byte[] from = "1.2.840.10008.1.2.4.50".getBytes(StandardCharsets.US_ASCII);
        byte[] to = "1.2.840.10008.1.2.4.99".getBytes(StandardCharsets.US_ASCII);
        int at = Bytes.indexOf(b, from);
        System.arraycopy(to, 0, b, at, to.length);
        Path f = Files.write(dir.resolve("unknown.dcm"), b);
        FrameSource s = FrameSources.create("dicom:" + f);
        assertThatThrownBy(s::open).isInstanceOf(CaptureException.class)
                .hasMessageContaining("transfer syntax 1.2.840.10008.1.2.4.99").hasMessageContaining("JPEG-LS");
        s.close();
    }

    /**
     * A video stream as the pixel data (H.264 here): played at the file's frame time, through a temporary copy of
     * the stream that is gone once the source closes; a stream FFmpeg cannot read is a clear error naming the file
     * and the stream's kind, and leaves no copy either.
     */
    @Test
    void aVideoStreamIsPlayedAtTheFilesTimingAndItsCopyRemoved() throws Exception {
        List<Path> before = videoCopies();
        List<Long> pts = new ArrayList<>();
        try (FrameSource s = open("dicom:" + resource("video-h264.dcm") + "?pace=fast&fps=40")) {
            assertThat(s.nominalFps()).isCloseTo(40, org.assertj.core.data.Offset.offset(0.01));
            assertThat(frames(s, pts)).hasSize(10);
            assertThat(videoCopies()).hasSize(before.size() + 1);
            assertThat(s.statusDetail()).contains("10 frames delivered of 10").contains("H.264 stream")
                    .contains("40.0 fps (option)");
        }
        assertThat(pts).containsExactly(0L, 25_000L, 50_000L, 75_000L, 100_000L, 125_000L, 150_000L, 175_000L,
                200_000L, 225_000L);
        assertThat(videoCopies()).isEqualTo(before);

        byte[] b = Files.readAllBytes(resource("video-h264.dcm"));
        int pixelData = Bytes.indexOf(b, new byte[] {(byte) 0xE0, 0x7F, 0x10, 0x00, 'O', 'B'});
        int stream = Bytes.indexOf(b, new byte[] {0, 0, 0, 1}, pixelData); // the stream's first start code
        Arrays.fill(b, stream, stream + 2000, (byte) 0x5A); // its parameter sets and first picture overwritten
        FrameSource damaged = FrameSources.create("dicom:" + Files.write(dir.resolve("damaged-h264.dcm"), b));
        assertThatThrownBy(damaged::open).isInstanceOf(CaptureException.class)
                .hasMessageContaining("damaged-h264.dcm").hasMessageContaining("H.264 stream that cannot be played");
        damaged.close();
        assertThat(videoCopies()).isEqualTo(before);
    }

    private static List<Path> videoCopies() throws Exception {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("intravis-dicom-video-")).sorted().toList();
        }
    }

    @Test
    void aDamagedFrameIsSkippedAndTheOthersPlay() throws Exception {
        byte[] b = Files.readAllBytes(resource("cine-jpeg.dcm"));
        // the fourth JPEG's start-of-image marker and the bytes after it overwritten: that frame cannot be decoded
        int soi = -1;
        for (int k = 0; k < 4; k++) {
            soi = Bytes.indexOf(b, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, soi + 1);
        }
        Arrays.fill(b, soi, soi + 600, (byte) 0x11);
        Path f = Files.write(dir.resolve("damaged.dcm"), b);
        try (FrameSource s = open("dicom:" + f + "?pace=fast")) {
            List<Long> pts = new ArrayList<>();
            List<byte[]> frames = frames(s, pts);
            assertThat(frames).hasSize(9);
            assertThat(pts).doesNotContain(150_000L); // the fourth frame's time: skipped, not shown late
            assertThat(s.statusDetail()).contains("skipped 1 frames that could not be decoded");
        }
    }

    @Test
    void aFileCutShortPlaysItsWholeFramesAndSaysSo() throws Exception {
        byte[] b = Files.readAllBytes(resource("cine-implicit.dcm"));
        Path f = Files.write(dir.resolve("cut.dcm"), Arrays.copyOf(b, b.length - 120 * 96 - 50));
        try (FrameSource s = open("dicom:" + f + "?pace=fast")) {
            assertThat(frames(s, new ArrayList<>())).hasSize(3);
            assertThat(s.statusDetail()).contains("pixels for 3 of the 5 frames");
        }
    }

    /** Cut anywhere, a file opens and plays to its end or fails its open with a CaptureException; never hangs. */
    @ParameterizedTest
    @CsvSource({"cine-jpeg.dcm", "cine-rle.dcm", "cine-implicit.dcm", "OBXXXX1A_rle_2frame.dcm", "video-h264.dcm",
            "video-mpeg2.dcm", "video-hevc.dcm", "cine-deflated.dcm", "cine-eot.dcm", "grey12-window-lossy.dcm",
            "grey12-signed-sigmoid-j2k.dcm", "rgb-jpeg-plain.dcm"})
    void cutAnywhereIsPlayedOrRefusedClearly(String name) throws Exception {
        byte[] b = Files.readAllBytes(resource(name));
        java.util.Random random = new java.util.Random(name.hashCode());
        for (int t = 0; t < 25; t++) {
            int cut = t < 5 ? 100 + 60 * t : random.nextInt(b.length);
            Path f = Files.write(dir.resolve("cut-" + t + ".dcm"), Arrays.copyOf(b, cut));
            FrameSource s = FrameSources.create("dicom:" + f + "?pace=fast");
            try {
                s.open();
            } catch (CaptureException e) {
                assertThat(e.getMessage()).as("cut at %d", cut).startsWith("DICOM file " + f)
                        .doesNotContain("Exception");
                s.close();
                continue;
            }
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            int n = 0;
            Read r;
            while ((r = Slots.next(s, slot, 5000)) == Read.FRAME) {
                n++;
            }
            assertThat(r).as("cut at %d", cut).isEqualTo(Read.END);
            assertThat(n).isPositive();
            s.close();
        }
    }

    /**
     * The RGB marking of a colour JPEG walks headers that may be damaged: on any bytes it rewrites at most the
     * component ids, and never reads outside the frame (every length and count it meets is taken from the bytes).
     */
    @Test
    void markingAJpegAsRgbNeverReadsOutsideItsBytes() throws Exception {
        byte[] plain = Files.readAllBytes(resource("rgb-jpeg-plain.dcm"));
        int start = Bytes.indexOf(plain, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
        byte[] jpeg = Arrays.copyOfRange(plain, start, Math.min(plain.length, start + 2000));
        java.util.Random random = new java.util.Random(7);
        for (int t = 0; t < 20_000; t++) {
            byte[] b = jpeg.clone();
            for (int k = 0; k < 1 + t % 8; k++) {
                b[2 + random.nextInt(400)] = (byte) random.nextInt(256);
            }
            int n = 4 + random.nextInt(b.length - 4);
            byte[] before = b.clone();
            DicomPictures.markStoredAsRgb(b, n);
            for (int i = 0; i < b.length; i++) {
                if (b[i] != before[i]) {
                    assertThat(i).as("trial %d: only bytes of the first %d change", t, n).isLessThan(n);
                    assertThat((char) b[i]).as("trial %d: a component id", t).isIn('R', 'G', 'B');
                }
            }
        }
    }

    /**
     * Bytes of the header (and the first compressed frame's start) changed at random: the file opens and plays to its
     * end, or fails its open with a sentence; the process never dies. (cine-jpeg's trial 14, a damaged Huffman table,
     * crashed the JVM when a JPEG that OpenCV refused went on to FFmpeg's MJPEG decoder.)
     */
    @ParameterizedTest
    @CsvSource({"cine-jpeg.dcm", "cine-rle.dcm", "cine-implicit.dcm", "OBXXXX1A_rle_2frame.dcm", "cine-j2k.dcm",
            "cine-jpegls.dcm", "cine-ljpeg.dcm", "video-h264.dcm", "video-mpeg2.dcm", "video-hevc.dcm",
            "cine-deflated.dcm", "cine-eot.dcm", "grey12-window-lossy.dcm", "grey12-window-ljpeg.dcm",
            "grey12-signed-sigmoid-jls.dcm", "grey12-signed-sigmoid-j2k.dcm", "rgb-jpeg-plain.dcm",
            "cine-bigendian.dcm", "grey12-window-bigendian.dcm"})
    void aDamagedHeaderIsPlayedOrRefusedClearly(String name) throws Exception {
        byte[] original = Files.readAllBytes(resource(name));
        java.util.Random random = new java.util.Random(31L * name.hashCode());
        int header = Math.min(original.length, 1200);
        for (int t = 0; t < 40; t++) {
            byte[] b = original.clone();
            for (int k = 0; k < 1 + t % 4; k++) {
                b[132 + random.nextInt(header - 132)] = (byte) random.nextInt(256);
            }
            Path f = Files.write(dir.resolve("damaged-" + t + ".dcm"), b);
            FrameSource s = FrameSources.create("dicom:" + f + "?pace=fast");
            try {
                s.open();
            } catch (CaptureException e) {
                assertThat(e.getMessage()).as("trial %d", t).startsWith("DICOM file " + f);
                s.close();
                continue;
            }
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            Read r;
            do {
                r = Slots.next(s, slot, 5000);
            } while (r == Read.FRAME);
            assertThat(r).as("trial %d", t).isEqualTo(Read.END);
            s.close();
        }
    }
}
