package org.intravis.capture;

import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.FrameSource.Read;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;
import org.intravis.pipeline.testing.Bytes;
import org.intravis.pipeline.testing.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code plus:} sources on real ultrasound: the committed 5-frame cut of PLUS's BoneUltrasound_L14 sequence,
 * and raw {@code .mha} / {@code .mhd}+{@code .raw} rewrites of it made here. Expected checksums were computed
 * independently (Python's zlib over the same pixels).
 */
class PlusSequenceSourceTest {
    static final int W = 820;
    static final int H = 616;
    /** CRC-32 of each frame's pixels, from {@code zlib.crc32} in Python. */
    static final long[] CRC = {0x84ffa292L, 0x0f20ccf8L, 0xa04ccf2aL, 0x6feb5ed1L, 0xda6fde13L};
    static final double[] TIMESTAMPS = {232.542071, 232.628014, 232.714071, 232.800057, 232.886057};

    @TempDir
    static Path dir;
    static Path sample;
    static String headerText;
    static byte[] pixels;

    @BeforeAll
    static void sample() throws Exception {
        sample = Path.of(PlusSequenceSourceTest.class.getResource("/plus/BoneUltrasound_L14_first5.igs.mha").toURI());
        byte[] all = Files.readAllBytes(sample);
        int end = Bytes.indexOf(all, "ElementDataFile = LOCAL\n".getBytes(StandardCharsets.US_ASCII));
        end += "ElementDataFile = LOCAL\n".length();
        headerText = new String(all, 0, end, StandardCharsets.US_ASCII);
        Inflater inf = new Inflater();
        inf.setInput(Arrays.copyOfRange(all, end, all.length));
        pixels = new byte[W * H * 5];
        assertThat(inf.inflate(pixels)).isEqualTo(pixels.length);
        inf.end();
    }

    /** The sample's header with some lines replaced, e.g. CompressedData. */
    private static String header(String... replacements) {
        String h = headerText.replaceAll("CompressedDataSize = \\d+\n", "");
        for (int i = 0; i < replacements.length; i += 2) {
            h = h.replaceAll(replacements[i], replacements[i + 1]);
        }
        return h;
    }

    private static long crc(FrameSlot slot) {
        CRC32 c = new CRC32();
        for (int y = 0; y < slot.height(); y++) {
            for (int x = 0; x < slot.width(); x++) {
                c.update(slot.pixels().get(y * slot.stride() + x));
            }
        }
        return c.getValue();
    }

    private static List<Long> playAll(FrameSource s, FrameSlot slot, List<Long> crcs) throws CaptureException {
        List<Long> pts = new ArrayList<>();
        Read r;
        while ((r = Slots.next(s, slot, 10_000)) == Read.FRAME) {
            pts.add(slot.sourcePtsMicros());
            if (crcs != null) {
                crcs.add(crc(slot));
            }
            assertThat(pts).hasSizeLessThan(100);
        }
        assertThat(r).isEqualTo(Read.END);
        return pts;
    }

    static Path rawMha() throws Exception {
        Path f = dir.resolve("raw.igs.mha");
        if (!Files.exists(f)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(header("CompressedData = True", "CompressedData = False").getBytes(StandardCharsets.US_ASCII));
            out.write(pixels);
            Files.write(f, out.toByteArray());
        }
        return f;
    }

    static Path mhd() throws Exception {
        Path f = dir.resolve("split.igs.mhd");
        if (!Files.exists(f)) {
            Files.writeString(f, header("CompressedData = True", "CompressedData = False",
                    "ElementDataFile = LOCAL", "ElementDataFile = split.raw"));
            Files.write(dir.resolve("split.raw"), pixels);
        }
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"compressed .mha (committed sample)", "raw .mha", ".mhd + .raw"})
    void playsTheRealFramesInOrderAtTheirRecordedTimes(String variant) throws Exception {
        Path file = switch (variant) {
            case "raw .mha" -> rawMha();
            case ".mhd + .raw" -> mhd();
            default -> sample;
        };
        try (PlusSequenceSource s = (PlusSequenceSource) FrameSources.create("plus:" + file + "?pace=fast")) {
            s.open();
            assertThat(s.geometry().maxWidth()).isEqualTo(W);
            assertThat(s.geometry().maxHeight()).isEqualTo(H);
            assertThat(s.geometry().format()).isEqualTo(PixelFormat.GRAY8);
            assertThat(s.frameCount()).isEqualTo(5);
            assertThat(s.nominalFps()).isCloseTo(4 / (TIMESTAMPS[4] - TIMESTAMPS[0]), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(s.pixelSpacingMm()).isZero(); // ElementSpacing = 1 1 1: MetaImage's default, not a calibration
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            List<Long> crcs = new ArrayList<>();
            List<Long> pts = playAll(s, slot, crcs);
            assertThat(crcs).containsExactly(CRC[0], CRC[1], CRC[2], CRC[3], CRC[4]);
            for (int i = 0; i < 5; i++) {
                assertThat(pts.get(i)).isEqualTo(Math.round((TIMESTAMPS[i] - TIMESTAMPS[0]) * 1e6));
            }
            assertThat(slot.stride()).isEqualTo(W);
            assertThat(s.status()).isEqualTo(SourceStatus.ENDED);
            assertThat(s.statusDetail()).contains("5 frames delivered of 5").contains("timestamps");
        }
    }

    @Test
    void loopsWithTimeStillIncreasingAndHonoursAnFpsOption() throws Exception {
        try (FrameSource s = FrameSources.create("plus:" + sample + "?pace=fast&loop=true&fps=20")) {
            s.open();
            assertThat(s.nominalFps()).isEqualTo(20.0);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            for (int i = 0; i < 12; i++) {
                assertThat(s.readInto(slot)).isEqualTo(Read.FRAME);
                assertThat(slot.sourcePtsMicros()).isEqualTo(i * 50_000L);
                assertThat(crc(slot)).isEqualTo(CRC[i % 5]);
            }
            assertThat(s.statusDetail()).contains("looped 2 times");
        }
    }

    @Test
    void realtimePacingFollowsTheRecordedTimestamps() throws Exception {
        try (FrameSource s = FrameSources.create("plus:" + sample)) {
            s.open();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            long start = System.nanoTime();
            List<Long> pts = playAll(s, slot, null);
            assertThat(pts).hasSize(5);
            // lower bound only: 5 frames recorded over 344 ms cannot be played in less
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(pts.get(4) * 1000);
        }
    }

    @Test
    void missingTimestampsFallBackToTheirMedianSpacingAndSpacingIsRead() throws Exception {
        // like PLUS's Prostate10_video: one frame's fields are missing, frames 2 s apart otherwise
        Path f = dir.resolve("gaps.mhd");
        int w = 8;
        int h = 4;
        StringBuilder hdr = new StringBuilder("ObjectType = Image\nNDims = 3\nBinaryData = True\nCompressedData = False\n"
                + "ElementSpacing = 0.3 0.3 1\n");
        for (int i : new int[]{0, 1, 3}) {
            hdr.append(String.format("Seq_Frame%04d_Timestamp = %d.5%n", i, 10 + 2 * i));
        }
        hdr.append("DimSize = ").append(w).append(' ').append(h).append(" 4\nElementType = MET_UCHAR\n"
                + "ElementDataFile = gaps.raw\n");
        Files.writeString(f, hdr);
        byte[] data = new byte[w * h * 4];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i / (w * h) * 60);
        }
        Files.write(dir.resolve("gaps.raw"), data);
        try (FrameSource s = FrameSources.create("plus:" + f + "?pace=fast")) {
            s.open();
            assertThat(s.nominalFps()).isEqualTo(0.5);
            assertThat(s.pixelSpacingMm()).isEqualTo(0.3);
            assertThat(s.statusDetail()).contains("1 frames have no timestamp");
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            List<Double> means = new ArrayList<>();
            List<Long> pts = new ArrayList<>();
            while (s.readInto(slot) == Read.FRAME) {
                means.add(Slots.mean(slot));
                pts.add(slot.sourcePtsMicros());
            }
            assertThat(means).containsExactly(0.0, 60.0, 120.0, 180.0);
            assertThat(pts).containsExactly(0L, 2_000_000L, 4_000_000L, 6_000_000L);
        }
    }

    @Test
    void truncatedCompressedDataPlaysTheCompleteFramesAndSaysSo() throws Exception {
        byte[] all = Files.readAllBytes(sample);
        Path cut = dir.resolve("cut.igs.mha");
        Files.write(cut, Arrays.copyOf(all, all.length * 3 / 5));
        try (PlusSequenceSource s = (PlusSequenceSource) FrameSources.create("plus:" + cut + "?pace=fast")) {
            s.open();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            List<Long> crcs = new ArrayList<>();
            List<Long> pts = playAll(s, slot, crcs);
            assertThat(pts.size()).isBetween(1, 4);
            for (int i = 0; i < crcs.size(); i++) {
                assertThat(crcs.get(i)).isEqualTo(CRC[i]);
            }
            assertThat(s.frameCount()).isEqualTo(pts.size());
            assertThat(s.statusDetail()).contains("cut off inside frame " + pts.size());
        }
    }

    @Test
    void truncatedRawDataPlaysTheCompleteFramesAndSaysSo() throws Exception {
        Path raw = rawMha();
        Path cut = dir.resolve("rawcut.igs.mha");
        byte[] all = Files.readAllBytes(raw);
        Files.write(cut, Arrays.copyOf(all, all.length - W * H - 10));
        try (PlusSequenceSource s = (PlusSequenceSource) FrameSources.create("plus:" + cut + "?pace=fast")) {
            s.open();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            assertThat(playAll(s, slot, null)).hasSize(3);
            assertThat(s.statusDetail()).contains("the data file holds only 3 of the 5 frames");
        }
    }

    @Test
    void clearErrorsForFilesThatCannotBePlayed() throws Exception {
        Path missing = dir.resolve("none.igs.mha");
        assertThatThrownBy(() -> FrameSources.create("plus:" + missing).open()).isInstanceOf(CaptureException.class)
                .hasMessage("PLUS sequence " + missing + " does not exist");

        Path junk = dir.resolve("junk.igs.mha");
        byte[] bytes = new byte[5000];
        new java.util.Random(3).nextBytes(bytes);
        Files.write(junk, bytes);
        assertThatThrownBy(() -> FrameSources.create("plus:" + junk).open()).isInstanceOf(CaptureException.class)
                .hasMessageStartingWith(junk + " is not a MetaImage file");

        Path shorts = dir.resolve("short.igs.mhd");
        Files.writeString(shorts, header("MET_UCHAR", "MET_SHORT", "ElementDataFile = LOCAL", "ElementDataFile = x.raw"));
        assertThatThrownBy(() -> FrameSources.create("plus:" + shorts).open()).isInstanceOf(CaptureException.class)
                .hasMessage("PLUS sequence " + shorts + " has MET_SHORT pixels; only 8-bit grey (MET_UCHAR) sequences are supported");

        Path noData = dir.resolve("nodata.igs.mhd");
        Files.writeString(noData, header("CompressedData = True", "CompressedData = False",
                "ElementDataFile = LOCAL", "ElementDataFile = absent.raw"));
        assertThatThrownBy(() -> FrameSources.create("plus:" + noData).open()).isInstanceOf(CaptureException.class)
                .hasMessage("PLUS sequence " + noData + ": its data file " + dir.resolve("absent.raw") + " does not exist");

        Path damaged = dir.resolve("damaged.igs.mha");
        byte[] all = Files.readAllBytes(sample);
        byte[] bad = Arrays.copyOf(all, headerText.length() + 100);
        Arrays.fill(bad, headerText.length(), bad.length, (byte) 0x55); // not a zlib stream
        Files.write(damaged, bad);
        assertThatThrownBy(() -> FrameSources.create("plus:" + damaged).open()).isInstanceOf(CaptureException.class)
                .hasMessageStartingWith("PLUS sequence " + damaged + " has no readable frame: the compressed data is damaged in frame 0");

        assertThatThrownBy(() -> FrameSources.create("plus:" + sample + "?format=bgr"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grey");
    }

    @Test
    void readingAllocatesNothingPerFrame() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        for (Path file : new Path[]{sample, rawMha()}) {
            try (FrameSource s = FrameSources.create("plus:" + file + "?pace=fast&loop=true")) {
                s.open();
                FrameSlot[] ring = {new FrameSlot(0, s.geometry(), false), new FrameSlot(1, s.geometry(), false)};
                for (int i = 0; i < 40; i++) {
                    s.readInto(ring[i & 1]);
                }
                long before = threads.getThreadAllocatedBytes(me);
                int frames = 0;
                for (int i = 0; i < 100; i++) {
                    if (s.readInto(ring[i & 1]) == Read.FRAME) {
                        frames++;
                    }
                }
                long perFrame = (threads.getThreadAllocatedBytes(me) - before) / Math.max(1, frames);
                System.out.println("plus: source " + file.getFileName() + ": " + perFrame + " heap bytes/frame over " + frames);
                assertThat(frames).isEqualTo(100);
                assertThat(perFrame).isLessThan(8);
            }
        }
    }

    @Test
    void everySequenceInTheSharedDataOpensAndPlays() throws Exception {
        Path shared = SharedData.require("plus-sequences");
        for (String name : new String[]{"BoneUltrasound_L14.igs.mha", "SpinePhantomFreehand.igs.mha",
                "UltrasonixCurvilinearScanConvertedData.igs.mha", "Prostate10_video.igs.mhd"}) {
            try (PlusSequenceSource s = (PlusSequenceSource) FrameSources.create("plus:" + shared.resolve(name) + "?pace=fast")) {
                s.open();
                FrameSlot slot = new FrameSlot(0, s.geometry(), false);
                List<Long> pts = playAll(s, slot, null);
                System.out.println(name + ": " + s.statusDetail());
                assertThat(pts).hasSize(s.frameCount());
                assertThat(s.frameCount()).isIn(21, 5, 10);
            }
        }
    }

}
