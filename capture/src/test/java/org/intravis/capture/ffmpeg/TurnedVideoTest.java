package org.intravis.capture.ffmpeg;

import org.intravis.capture.FfmpegCli;
import org.intravis.capture.FrameSources;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.FrameSource.Read;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A video stored turned, with a display matrix saying how to show it (a phone filming a scanner's screen), is
 * delivered upright, exactly as FFmpeg's own command line shows it: each of the eight quarter turns and mirrorings is
 * written into an MP4's track header and the picture compared pixel by pixel with {@code ffmpeg}'s (autorotate on).
 */
class TurnedVideoTest {
    private static final int W = 96;
    private static final int H = 64;

    @TempDir
    static Path dir;
    static Path upright;

    @BeforeAll
    static void video() throws Exception {
        // testsrc2 has no symmetry, so every turn and mirror gives another picture
        upright = FfmpegCli.testVideo(dir.resolve("upright.mp4"), W, H, 25, 3, "-c:v", "libx264", "-preset",
                "ultrafast", "-pix_fmt", "yuv420p");
    }

    /** a, b, c, d of the display matrix (each -1, 0 or 1), as an MP4 track header holds them. */
    @ParameterizedTest(name = "matrix {0} {1} / {2} {3}: {4}")
    @CsvSource({
            "0,1,-1,0,CLOCKWISE", "0,-1,1,0,COUNTERCLOCKWISE", "-1,0,0,-1,UPSIDE_DOWN",
            "-1,0,0,1,MIRRORED", "1,0,0,-1,FLIPPED", "0,1,1,0,TRANSPOSED", "0,-1,-1,0,ANTI_TRANSPOSED"})
    void aTurnedVideoComesOutAsFfmpegShowsIt(int a, int b, int c, int d, DisplayOrientation expected)
            throws Exception {
        Path turned = withMatrix(dir.resolve("turned-" + expected + ".mp4"), a, b, c, d);
        int shownW = expected.swapsSides() ? H : W;
        int shownH = expected.swapsSides() ? W : H;
        byte[] reference = ffmpegFirstFrame(turned, shownW * shownH);
        byte[] asStored = ffmpegFirstFrame(upright, W * H);
        byte[] ours = firstPicture("file:" + turned + "?pace=fast", shownW, shownH, 1);
        assertThat(meanDifference(ours, reference)).as("against ffmpeg's own picture").isLessThan(1.0);
        if (!expected.swapsSides()) {
            assertThat(meanDifference(ours, asStored)).as("against the picture as stored").isGreaterThan(20.0);
        }
    }

    @Test
    void aVideoWithoutADisplayMatrixIsDeliveredAsStored() throws Exception {
        byte[] reference = ffmpegFirstFrame(upright, W * H);
        byte[] ours = firstPicture("file:" + upright + "?pace=fast", W, H, 1);
        assertThat(meanDifference(ours, reference)).isLessThan(1.0);
    }

    /** A turned video larger than maxWidth x maxHeight is fitted by its shown size, not its stored one. */
    @Test
    void aTurnedVideoIsFittedByItsShownSize() throws Exception {
        Path turned = withMatrix(dir.resolve("fit.mp4"), 0, 1, -1, 0);
        try (FrameSource s = FrameSources.create("file:" + turned + "?pace=fast&maxWidth=48&maxHeight=48")) {
            s.open();
            assertThat(s.geometry().maxWidth()).isEqualTo(32);
            assertThat(s.geometry().maxHeight()).isEqualTo(48);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            assertThat(s.readInto(slot)).isEqualTo(Read.FRAME);
            assertThat(slot.width()).isEqualTo(32);
            assertThat(slot.height()).isEqualTo(48);
        }
    }

    @Test
    void aTurnedVideoInColourComesOutAsFfmpegShowsIt() throws Exception {
        Path turned = withMatrix(dir.resolve("colour.mp4"), 0, -1, 1, 0);
        byte[] reference = ffmpegFirstFrame(turned, "bgr24", 3 * W * H);
        byte[] ours = firstPicture("file:" + turned + "?pace=fast&format=bgr", H, W, 3);
        assertThat(meanDifference(ours, reference)).isLessThan(2.0);
    }

    /**
     * A video of non-square pixels (a PAL or NTSC capture, DV, HDV: the stream's sample aspect ratio) comes out with
     * square ones, as players show it, so that a distance in pixels means the same across and down: 160x120 at 4:3
     * is 213x120, the picture FFmpeg's own scaler makes of it. Turned as well, the square picture is turned.
     */
    @Test
    void aVideoOfNonSquarePixelsComesOutSquare() throws Exception {
        Path wide = FfmpegCli.run(dir.resolve("sar.mp4"), "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25",
                "-frames:v", "3", "-vf", "setsar=4/3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt",
                "yuv420p");
        byte[] reference = ffmpegFirstFrame(wide, "gray", 213 * 120, "-vf", "scale=213:120", "-sws_flags", "bilinear");
        byte[] ours = firstPicture("file:" + wide + "?pace=fast", 213, 120, 1);
        assertThat(meanDifference(ours, reference)).isLessThan(2.0);
        try (FrameSource s = FrameSources.create("file:" + wide + "?pace=fast&maxWidth=160&maxHeight=160")) {
            s.open();
            assertThat(s.geometry().maxWidth()).as("fitted by its square size").isEqualTo(160);
            assertThat(s.geometry().maxHeight()).isEqualTo(90);
        }
    }

    /**
     * A capture card gives no ratio (v4l2 PAL is 720x576 of pixels 16:15 wide): {@code pixelAspect} says it; it also
     * overrides a stream's own ({@code 1}: as stored). A ratio out of 0.5..2 or not a ratio is refused at once.
     */
    @Test
    void pixelAspectGivesTheRatioAStreamDoesNotSay() throws Exception {
        try (FrameSource s = FrameSources.create("file:" + upright + "?pace=fast&pixelAspect=4:3")) {
            s.open();
            assertThat(s.geometry().maxWidth()).isEqualTo(128); // 96 x 4/3
            assertThat(s.geometry().maxHeight()).isEqualTo(H);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            assertThat(s.readInto(slot)).isEqualTo(Read.FRAME);
            assertThat(slot.width()).isEqualTo(128);
        }
        Path wide = FfmpegCli.run(dir.resolve("sar-given.mp4"), "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25",
                "-frames:v", "1", "-vf", "setsar=4/3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt",
                "yuv420p");
        try (FrameSource s = FrameSources.create("file:" + wide + "?pace=fast&pixelAspect=1")) {
            s.open();
            assertThat(s.geometry().maxWidth()).as("as stored").isEqualTo(160);
        }
        for (String bad : new String[] {"3", "4:0", "wide", "0.2"}) {
            assertThatThrownBy(() -> FrameSources.create("file:" + upright + "?pixelAspect=" + bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pixelAspect=" + bad);
        }
        assertThatThrownBy(() -> FrameSources.create("udp://127.0.0.1:5999?pixelAspect=9")).hasMessageContaining(
                "pixelAspect=9");
    }

    /** A copy of the upright video with the display matrix {@code a b / c d} in its track header. */
    private static Path withMatrix(Path out, int a, int b, int c, int d) throws Exception {
        byte[] mp4 = Files.readAllBytes(upright);
        int tkhd = indexOf(mp4, "tkhd".getBytes(StandardCharsets.US_ASCII));
        assertThat(tkhd).as("the MP4's track header").isPositive();
        assertThat(mp4[tkhd + 4]).as("a version 0 track header").isZero();
        // after the type: version and flags, times, track id, reserved, duration, reserved, layer, group, volume
        ByteBuffer matrix = ByteBuffer.wrap(mp4, tkhd + 4 + 40, 36).order(ByteOrder.BIG_ENDIAN);
        int one = 1 << 16; // 16.16 fixed point; the last column is 2.30
        int x = (a < 0 || c < 0 ? W : 0) * one;
        int y = (b < 0 || d < 0 ? H : 0) * one;
        matrix.putInt(a * one).putInt(b * one).putInt(0).putInt(c * one).putInt(d * one).putInt(0)
                .putInt(x).putInt(y).putInt(1 << 30);
        Files.write(out, mp4);
        return out;
    }

    private static int indexOf(byte[] data, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= data.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (data[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The first picture as {@code ffmpeg} shows it (turned by its display matrix), in grey. */
    private static byte[] ffmpegFirstFrame(Path video, int size) throws Exception {
        return ffmpegFirstFrame(video, "gray", size);
    }

    /** The first picture as {@code ffmpeg} shows it in {@code pixelFormat}, through {@code filter} arguments if any. */
    private static byte[] ffmpegFirstFrame(Path video, String pixelFormat, int size, String... filter)
            throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("ffmpeg", "-v", "error", "-i",
                video.toString(), "-frames:v", "1"));
        cmd.addAll(java.util.List.of(filter));
        cmd.addAll(java.util.List.of("-f", "rawvideo", "-pix_fmt", pixelFormat, "-"));
        Process p = new ProcessBuilder(cmd).start();
        byte[] picture = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(picture).hasSize(size);
        return picture;
    }

    /**
     * The first picture a source delivers, packed ({@code bytesPerPixel} 1 for grey, 3 for BGR): its geometry and
     * the slot are asserted to be {@code w x h}.
     */
    private static byte[] firstPicture(String uri, int w, int h, int bytesPerPixel) throws Exception {
        try (FrameSource s = FrameSources.create(uri)) {
            s.open();
            assertThat(s.geometry().maxWidth()).isEqualTo(w);
            assertThat(s.geometry().maxHeight()).isEqualTo(h);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            assertThat(s.readInto(slot)).isEqualTo(Read.FRAME);
            assertThat(slot.width()).isEqualTo(w);
            assertThat(slot.height()).isEqualTo(h);
            assertThat(slot.stride()).isEqualTo(bytesPerPixel * w);
            byte[] picture = new byte[bytesPerPixel * w * h];
            slot.pixels().duplicate().clear().get(picture);
            return picture;
        }
    }

    private static double meanDifference(byte[] x, byte[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs((x[i] & 0xff) - (y[i] & 0xff));
        }
        return sum / x.length;
    }
}
