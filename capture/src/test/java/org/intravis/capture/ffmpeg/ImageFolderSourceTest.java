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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code images:} sources on folders of real PNG/JPEG files. */
class ImageFolderSourceTest {
    @TempDir
    Path dir;

    /** A uniform grey image of {@code level}, written as PNG or JPEG. */
    private static void grey(Path file, int w, int h, int level, String type) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, level);
            }
        }
        assertThat(ImageIO.write(img, type, file.toFile())).isTrue();
    }

    @Test
    void playsImagesInNaturalNameOrderSkippingAnUnreadableOneThenEnds() throws Exception {
        for (int k = 1; k <= 12; k++) { // f1 .. f12: plain string order would put f10 before f2
            if (k == 5) {
                Files.write(dir.resolve("f5.png"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8}); // not an image
            } else {
                grey(dir.resolve("f" + k + ".png"), 64, 48, 15 * k, "png");
            }
        }
        Files.writeString(dir.resolve("notes.txt"), "not a frame");
        try (ImageFolderSource s = (ImageFolderSource) FrameSources.create("images:" + dir + "?fps=10&pace=fast")) {
            s.open();
            assertThat(s.geometry().maxWidth()).isEqualTo(64);
            assertThat(s.geometry().maxHeight()).isEqualTo(48);
            assertThat(s.geometry().format()).isEqualTo(PixelFormat.GRAY8);
            assertThat(s.nominalFps()).isEqualTo(10.0);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            List<Double> levels = new ArrayList<>();
            List<Long> pts = new ArrayList<>();
            Read r;
            while ((r = Slots.next(s, slot, 5_000)) == Read.FRAME) {
                levels.add(Slots.mean(slot));
                pts.add(slot.sourcePtsMicros());
            }
            assertThat(r).isEqualTo(Read.END);
            assertThat(levels).containsExactly(15.0, 30.0, 45.0, 60.0, 90.0, 105.0, 120.0, 135.0, 150.0, 165.0, 180.0);
            for (int i = 1; i < pts.size(); i++) {
                assertThat(pts.get(i) - pts.get(i - 1)).isEqualTo(100_000L);
            }
            assertThat(s.skippedImages()).isEqualTo(1);
            assertThat(s.statusDetail()).contains("11 frames delivered from 12 images").contains("skipped 1 unreadable")
                    .contains("f5.png");
            assertThat(s.status()).isEqualTo(SourceStatus.ENDED);
        }
    }

    /**
     * A JPEG whose EXIF orientation says "turn a quarter clockwise" (a phone's photo of a screen) comes out turned, as
     * OpenCV, and so {@code evaluate}, reads it: the live path and the evaluation see the same picture.
     */
    @Test
    void aJpegIsTurnedByItsExifOrientationAsOpenCvReadsIt() throws Exception {
        int w = 60;
        int h = 40;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) { // brighter to the right, a bright band at the top: no symmetry
                img.getRaster().setSample(x, y, 0, y < 8 ? 250 : 3 * x);
            }
        }
        java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
        assertThat(ImageIO.write(img, "jpg", jpeg)).isTrue();
        byte[] plain = jpeg.toByteArray();
        // an APP1 Exif segment after the start marker: a little-endian TIFF header and one IFD entry,
        // Orientation (0x0112), SHORT, 1 value: 6
        byte[] exif = {(byte) 0xFF, (byte) 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
                'I', 'I', 42, 0, 8, 0, 0, 0,
                1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0,
                0, 0, 0, 0};
        byte[] turned = new byte[plain.length + exif.length];
        System.arraycopy(plain, 0, turned, 0, 2);
        System.arraycopy(exif, 0, turned, 2, exif.length);
        System.arraycopy(plain, 2, turned, 2 + exif.length, plain.length - 2);
        Path file = Files.write(dir.resolve("photo.jpg"), turned);
        byte[] openCv;
        try (org.bytedeco.opencv.opencv_core.Mat m = org.bytedeco.opencv.global.opencv_imgcodecs.imread(
                file.toString(), org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE)) {
            assertThat(m.cols()).as("OpenCV turns it").isEqualTo(h);
            assertThat(m.rows()).isEqualTo(w);
            openCv = new byte[w * h];
            m.data().get(openCv);
        }
        try (FrameSource s = FrameSources.create("images:" + dir + "?pace=fast")) {
            s.open();
            assertThat(s.geometry().maxWidth()).isEqualTo(h);
            assertThat(s.geometry().maxHeight()).isEqualTo(w);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            assertThat(Slots.next(s, slot, 5_000)).isEqualTo(Read.FRAME);
            assertThat(slot.width()).isEqualTo(h);
            byte[] ours = new byte[w * h];
            slot.pixels().duplicate().clear().get(ours);
            double difference = 0;
            for (int i = 0; i < ours.length; i++) {
                difference += Math.abs((ours[i] & 0xff) - (openCv[i] & 0xff));
            }
            assertThat(difference / ours.length).as("mean difference from OpenCV's picture").isLessThan(1.0);
        }
    }

    @Test
    void loopsAndPacesByFps() throws Exception {
        for (int k = 0; k < 3; k++) {
            grey(dir.resolve("img" + k + ".jpg"), 32, 32, 40 + 80 * k, "jpg");
        }
        try (FrameSource s = FrameSources.create("images:" + dir + "?fps=50&loop=true")) {
            s.open();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            long start = System.nanoTime();
            List<Double> levels = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                assertThat(Slots.next(s, slot, 5_000)).isEqualTo(Read.FRAME);
                levels.add((double) Math.round(Slots.mean(slot) / 10) * 10);
            }
            // lower bound only: 7 paced frames at 50 fps span 120 ms of media time
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(120_000_000L);
            assertThat(levels).containsExactly(40.0, 120.0, 200.0, 40.0, 120.0, 200.0, 40.0);
            assertThat(slot.sourcePtsMicros()).isEqualTo(120_000L);
        }
    }

    /** A uniform 16-bit grey PNG of {@code level} (0..65535). */
    private static void grey16(Path file, int level) throws Exception {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.getRaster().setSample(x, y, 0, level);
            }
        }
        assertThat(ImageIO.write(img, "png", file.toFile())).isTrue();
    }

    /**
     * 16-bit PNGs are read by the bits they use: a 12-bit export's values (0..4095) as 0..255, a dark frame after
     * them at the same depth; in colour the same greys. Read as 16 bits (swscale keeps the top 8) the first would be
     * 6, the dark one 0. Values scaled to the whole 16 bits read as before.
     */
    @Test
    void sixteenBitImagesAreReadByTheBitsTheyUse() throws Exception {
        Path twelve = Files.createDirectories(dir.resolve("twelve"));
        grey16(twelve.resolve("f1.png"), 1606); // 1606 * 255 / 4095 = 100.0
        grey16(twelve.resolve("f2.png"), 3000); // 186.8
        grey16(twelve.resolve("f3.png"), 100); // 6.2: still 12 bits, not brightened as 8
        for (String format : new String[] {"gray", "bgr"}) {
            try (FrameSource s = FrameSources.create("images:" + twelve + "?pace=fast&format=" + format)) {
                s.open();
                FrameSlot slot = new FrameSlot(0, s.geometry(), false);
                List<Double> levels = new ArrayList<>();
                while (Slots.next(s, slot, 5_000) == Read.FRAME) {
                    levels.add(Slots.mean(slot));
                }
                assertThat(levels).as(format).containsExactly(100.0, 187.0, 6.0);
            }
        }
        Path sixteen = Files.createDirectories(dir.resolve("sixteen"));
        grey16(sixteen.resolve("f1.png"), 200 * 257);
        try (FrameSource s = FrameSources.create("images:" + sixteen + "?pace=fast")) {
            s.open();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            assertThat(Slots.next(s, slot, 5_000)).isEqualTo(Read.FRAME);
            assertThat(Slots.mean(slot)).isEqualTo(200.0);
        }
    }

    /** A 40 x 30 16-bit colour PNG (OpenCV writes its samples blue first) of one colour, with an opaque alpha band. */
    private static void colour16(Path file, int blue, int green, int red, boolean alpha) {
        int channels = alpha ? 4 : 3;
        int type = alpha ? org.bytedeco.opencv.global.opencv_core.CV_16UC4
                : org.bytedeco.opencv.global.opencv_core.CV_16UC3;
        try (org.bytedeco.opencv.opencv_core.Mat m = new org.bytedeco.opencv.opencv_core.Mat(30, 40, type)) {
            short[] px = new short[30 * 40 * channels];
            for (int i = 0; i < 30 * 40; i++) {
                px[channels * i] = (short) blue;
                px[channels * i + 1] = (short) green;
                px[channels * i + 2] = (short) red;
                if (alpha) {
                    px[channels * i + 3] = (short) 65535;
                }
            }
            new org.bytedeco.javacpp.ShortPointer(m.data()).put(px);
            assertThat(org.bytedeco.opencv.global.opencv_imgcodecs.imwrite(file.toString(), m)).isTrue();
        }
    }

    /**
     * 16-bit colour PNGs too (FFmpeg gives them as 48- or 64-bit RGB): a 12-bit export's samples by the 12 bits, each
     * channel the same way, an alpha band left out of the depth. Through swscale's top 8 bits they were 6, 0 and 11.
     */
    @Test
    void sixteenBitColourImagesAreReadByTheBitsTheyUse() throws Exception {
        Path rgb = Files.createDirectories(dir.resolve("rgb"));
        colour16(rgb.resolve("f1.png"), 100, 1606, 3000, false); // 6.2, 100.0, 186.8
        colour16(rgb.resolve("f2.png"), 100, 1606, 3000, true);
        try (FrameSource s = FrameSources.create("images:" + rgb + "?pace=fast&format=bgr")) {
            s.open();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            for (int k = 0; k < 2; k++) {
                assertThat(Slots.next(s, slot, 5_000)).isEqualTo(Read.FRAME);
                int b = slot.pixels().get(0) & 0xff;
                int g = slot.pixels().get(1) & 0xff;
                int r = slot.pixels().get(2) & 0xff;
                assertThat(new int[] {b, g, r}).as("image %d, blue green red", k + 1).containsExactly(6, 100, 187);
            }
        }
        Path grey = Files.createDirectories(dir.resolve("grey-in-colour"));
        colour16(grey.resolve("f1.png"), 1606, 1606, 1606, false);
        try (FrameSource s = FrameSources.create("images:" + grey + "?pace=fast")) {
            s.open();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            assertThat(Slots.next(s, slot, 5_000)).isEqualTo(Read.FRAME);
            assertThat(Slots.mean(slot)).isEqualTo(100.0);
        }
    }

    @Test
    void colourImagesLargerThanTheFirstAreScaledDownToFit() throws Exception {
        FfmpegCli.run(dir.resolve("a%02d.png"), "-f", "lavfi", "-i", "testsrc2=size=200x150:rate=1", "-frames:v", "2");
        FfmpegCli.run(dir.resolve("b01.jpg"), "-f", "lavfi", "-i", "testsrc2=size=800x600:rate=1", "-frames:v", "1");
        try (FrameSource s = FrameSources.create("images:" + dir + "?pace=fast&format=bgr")) {
            s.open();
            assertThat(s.geometry().maxWidth()).isEqualTo(200);
            assertThat(s.geometry().maxHeight()).isEqualTo(150);
            assertThat(s.geometry().format()).isEqualTo(PixelFormat.BGR24);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            for (int i = 0; i < 3; i++) {
                assertThat(s.readInto(slot)).isEqualTo(Read.FRAME);
                assertThat(slot.width()).isEqualTo(200);
                assertThat(slot.height()).isEqualTo(150);
                assertThat(slot.stride()).isEqualTo(600);
                assertThat(Slots.mean(slot)).isBetween(20.0, 235.0);
            }
            assertThat(s.readInto(slot)).isEqualTo(Read.END);
        }
    }

    @Test
    void missingFolderIsAClearError() {
        FrameSource s = FrameSources.create("images:" + dir.resolve("absent"));
        assertThatThrownBy(s::open).isInstanceOf(CaptureException.class)
                .hasMessage("image folder " + dir.resolve("absent") + " does not exist");
    }

    @Test
    void emptyFolderIsAClearError() throws Exception {
        Files.writeString(dir.resolve("readme.txt"), "no frames here");
        FrameSource s = FrameSources.create("images:" + dir);
        assertThatThrownBy(s::open).isInstanceOf(CaptureException.class)
                .hasMessage("image folder " + dir + " has no PNG or JPEG images");
        assertThat(s.status()).isEqualTo(SourceStatus.FAILED);
    }

    @Test
    void folderOfOnlyBrokenImagesIsAClearError() throws Exception {
        Files.write(dir.resolve("1.png"), new byte[100]);
        Files.writeString(dir.resolve("2.jpg"), "garbage");
        FrameSource s = FrameSources.create("images:" + dir);
        assertThatThrownBy(s::open).isInstanceOf(CaptureException.class)
                .hasMessageStartingWith("none of the 2 images in folder " + dir + " could be read");
    }
}
