package org.intravis.ui;

import org.intravis.ui.testing.CommandRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

/** {@code intravis evaluate} end to end: the flags, the report's fields, and clear errors. */
class EvaluateCommandTest {
    /** gpu-inference's test model that reads grey levels back as classes (100 = vessel). */
    private static final String ECHO = Path.of("../gpu-inference/src/test/resources/models/echo-ultrasound/echo-ultrasound.onnx")
            .toAbsolutePath().normalize().toString();

    private static void write(Path file, int vesselFrom, byte value) throws Exception {
        Files.createDirectories(file.getParent());
        byte[] px = new byte[64 * 64];
        for (int y = 10; y < 30; y++) {
            for (int x = vesselFrom; x < vesselFrom + 20; x++) {
                px[y * 64 + x] = value;
            }
        }
        Mat m = new Mat(64, 64, CV_8UC1);
        new BytePointer(m.data()).put(px, 0, px.length);
        assertThat(imwrite(file.toString(), m)).isTrue();
    }

    @Test
    void evaluateWritesTheReportAndTheDump(@TempDir Path dir) throws Exception {
        write(dir.resolve("images/0001.png"), 10, (byte) 100);
        write(dir.resolve("labels/0001.png"), 10, (byte) 2);
        Path report = dir.resolve("report.json");
        CommandRun.Result r = CommandLineErrorsTest.run("evaluate", "--model", ECHO, "--images",
                dir.resolve("images").toString(), "--labels", dir.resolve("labels").toString(), "--classes",
                "nerve=1,vessel=2", "--report", report.toString(), "--dump", dir.resolve("dump").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 frames").contains("vessel   dice 1.00  iou 1.00");
        JsonNode j = new ObjectMapper().readTree(report.toFile());
        assertThat(j.get("frames").asInt()).isEqualTo(1);
        assertThat(j.at("/vessel/dice").asDouble()).isEqualTo(1.0);
        assertThat(j.at("/vessel/iou").asDouble()).isEqualTo(1.0);
        assertThat(j.at("/nerve/dice").isNull()).isTrue();
        assertThat(j.at("/inference_ms/median").asDouble()).isPositive();
        assertThat(dir.resolve("dump/0001.png")).exists();
        assertThat(dir.resolve("dump/predictions.json")).exists();
    }

    /** gpu-inference's test model that reads grey levels back as needle (255) and tip-map peak (220). */
    private static final String ECHO_TIP = Path.of("../gpu-inference/src/test/resources/models/echo-ultrasound-tip/echo-ultrasound-tip.onnx")
            .toAbsolutePath().normalize().toString();

    /** A 256 x 256 frame with a 3-px shaft along y = 100 from the left border to x = {@code to} (grey {@code v}). */
    private static void writeShaft(Path file, int to, byte v, boolean tipMark) throws Exception {
        Files.createDirectories(file.getParent());
        byte[] px = new byte[256 * 256];
        for (int y = 99; y <= 101; y++) {
            for (int x = 0; x <= to; x++) {
                px[y * 256 + x] = v;
            }
        }
        if (tipMark) {
            px[100 * 256 + to] = (byte) 220;
        }
        Mat m = new Mat(256, 256, CV_8UC1);
        new BytePointer(m.data()).put(px, 0, px.length);
        assertThat(imwrite(file.toString(), m)).isTrue();
    }

    /** A confident tip 60 px short of the truth's: a detection, right only within a bound of 60 px or more. */
    @Test
    void aTipIsRightWithinTheBoundGiven(@TempDir Path dir) throws Exception {
        writeShaft(dir.resolve("images/a.png"), 90, (byte) 255, true);
        writeShaft(dir.resolve("masks/a.png"), 150, (byte) 1, false);
        String[] args = {"evaluate", "--model", ECHO_TIP, "--images", dir.resolve("images").toString(),
                "--needle-masks", dir.resolve("masks").toString()};
        CommandRun.Result byDefault = CommandLineErrorsTest.run(args);
        assertThat(byDefault.code()).as(byDefault.err()).isZero();
        assertThat(byDefault.out()).contains("detection 1.00")
                .contains("tip within 20 px of the truth: detection 0.00  confident 0.00");
        String[] wide = Arrays.copyOf(args, args.length + 2);
        wide[args.length] = "--within";
        wide[args.length + 1] = "70";
        CommandRun.Result r = CommandLineErrorsTest.run(wide);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("tip within 70 px of the truth: detection 1.00  confident 1.00");
    }

    @Test
    void badInputIsAOneLineError(@TempDir Path dir) {
        CommandRun.Result missing = CommandLineErrorsTest.run("evaluate", "--model", ECHO, "--images",
                dir.resolve("nope").toString(), "--report", dir.resolve("r.json").toString());
        assertThat(missing.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(missing.err()).contains("--images").contains("is not a folder").doesNotContain("\tat ");

        CommandRun.Result noModel = CommandLineErrorsTest.run("evaluate", "--model", "no-such-model",
                "--images", dir.toString(), "--report", dir.resolve("r.json").toString());
        assertThat(noModel.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(noModel.err()).contains("model 'no-such-model' not found").doesNotContain("\tat ");

        CommandRun.Result badClasses = CommandLineErrorsTest.run("evaluate", "--model", ECHO, "--images",
                dir.toString(), "--classes", "vessel", "--report", dir.resolve("r.json").toString());
        assertThat(badClasses.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(badClasses.err()).contains("NAME=VALUE");

        CommandRun.Result badWithin = CommandLineErrorsTest.run("evaluate", "--model", ECHO, "--images",
                dir.toString(), "--within", "0");
        assertThat(badWithin.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(badWithin.err()).contains("--within must be above 0").doesNotContain("\tat ");

        CommandRun.Result empty = CommandLineErrorsTest.run("evaluate", "--model", ECHO, "--images", dir.toString());
        assertThat(empty.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(empty.err()).contains("holds no image files").doesNotContain("\tat ");
    }

    /** A folder of cases, each a folder: said, not evaluated as zero frames. */
    @Test
    void aFolderOfFoldersIsSaid(@TempDir Path dir) throws Exception {
        write(dir.resolve("cases/case-1/0001.png"), 10, (byte) 100);
        CommandRun.Result r = CommandLineErrorsTest.run("evaluate", "--model", ECHO, "--images",
                dir.resolve("cases").toString());
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("only folders, e.g. case-1").doesNotContain("\tat ");
    }

    /** Files that are all unreadable: the first one's reason is said. */
    @Test
    void noReadableImageIsAnError(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("images"));
        Files.writeString(dir.resolve("images/notes.txt"), "not a picture");
        CommandRun.Result r = CommandLineErrorsTest.run("evaluate", "--model", ECHO, "--images",
                dir.resolve("images").toString(), "--report", dir.resolve("r.json").toString());
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("none of its 1 file(s) could be evaluated").contains("notes.txt")
                .contains("not an image OpenCV can read");
    }

    /**
     * A 16-bit export of 12-bit values is read by the bits it uses, and the summary says so; a vessel class given two
     * label values (an artery 2 and a vein 3) is scored against both.
     */
    @Test
    void sixteenBitImagesAndAClassOfTwoValues(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("images"));
        short[] px = new short[64 * 64];
        byte[] label = new byte[64 * 64];
        for (int y = 10; y < 30; y++) {
            for (int x = 10; x < 50; x++) {
                px[y * 64 + x] = 1606; // grey 100 (the echo model's vessel) of 12 bits: 1606 * 255 / 4095
                label[y * 64 + x] = (byte) (x < 30 ? 2 : 3);
            }
        }
        Mat m = new Mat(64, 64, CV_16UC1);
        new ShortPointer(m.data()).put(px, 0, px.length);
        assertThat(imwrite(dir.resolve("images/0001.png").toString(), m)).isTrue();
        Mat l = new Mat(64, 64, CV_8UC1);
        new BytePointer(l.data()).put(label, 0, label.length);
        Files.createDirectories(dir.resolve("labels"));
        assertThat(imwrite(dir.resolve("labels/0001.png").toString(), l)).isTrue();
        CommandRun.Result r = CommandLineErrorsTest.run("evaluate", "--model", ECHO, "--images",
                dir.resolve("images").toString(), "--labels", dir.resolve("labels").toString(), "--classes",
                "nerve=1,vessel=2+3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 image(s) of 16 bits, read by the 12 bits they use")
                .contains("vessel   dice 1.00");
    }

    /** A label map of another aspect than its image is scored, and the summary says so. */
    @Test
    void aMaskOfAnotherAspectIsSaid(@TempDir Path dir) throws Exception {
        write(dir.resolve("images/0001.png"), 10, (byte) 100);
        Files.createDirectories(dir.resolve("labels"));
        assertThat(imwrite(dir.resolve("labels/0001.png").toString(), new Mat(32, 64, CV_8UC1,
                new org.bytedeco.opencv.opencv_core.Scalar(2.0)))).isTrue();
        CommandRun.Result r = CommandLineErrorsTest.run("evaluate", "--model", ECHO, "--images",
                dir.resolve("images").toString(), "--labels", dir.resolve("labels").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 mask(s) or label map(s) of another aspect than their image (0001.png: 64x64, "
                + "its mask 64x32), scored as if they covered the whole frame");
    }

    /** Without --report the summary is printed and nothing is written. */
    /**
     * Every 4th frame of a video, as labelled frames often are, played as a sequence at the default 30 fps: the
     * tracker would take each as 1/30 s after the one before. The summary says what --fps should be; frames one
     * apart, or not evenly apart, say nothing.
     */
    @Test
    void aSequenceOfEveryFourthFrameIsSaid(@TempDir Path dir) throws Exception {
        for (int k : new int[] {4, 8, 12, 16}) {
            writeShaft(dir.resolve("fourth/frame_" + String.format("%05d", k) + ".png"), 80 + k, (byte) 255, true);
            writeShaft(dir.resolve("uneven/frame_" + String.format("%05d", k == 16 ? 17 : k) + ".png"), 80 + k,
                    (byte) 255, true);
        }
        Path report = dir.resolve("r.json");
        CommandRun.Result r = CommandLineErrorsTest.run("evaluate", "--model", ECHO_TIP, "--images",
                dir.resolve("fourth").toString(), "--sequence", "--report", report.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("the images' numbers go up by 4 each: if they are every 4th frame of a video, "
                + "give --fps as its rate divided by 4 (played here at 30.0 fps)");
        assertThat(new ObjectMapper().readTree(report.toFile()).get("frame_number_step").asInt()).isEqualTo(4);
        CommandRun.Result uneven = CommandLineErrorsTest.run("evaluate", "--model", ECHO_TIP, "--images",
                dir.resolve("uneven").toString(), "--sequence", "--report", report.toString());
        assertThat(uneven.code()).as(uneven.err()).isZero();
        assertThat(uneven.out()).doesNotContain("go up by");
        assertThat(new ObjectMapper().readTree(report.toFile()).has("frame_number_step")).isFalse();
        CommandRun.Result alone = CommandLineErrorsTest.run("evaluate", "--model", ECHO_TIP, "--images",
                dir.resolve("fourth").toString(), "--report", report.toString());
        assertThat(alone.out()).as("frames one by one have no time step").doesNotContain("go up by");
    }

    @Test
    void theReportIsOptional(@TempDir Path dir) throws Exception {
        write(dir.resolve("images/0001.png"), 10, (byte) 100);
        write(dir.resolve("labels/0001.png"), 10, (byte) 2);
        CommandRun.Result r = CommandLineErrorsTest.run("evaluate", "--model", ECHO, "--images",
                dir.resolve("images").toString(), "--labels", dir.resolve("labels").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 frames").contains("vessel   dice 1.00").contains("no --report FILE");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("images", "labels");
        }
    }
}
