package org.intravis.capture.ffmpeg;

import org.intravis.capture.FfmpegCli;
import org.intravis.capture.FrameSources;
import org.intravis.capture.Slots;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.FrameSource.Read;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code file:} sources on videos the real FFmpeg CLI writes at test time. */
class FileSourceTest {
    @TempDir
    static Path dir;
    static Path mp4;

    @BeforeAll
    static void videos() throws Exception {
        // 50 frames at 25 fps, a key frame every 10 (so damage recovers quickly)
        mp4 = FfmpegCli.testVideo(dir.resolve("clip.mp4"), 320, 240, 25, 50,
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p");
    }

    private static FrameSource open(String uri) throws CaptureException {
        FrameSource s = FrameSources.create(uri);
        s.open();
        return s;
    }

    private static FrameSlot slotFor(FrameSource s) {
        return new FrameSlot(0, s.geometry(), false);
    }

    /** Reads until END (bounded), returning the presentation times of the frames delivered. */
    private static List<Long> readAll(FrameSource s, FrameSlot slot, int max) throws CaptureException {
        List<Long> pts = new ArrayList<>();
        while (pts.size() < max) {
            Read r = Slots.next(s, slot, 10_000);
            if (r == Read.END) {
                return pts;
            }
            assertThat(r).isEqualTo(Read.FRAME);
            pts.add(slot.sourcePtsMicros());
        }
        throw new AssertionError("no END after " + max + " frames");
    }

    @Test
    void fastModeDeliversEveryFrameOfAnMp4InGreyAtItsSizeThenEnds() throws Exception {
        try (FrameSource s = open("file:" + mp4 + "?pace=fast")) {
            assertThat(s.geometry().maxWidth()).isEqualTo(320);
            assertThat(s.geometry().maxHeight()).isEqualTo(240);
            assertThat(s.geometry().format()).isEqualTo(PixelFormat.GRAY8);
            assertThat(s.nominalFps()).isEqualTo(25.0);
            assertThat(s.live()).isFalse();
            assertThat(s.status()).isEqualTo(SourceStatus.STREAMING);
            FrameSlot slot = slotFor(s);
            List<Long> pts = readAll(s, slot, 1000);
            assertThat(pts).hasSize(50);
            assertThat(slot.width()).isEqualTo(320);
            assertThat(slot.height()).isEqualTo(240);
            assertThat(slot.stride()).isEqualTo(320);
            assertThat(slot.format()).isEqualTo(PixelFormat.GRAY8);
            assertThat(Slots.mean(slot)).isBetween(20.0, 235.0); // a real picture, not black or white
            for (int i = 1; i < pts.size(); i++) {
                assertThat(pts.get(i) - pts.get(i - 1)).isEqualTo(40_000L); // 25 fps, in order
            }
            assertThat(s.status()).isEqualTo(SourceStatus.ENDED);
            assertThat(s.readInto(slot)).isEqualTo(Read.END);
            assertThat(s.statusDetail()).contains("50 frames delivered");
        }
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({"mkv,libx264", "avi,mpeg4", "mov,libx264", "ts,mpeg2video"})
    void readsEveryCommonContainer(String ext, String codec) throws Exception {
        Path f = FfmpegCli.testVideo(dir.resolve("c." + ext), 176, 144, 25, 12, "-c:v", codec, "-pix_fmt", "yuv420p");
        try (FrameSource s = open("file:" + f + "?pace=fast")) {
            assertThat(s.geometry().maxWidth()).isEqualTo(176);
            assertThat(s.geometry().maxHeight()).isEqualTo(144);
            FrameSlot slot = slotFor(s);
            assertThat(readAll(s, slot, 100)).hasSize(12);
        }
    }

    /**
     * A file's greys come out as FFmpeg's own decoder gives them, whether the file is in video range or in full
     * range and however the decoder says so: H.264 decodes full range as a yuvj format, VP9 as yuv420p with the
     * frame's colour range set. A mix-up moves dark greys by about 10 levels.
     */
    @ParameterizedTest(name = "{1} in {2} range")
    @CsvSource({"mp4,libx264,tv", "mp4,libx264,pc", "webm,libvpx-vp9,tv", "webm,libvpx-vp9,pc"})
    void greysAreFfmpegsInVideoAndFullRangeFiles(String ext, String codec, String range) throws Exception {
        Path f = org.intravis.capture.FfmpegCli.run(dir.resolve("grey-" + codec + "-" + range + "." + ext), "-f",
                "lavfi", "-i", "color=c=0x1e1e1e:size=160x120:rate=10,format=gray", "-frames:v", "1", "-c:v", codec,
                "-pix_fmt", "yuv420p", "-color_range", range);
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-i", f.toString(), "-frames:v", "1", "-f", "rawvideo",
                "-pix_fmt", "gray", "-").start();
        byte[] reference = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(reference).hasSize(160 * 120);
        double expected = 0;
        for (byte v : reference) {
            expected += v & 0xff;
        }
        expected /= reference.length;
        try (FrameSource s = open("file:" + f + "?pace=fast")) {
            FrameSlot slot = slotFor(s);
            assertThat(s.readInto(slot)).isEqualTo(Read.FRAME);
            assertThat(Slots.mean(slot)).as("%s, %s range: mean grey against FFmpeg's", codec, range)
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(1.0));
        }
    }

    @Test
    void bgrFormatDeliversColour() throws Exception {
        try (FrameSource s = open("file:" + mp4 + "?pace=fast&format=bgr")) {
            assertThat(s.geometry().format()).isEqualTo(PixelFormat.BGR24);
            FrameSlot slot = slotFor(s);
            assertThat(s.readInto(slot)).isEqualTo(Read.FRAME);
            assertThat(slot.stride()).isEqualTo(320 * 3);
            assertThat(slot.format()).isEqualTo(PixelFormat.BGR24);
            // testsrc2 is colourful: some pixels have clearly different blue, green and red
            int coloured = 0;
            for (int i = 0; i < 320 * 240; i++) {
                int b = slot.pixels().get(3 * i) & 0xff;
                int g = slot.pixels().get(3 * i + 1) & 0xff;
                int r = slot.pixels().get(3 * i + 2) & 0xff;
                if (Math.max(Math.abs(b - g), Math.max(Math.abs(g - r), Math.abs(b - r))) > 60) {
                    coloured++;
                }
            }
            assertThat(coloured).isGreaterThan(320 * 240 / 10);
        }
    }

    @Test
    void largerVideoIsScaledDownKeepingItsAspect() throws Exception {
        Path big = FfmpegCli.testVideo(dir.resolve("big.mkv"), 640, 360, 25, 3, "-c:v", "libx264", "-preset", "ultrafast");
        try (FrameSource s = open("file:" + big + "?pace=fast&maxWidth=320&maxHeight=320")) {
            assertThat(s.geometry().maxWidth()).isEqualTo(320);
            assertThat(s.geometry().maxHeight()).isEqualTo(180);
            FrameSlot slot = slotFor(s);
            assertThat(s.readInto(slot)).isEqualTo(Read.FRAME);
            assertThat(slot.width()).isEqualTo(320);
            assertThat(slot.height()).isEqualTo(180);
            assertThat(Slots.mean(slot)).isBetween(20.0, 235.0);
        }
    }

    @Test
    void realtimePacingFollowsTheFramesTimestamps() throws Exception {
        try (FrameSource s = open("file:" + mp4)) {
            FrameSlot slot = slotFor(s);
            long start = System.nanoTime();
            List<Long> pts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                assertThat(Slots.next(s, slot, 10_000)).isEqualTo(Read.FRAME);
                pts.add(slot.sourcePtsMicros());
            }
            long elapsedMicros = (System.nanoTime() - start) / 1000;
            for (int i = 1; i < pts.size(); i++) {
                assertThat(pts.get(i) - pts.get(i - 1)).isEqualTo(40_000L);
            }
            // a lower bound only (a slow machine cannot break it): paced playback cannot deliver 8 frames of a
            // 25 fps file faster than their 280 ms of media time
            assertThat(elapsedMicros).isGreaterThanOrEqualTo(pts.get(7) - pts.get(0));
        }
    }

    @Test
    void loopWrapsToTheStartWithTimeStillIncreasing() throws Exception {
        Path shortClip = FfmpegCli.testVideo(dir.resolve("short.mkv"), 160, 120, 25, 5, "-c:v", "libx264", "-preset", "ultrafast");
        try (FrameSource s = open("file:" + shortClip + "?pace=fast&loop=true")) {
            FrameSlot slot = slotFor(s);
            long last = -1;
            for (int i = 0; i < 13; i++) {
                assertThat(Slots.next(s, slot, 10_000)).isEqualTo(Read.FRAME);
                assertThat(slot.sourcePtsMicros()).isGreaterThan(last);
                if (last >= 0) {
                    assertThat(slot.sourcePtsMicros() - last).isEqualTo(40_000L); // continuous across the wrap
                }
                last = slot.sourcePtsMicros();
            }
            assertThat(s.statusDetail()).contains("13 frames delivered").contains("looped 2 times");
            assertThat(s.status()).isEqualTo(SourceStatus.STREAMING);
        }
    }

    @Test
    void missingFileIsAClearErrorAtOpen() {
        Path missing = dir.resolve("nope.mp4");
        FrameSource s = FrameSources.create("file:" + missing);
        assertThatThrownBy(s::open).isInstanceOf(CaptureException.class)
                .hasMessage("video file " + missing + " does not exist");
        assertThat(s.status()).isEqualTo(SourceStatus.FAILED);
        assertThat(s.statusDetail()).contains("does not exist");
        s.close();
    }

    /** An empty file (a copy that never finished) says so, rather than FFmpeg's "invalid data". */
    @Test
    void emptyFileIsAClearErrorAtOpen() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.mp4"));
        FrameSource s = FrameSources.create("file:" + empty);
        assertThatThrownBy(s::open).isInstanceOf(CaptureException.class)
                .hasMessage("video file " + empty + " is empty (0 bytes)");
        assertThat(s.status()).isEqualTo(SourceStatus.FAILED);
        s.close();
    }

    @Test
    void randomBytesNamedMp4IsAClearErrorAtOpen() throws Exception {
        Path junk = dir.resolve("junk.mp4");
        byte[] bytes = new byte[200_000];
        new Random(7).nextBytes(bytes);
        Files.write(junk, bytes);
        FrameSource s = FrameSources.create("file:" + junk);
        assertThatThrownBy(s::open).isInstanceOf(CaptureException.class)
                .hasMessageContaining(junk.toString())
                .hasMessageContaining("Invalid data found when processing input")
                .hasMessageContaining("not a video FFmpeg can read")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception"));
        s.close();
    }

    @Test
    void truncatedMp4WithoutItsIndexIsAClearErrorAtOpen() throws Exception {
        // a plain mp4 keeps its index (moov) at the end: cut it off and nothing can be found
        Path cut = dir.resolve("cut.mp4");
        byte[] full = Files.readAllBytes(mp4);
        Files.write(cut, java.util.Arrays.copyOf(full, full.length / 2));
        FrameSource s = FrameSources.create("file:" + cut);
        assertThatThrownBy(s::open).isInstanceOf(CaptureException.class)
                .hasMessageContaining(cut.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        s.close();
    }

    @Test
    void truncatedMkvPlaysWhatIsThereThenEnds() throws Exception {
        Path mkv = FfmpegCli.testVideo(dir.resolve("full.mkv"), 320, 240, 25, 50, "-c:v", "libx264", "-preset", "ultrafast", "-g", "10");
        Path cut = dir.resolve("half.mkv");
        byte[] full = Files.readAllBytes(mkv);
        Files.write(cut, java.util.Arrays.copyOf(full, full.length / 2));
        try (FrameSource s = open("file:" + cut + "?pace=fast")) {
            List<Long> pts = readAll(s, slotFor(s), 1000);
            assertThat(pts.size()).isBetween(5, 49);
            assertThat(s.status()).isEqualTo(SourceStatus.ENDED);
        }
    }

    @Test
    void damageInTheMiddleIsSkippedAndCounted() throws Exception {
        Path ts = FfmpegCli.testVideo(dir.resolve("whole.ts"), 320, 240, 25, 100, "-c:v", "libx264", "-preset", "ultrafast", "-g", "10");
        byte[] bytes = Files.readAllBytes(ts);
        Random random = new Random(11);
        int from = bytes.length / 2;
        for (int i = from; i < from + bytes.length / 10; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        Path damaged = dir.resolve("damaged.ts");
        Files.write(damaged, bytes);
        try (FileSource s = (FileSource) open("file:" + damaged + "?pace=fast")) {
            List<Long> pts = readAll(s, slotFor(s), 1000);
            System.out.println("damaged ts: " + pts.size() + " frames; " + s.statusDetail());
            assertThat(pts.size()).isBetween(50, 99);
            assertThat(s.damageCount()).isPositive();
            // what was lost is accounted for: frames delivered plus frames found missing make the whole clip
            assertThat(pts.size() + s.missingFrames()).isBetween(98L, 100L);
            assertThat(s.statusDetail()).contains("frames missing");
            assertThat(s.status()).isEqualTo(SourceStatus.ENDED);
        }
    }

    @Test
    void audioOnlyFileIsAClearErrorAtOpen() throws Exception {
        Path audio = FfmpegCli.run(dir.resolve("tone.m4a"), "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac");
        FrameSource s = FrameSources.create("file:" + audio);
        assertThatThrownBy(s::open).isInstanceOf(CaptureException.class)
                .hasMessage("video file " + audio + " has no video stream (it contains: audio aac)");
        s.close();
    }

    @Test
    void badOptionsAreRejectedWhenTheSourceIsCreated() {
        assertThatThrownBy(() -> FrameSources.create("file:" + mp4 + "?lop=true"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'lop'");
        assertThatThrownBy(() -> FrameSources.create("file:" + mp4 + "?pace=slow"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pace=slow");
        assertThatThrownBy(() -> FrameSources.create("file:" + mp4 + "?format=rgba"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format=rgba");
    }
}
