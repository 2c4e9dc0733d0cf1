package org.intravis.inference.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

/**
 * The evaluation metrics on hand-made frames, with expected values worked out by hand. The "echo" test model reads
 * grey levels back as classes pixel by pixel (255 needle, 100 vessel, 160 nerve), so its predictions are exactly the
 * shapes drawn in the images.
 */
class EvaluatorTest {
    private static final int S = 256;
    private static final byte VESSEL = 100;
    private static final byte NERVE = (byte) 160;
    private static final byte NEEDLE = (byte) 255;
    private static final byte TIP = (byte) 220;
    private static final byte WEAK_TIP = (byte) 207;

    /** A filled rectangle of grey {@code v}, corners inclusive. */
    private record Box(int x0, int y0, int x1, int y1, byte v) {
    }

    private static Box box(int x0, int y0, int x1, int y1, int v) {
        return new Box(x0, y0, x1, y1, (byte) v);
    }

    /** An S x S grey picture, black but for {@code boxes}, drawn in order. */
    private static byte[] picture(Box... boxes) {
        byte[] px = new byte[S * S];
        for (Box b : boxes) {
            for (int y = b.y0(); y <= b.y1(); y++) {
                for (int x = b.x0(); x <= b.x1(); x++) {
                    px[y * S + x] = b.v();
                }
            }
        }
        return px;
    }

    private static byte[] blank() {
        return picture();
    }

    private static void write(Path file, byte[] px) throws Exception {
        Files.createDirectories(file.getParent());
        Mat m = new Mat(S, S, CV_8UC1);
        new BytePointer(m.data()).put(px, 0, px.length);
        assertThat(imwrite(file.toString(), m)).isTrue();
    }

    @Test
    void metricsMatchTheirHandComputedValues(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("images");
        Path labels = dir.resolve("labels");
        Path needles = dir.resolve("needles");

        // frame a: predicted vessel 20x20 at x 10..29, truth 20x20 at x 20..39: overlap 200 -> Dice 400/800 = 0.5,
        //          IoU 200/600 = 1/3; nerve absent from both (not counted).
        //          needle drawn to x = 100, truth to x = 110 (both 3 px thick on y = 50, from the left border): error 10
        //          the TIP pixel is the tip map's peak: a confirmed needle (an unconfirmed one would be low)
        byte[] a = picture(box(10, 10, 29, 29, VESSEL), box(0, 49, 100, 51, NEEDLE), box(100, 50, 100, 50, TIP));
        byte[] aTruth = picture(box(20, 10, 39, 29, 2));
        byte[] aNeedle = picture(box(0, 49, 110, 51, 255));
        // frame b: nerve predicted exactly (Dice 1, IoU 1); vessel in the truth only (Dice 0, IoU 0);
        //          needle predicted exactly from the bottom border up to y = 120: error 0
        byte[] b = picture(box(100, 100, 109, 109, NERVE), box(199, 120, 201, 255, NEEDLE),
                box(200, 120, 200, 120, TIP));
        byte[] bTruth = picture(box(100, 100, 109, 109, 1), box(50, 50, 59, 59, 2));
        byte[] bNeedle = picture(box(199, 120, 201, 255, 1));
        // frame c: vessel predicted only (Dice 0, IoU 0); a needle predicted where there is none (false positive)
        byte[] c = picture(box(150, 150, 159, 154, VESSEL), box(0, 200, 80, 202, NEEDLE), box(80, 201, 80, 201, TIP));
        byte[] cTruth = blank();
        byte[] cNeedle = blank();
        // frame d: nothing predicted; the truth has a needle (missed)
        byte[] d = blank();
        byte[] dTruth = blank();
        byte[] dNeedle = picture(box(0, 30, 60, 32, 1));

        // matched by name whatever the format: an image and a label map are BMP
        String[] imageFiles = {"a.png", "b.png", "c.bmp", "d.png"};
        String[] labelFiles = {"a.png", "b.bmp", "c.png", "d.png"};
        byte[][] pictures = {a, b, c, d};
        byte[][] truths = {aTruth, bTruth, cTruth, dTruth};
        byte[][] needleMasks = {aNeedle, bNeedle, cNeedle, dNeedle};
        for (int i = 0; i < pictures.length; i++) {
            write(images.resolve(imageFiles[i]), pictures[i]);
            write(labels.resolve(labelFiles[i]), truths[i]);
            write(needles.resolve((char) ('a' + i) + ".png"), needleMasks[i]);
        }
        Files.writeString(images.resolve("notes.txt"), "not an image");

        Path report = dir.resolve("out/report.json");
        Path dump = dir.resolve("dump");
        ObjectNode r = Evaluator.run(new Evaluator.Options("echo-ultrasound-tip", images, labels,
                Evaluator.parseClasses("nerve=1,vessel=2"), needles, report, dump, "cpu", null));

        JsonNode j = new ObjectMapper().readTree(report.toFile());
        assertThat(j).isEqualTo(r);
        assertThat(j.get("frames").asInt()).isEqualTo(4);
        // vessel over a, b, c: Dice (0.5 + 0 + 0) / 3, IoU (1/3 + 0 + 0) / 3
        assertThat(j.at("/vessel/dice").asDouble()).isCloseTo(0.5 / 3, within(1e-9));
        assertThat(j.at("/vessel/iou").asDouble()).isCloseTo(1.0 / 9, within(1e-9));
        assertThat(j.at("/vessel/frames").asInt()).isEqualTo(3);
        // nerve over b only
        assertThat(j.at("/nerve/dice").asDouble()).isEqualTo(1.0);
        assertThat(j.at("/nerve/iou").asDouble()).isEqualTo(1.0);
        assertThat(j.at("/nerve/frames").asInt()).isEqualTo(1);
        // needle: frames a, b, d have one; a and b found -> 2/3; c has none but one was found -> 1/1
        assertThat(j.at("/needle/detection_rate").asDouble()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(j.at("/needle/false_positive_rate").asDouble()).isEqualTo(1.0);
        // tip errors [0, 10]: median 5, p90 = 0 + 0.9 * (10 - 0) = 9
        assertThat(j.at("/needle/tip_error_px/median").asDouble()).isCloseTo(5.0, within(1e-3));
        assertThat(j.at("/needle/tip_error_px/p90").asDouble()).isCloseTo(9.0, within(1e-3));
        assertThat(j.at("/inference_ms/median").asDouble()).isPositive();
        assertThat(j.get("skipped")).hasSize(1);
        assertThat(j.at("/skipped/0/file").asText()).isEqualTo("notes.txt");
        assertThat(j.at("/model/name").asText()).isEqualTo("echo-ultrasound-tip");

        // the dump: label maps with the class values, and the tips
        Mat mapA = imread(dump.resolve("a.png").toString(), IMREAD_UNCHANGED);
        byte[] got = new byte[S * S];
        new BytePointer(mapA.data()).get(got, 0, got.length);
        byte[] expected = picture(box(10, 10, 29, 29, 2));
        assertThat(got).isEqualTo(expected);
        JsonNode p = new ObjectMapper().readTree(dump.resolve("predictions.json").toFile());
        assertThat(p.at("/classes/vessel").asInt()).isEqualTo(2);
        JsonNode frameA = p.get("frames").get(0);
        assertThat(frameA.get("image").asText()).isEqualTo("a.png");
        assertThat(frameA.at("/tip/0").asDouble()).isCloseTo(100, within(1e-3));
        assertThat(frameA.at("/tip/1").asDouble()).isCloseTo(50, within(1e-3));
        // and what it was scored against: the truth's tip 10 px further on, the error
        assertThat(frameA.get("needle_in_truth").asBoolean()).isTrue();
        assertThat(frameA.at("/truth_tip/0").asDouble()).isCloseTo(110, within(1e-3));
        assertThat(frameA.at("/truth_tip/1").asDouble()).isCloseTo(50, within(1e-3));
        assertThat(frameA.get("tip_error_px").asDouble()).isCloseTo(10, within(1e-3));
        JsonNode frameC = p.get("frames").get(2); // a false needle: no truth to score against
        assertThat(frameC.get("needle_in_truth").asBoolean()).isFalse();
        assertThat(frameC.has("truth_tip")).isFalse();
        assertThat(frameC.has("tip_error_px")).isFalse();
        JsonNode frameD = p.get("frames").get(3); // a missed needle: its truth, no error
        assertThat(frameD.get("tip").isNull()).isTrue();
        assertThat(frameD.at("/truth_tip/0").asDouble()).isCloseTo(60, within(1e-3));
        assertThat(frameD.has("tip_error_px")).isFalse();
    }

    /**
     * A guidewire's true tip is its skeleton's free end (the live wire rule), not the end of a straight shaft fitted
     * through it: on curved wires the needle rule would land far from either end. The "echo" wire model predicts
     * exactly the wire drawn in the image (grey level 255).
     */
    @Test
    void guidewireTipsAreMeasuredByTheWireRule(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("images");
        Path masks = dir.resolve("masks");
        // frame a: an L from the left border along y = 50 to x = 150, then down; predicted to y = 200, true to
        //          y = 210: the free ends are 10 px apart
        byte[] a = picture(box(0, 49, 150, 51, NEEDLE), box(148, 49, 150, 200, NEEDLE));
        byte[] aTruth = picture(box(0, 49, 150, 51, 1), box(148, 49, 150, 210, 1));
        // frame b: a hook from the top border down x = 100 to y = 120, then right to x = 200; predicted exactly
        byte[] b = picture(box(99, 0, 101, 120, NEEDLE), box(99, 118, 200, 120, NEEDLE));
        byte[] bTruth = picture(box(99, 0, 101, 120, 1), box(99, 118, 200, 120, 1));
        write(images.resolve("a.png"), a);
        write(images.resolve("b.png"), b);
        write(masks.resolve("a.png"), aTruth);
        write(masks.resolve("b.png"), bTruth);

        ObjectNode r = Evaluator.run(new Evaluator.Options("echo-fluoroscopy", images, null, Map.of(), masks,
                dir.resolve("report.json"), dir.resolve("dump"), "cpu", null));

        assertThat(r.at("/needle/detection_rate").asDouble()).isEqualTo(1.0);
        // tip errors [0, 10]: median 5, p90 9 (the needle rule would put both true tips on a line fitted across
        // the bend, tens of pixels from the free ends)
        assertThat(r.at("/needle/tip_error_px/median").asDouble()).isCloseTo(5.0, within(0.75));
        assertThat(r.at("/needle/tip_error_px/p90").asDouble()).isCloseTo(9.0, within(1.0));
        JsonNode p = new ObjectMapper().readTree(dir.resolve("dump/predictions.json").toFile());
        JsonNode tipB = p.get("frames").get(1).get("tip");
        assertThat(tipB.get(0).asDouble()).isCloseTo(200, within(2.0));
        assertThat(tipB.get(1).asDouble()).isCloseTo(119, within(2.0));
    }

    /**
     * A needle from the left border along y = 100 to x = {@code tip}, its tip marked with grey {@code marker}: TIP
     * (the tip map's peak, about 1: confirmed), WEAK_TIP (a peak of about 0.16, below the sidecar's 0.3: an
     * unconfirmed needle shown as low confidence, mask x peak), or 0 (no peak: no support, reported with confidence 0).
     */
    private static byte[] needleTo(int tip, byte marker) {
        Box shaft = box(0, 99, tip, 101, NEEDLE);
        // the marker is one pixel: the tip map's peak is exactly there
        return marker == 0 ? picture(shaft) : picture(shaft, box(tip, 100, tip, 100, marker));
    }

    private static byte[] truthTo(int tip) {
        return picture(box(0, 99, tip, 101, 1));
    }

    /**
     * Masks named the ways datasets name them are found: {@code NAME_mask.png}, {@code NAME-label.PNG}, a JPEG whose
     * compression rings around the shaft (set above half its brightest value, so the tip stays where it was drawn);
     * an image without a mask is fed, not scored, and counted with what was looked for.
     */
    @Test
    void masksAreFoundByTheirUsualNamesAndMissingOnesAreCounted(@TempDir Path dir) throws Exception {
        write(dir.resolve("images/a.png"), needleTo(120, TIP));
        write(dir.resolve("images/b.png"), needleTo(150, TIP));
        write(dir.resolve("images/c.png"), needleTo(90, TIP));
        write(dir.resolve("images/d.png"), needleTo(60, TIP));
        write(dir.resolve("masks/a_mask.png"), truthTo(120));
        write(dir.resolve("masks/b-label.PNG"), truthTo(150));
        byte[] jpegTruth = truthTo(90);
        for (int i = 0; i < jpegTruth.length; i++) {
            jpegTruth[i] = (byte) (jpegTruth[i] * 255); // 0/255, as masks usually are
        }
        Mat m = new Mat(S, S, CV_8UC1);
        new BytePointer(m.data()).put(jpegTruth, 0, jpegTruth.length);
        assertThat(imwrite(dir.resolve("masks/c_gt.jpg").toString(), m,
                new int[] {org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY, 70})).isTrue();
        Mat back = imread(dir.resolve("masks/c_gt.jpg").toString(), IMREAD_UNCHANGED);
        byte[] ringed = new byte[S * S];
        back.data().get(ringed);
        long any = 0;
        for (byte b : ringed) {
            any += b != 0 ? 1 : 0;
        }
        assertThat(any).as("the JPEG has rings of small values around the shaft").isGreaterThan(3L * 91);
        boolean[] read = LabelRaster.read(dir.resolve("masks/c_gt.jpg")).nonZero();
        int set = 0;
        for (boolean b : read) {
            set += b ? 1 : 0;
        }
        assertThat(set).as("the shaft drawn, 3 x 91 pixels, not its rings").isBetween(3 * 91 - 10, 3 * 91 + 10);

        ObjectNode r = Evaluator.run(new Evaluator.Options("echo-ultrasound-tip", dir.resolve("images"), null, Map.of(),
                dir.resolve("masks"), dir.resolve("r.json"), null, "cpu", null));
        assertThat(r.at("/needle/frames_with_needle").asInt()).isEqualTo(3);
        assertThat(r.at("/needle/detection_rate").asDouble()).isEqualTo(1.0);
        assertThat(r.at("/needle/tip_error_px/p90").asDouble()).isLessThan(1.0);
        assertThat(r.at("/needle/frames_without_mask").asInt()).isEqualTo(1);
        assertThat(r.at("/needle/mask_looked_for").asText()).contains("d.png").contains("d_mask.png").contains(".jpg");
        assertThat(r.has("masks_beside_images")).as("the masks in a folder of their own").isFalse();
    }

    /**
     * Datasets often keep each mask beside its image ({@code a.png} and {@code a_mask.png}, or {@code a.jpg} and
     * {@code a.png}) and the same folder is then given for both. The masks are not frames (before, they were fed to
     * the model as frames, counted, and in a sequence made a scene cut at every one), and an image is not its own mask
     * (before, {@code a.png} was: on a grey picture every pixel was "needle").
     */
    @Test
    void masksBesideTheirImagesAreReadAsMasksNotFrames(@TempDir Path dir) throws Exception {
        Box grey = box(0, 0, S - 1, S - 1, 30); // the picture's tissue, no class to the echo model
        Box shaft = box(0, 99, 120, 101, NEEDLE);
        write(dir.resolve("both/a.png"), picture(grey, shaft, box(120, 100, 120, 100, TIP)));
        write(dir.resolve("both/a_mask.png"), truthTo(120));
        write(dir.resolve("both/b.png"), picture(grey, box(0, 99, 150, 101, NEEDLE), box(150, 100, 150, 100, TIP)));
        write(dir.resolve("both/b_mask.png"), truthTo(150));
        write(dir.resolve("both/c.png"), picture(grey));
        write(dir.resolve("both/c_mask.png"), blank());
        write(dir.resolve("both/d.png"), picture(grey, shaft, box(120, 100, 120, 100, TIP))); // no mask of its own

        for (boolean sequence : new boolean[] {false, true}) {
            ObjectNode r = Evaluator.run(new Evaluator.Options("echo-ultrasound-tip", dir.resolve("both"), null,
                    Map.of(), dir.resolve("both"), dir.resolve("r.json"), dir.resolve("dump"), "cpu", null, sequence,
                    30));
            assertThat(r.at("/frames").asInt()).as("sequence %s", sequence).isEqualTo(4);
            assertThat(r.at("/masks_beside_images").asInt()).isEqualTo(3);
            assertThat(r.at("/needle/frames_with_needle").asInt()).isEqualTo(2);
            assertThat(r.at("/needle/frames_without_needle").asInt()).isEqualTo(1);
            assertThat(r.at("/needle/frames_without_mask").asInt()).as("d.png is not its own mask").isEqualTo(1);
            assertThat(r.at("/needle/detection_rate").asDouble()).isEqualTo(1.0);
            assertThat(r.at("/needle/tip_error_px/p90").asDouble()).isLessThan(3.0);
            JsonNode frames = new ObjectMapper().readTree(dir.resolve("dump/predictions.json").toFile()).get("frames");
            assertThat(frames).extracting(f -> f.get("image").asText()).containsExactly("a.png", "b.png", "c.png",
                    "d.png");
            if (sequence) {
                assertThat(r.at("/scene_cuts").asInt()).as("one scene: no mask between its frames")
                        .isLessThanOrEqualTo(1);
            }
        }
    }

    /**
     * A model that crops to the picture ({@code input.crop}: the echo model under such a sidecar) sees only the
     * picture's box, stretched: its label map is put back into the frame's grid before it is scored, the dump names
     * the box, and the truth's tip is judged from the picture's borders as the model's is. The frame is 512 x 256
     * with the picture in its left third (x 40-199); the needle comes in from the picture's right border, so from the
     * frame's own borders the wrong end (x 100, nearer the frame's left edge) would be its entry.
     */
    @Test
    void aModelThatCropsToThePictureIsScoredInTheFramesPixels(@TempDir Path dir) throws Exception {
        Path models = dir.resolve("models/echo-cropped");
        Files.createDirectories(models);
        Path echo = Path.of("src/test/resources/models/echo-ultrasound-tip");
        Files.copy(echo.resolve("echo-ultrasound-tip.onnx"), models.resolve("echo-cropped.onnx"));
        ObjectNode sidecar = (ObjectNode) new ObjectMapper()
                .readTree(echo.resolve("echo-ultrasound-tip.json").toFile());
        sidecar.put("name", "echo-cropped");
        ObjectNode crop = ((ObjectNode) sidecar.get("input")).putObject("crop");
        crop.put("to", "content").put("above", 12).put("grid", 512);
        new ObjectMapper().writeValue(models.resolve("echo-cropped.json").toFile(), sidecar);

        int w = 512;
        int h = 256;
        byte[] frame = new byte[w * h];
        byte[] labels = new byte[w * h];
        byte[] needle = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 40; x < 200; x++) {
                boolean vessel = x >= 60 && x <= 90 && y >= 150 && y <= 180;
                boolean shaft = x >= 100 && y >= 99 && y <= 101;
                frame[y * w + x] = vessel ? VESSEL : shaft ? (x == 100 && y == 100 ? TIP : NEEDLE) : 30;
                labels[y * w + x] = (byte) (vessel ? 2 : 0);
                needle[y * w + x] = (byte) (shaft ? 1 : 0);
            }
        }
        for (String[] f : new String[][] {{"images/a.png", "f"}, {"labels/a.png", "l"}, {"masks/a.png", "n"}}) {
            byte[] px = f[1].equals("f") ? frame : f[1].equals("l") ? labels : needle;
            Files.createDirectories(dir.resolve(f[0]).getParent());
            Mat m = new Mat(h, w, CV_8UC1);
            new BytePointer(m.data()).put(px, 0, px.length);
            assertThat(imwrite(dir.resolve(f[0]).toString(), m)).isTrue();
        }
        ObjectNode r = Evaluator.run(new Evaluator.Options("echo-cropped", dir.resolve("images"), dir.resolve("labels"),
                Map.of(), dir.resolve("masks"), dir.resolve("r.json"), dir.resolve("dump"), "cpu",
                dir.resolve("models")));

        assertThat(r.at("/vessel/dice").asDouble()).as("the vessel where it is in the frame").isGreaterThan(0.85);
        assertThat(r.at("/needle/detection_rate").asDouble()).isEqualTo(1.0);
        assertThat(r.at("/needle/tip_error_px/median").asDouble()).as("truth and model: the tip at x 100")
                .isLessThan(3.0);
        JsonNode f = new ObjectMapper().readTree(dir.resolve("dump/predictions.json").toFile()).get("frames").get(0);
        assertThat(f.at("/tip/0").asDouble()).isCloseTo(100, within(3.0));
        assertThat(f.at("/truth_tip/0").asDouble()).isCloseTo(100, within(2.0));
        int[] box = {40, 0, 200, 256};
        for (int i = 0; i < 4; i++) {
            assertThat(f.at("/picture_box/" + i).asDouble()).as("picture_box %d: %s", i, f.get("picture_box"))
                    .isCloseTo(box[i], within(2.0));
        }
    }

    /**
     * Confident and low tips are counted apart. The "echo-ultrasound-tip" model reads grey levels 210-229 back as
     * the tip map: a shaft drawn with its tip marked is confirmed (confidence about 1), one with a weak mark is not
     * (mask x peak, about 0.16: shown as low confidence), one without any has confidence 0 (low as well).
     */
    @Test
    void confidentTipsAreCountedApartFromLowOnes(@TempDir Path dir) throws Exception {
        write(dir.resolve("images/a.png"), needleTo(120, TIP));      // needle, confident, exact
        write(dir.resolve("images/b.png"), needleTo(150, WEAK_TIP)); // needle, low
        write(dir.resolve("images/c.png"), needleTo(90, TIP));       // no needle in the truth: a confident false one
        write(dir.resolve("images/d.png"), needleTo(60, WEAK_TIP));  // no needle in the truth: a low false one
        write(dir.resolve("images/e.png"), needleTo(70, (byte) 0));  // a shaft without a peak: low, 0
        write(dir.resolve("masks/a.png"), truthTo(120));
        write(dir.resolve("masks/b.png"), truthTo(150));
        for (String n : new String[] {"c", "d", "e"}) {
            write(dir.resolve("masks/" + n + ".png"), blank());
        }
        ObjectNode r = Evaluator.run(new Evaluator.Options("echo-ultrasound-tip", dir.resolve("images"), null, Map.of(),
                dir.resolve("masks"), dir.resolve("r.json"), dir.resolve("dump"), "cpu", null));
        assertThat(r.at("/sequence").asBoolean()).isFalse();
        assertThat(r.at("/needle/detection_rate").asDouble()).isEqualTo(1.0);
        assertThat(r.at("/needle/confident_detection_rate").asDouble()).isEqualTo(0.5);
        assertThat(r.at("/needle/false_positive_rate").asDouble()).isEqualTo(1.0);
        assertThat(r.at("/needle/confident_false_positive_rate").asDouble()).isCloseTo(1.0 / 3, within(1e-9));
        assertThat(r.at("/needle/confident_tip_error_px/frames").asInt()).isEqualTo(1);
        assertThat(r.at("/needle/confident_tip_error_px/median").asDouble()).isLessThan(1.0);
        JsonNode frames = new ObjectMapper().readTree(dir.resolve("dump/predictions.json").toFile()).get("frames");
        assertThat(frames.get(0).get("tip_low").asBoolean()).isFalse();
        assertThat(frames.get(0).get("tip_confidence").asDouble()).isGreaterThan(0.9);
        assertThat(frames.get(1).get("tip_low").asBoolean()).isTrue();
        assertThat(frames.get(1).get("tip_confidence").asDouble()).isLessThan(0.5).isGreaterThan(0.1);
        assertThat(frames.get(4).get("tip_low").asBoolean()).isTrue();
        assertThat(frames.get(4).get("tip_confidence").asDouble()).isZero();
    }

    /**
     * A tip counts for detection wherever it is; the {@code within} rates count only tips near the truth, so a needle
     * shown on the wrong structure is told apart from a found one. Errors here: a 0 (confident), b 0 (low), c 60
     * (confident, on the shaft but far short of its tip), d no tip.
     */
    @Test
    void onlyTipsNearTheTruthCountAsRight(@TempDir Path dir) throws Exception {
        write(dir.resolve("images/a.png"), needleTo(120, TIP));
        write(dir.resolve("images/b.png"), needleTo(150, WEAK_TIP));
        write(dir.resolve("images/c.png"), needleTo(90, TIP));
        write(dir.resolve("images/d.png"), blank());
        write(dir.resolve("masks/a.png"), truthTo(120));
        write(dir.resolve("masks/b.png"), truthTo(150));
        write(dir.resolve("masks/c.png"), truthTo(150));
        write(dir.resolve("masks/d.png"), truthTo(100));
        JsonNode byDefault = Evaluator.run(new Evaluator.Options("echo-ultrasound-tip", dir.resolve("images"), null,
                Map.of(), dir.resolve("masks"), null, null, "cpu", null)).get("needle");
        assertThat(byDefault.get("detection_rate").asDouble()).isEqualTo(0.75);
        assertThat(byDefault.get("confident_detection_rate").asDouble()).isEqualTo(0.5);
        assertThat(byDefault.at("/within/px").asDouble()).isEqualTo(Evaluator.DEFAULT_WITHIN_PX).isEqualTo(20);
        assertThat(byDefault.at("/within/detection_rate").asDouble()).isEqualTo(0.5);           // a, b
        assertThat(byDefault.at("/within/confident_detection_rate").asDouble()).isEqualTo(0.25); // a
        JsonNode wide = Evaluator.run(new Evaluator.Options("echo-ultrasound-tip", dir.resolve("images"), null,
                Map.of(), dir.resolve("masks"), null, null, "cpu", null, false, Evaluator.DEFAULT_FPS, 70))
                .get("needle");
        assertThat(wide.at("/within/px").asDouble()).isEqualTo(70);
        assertThat(wide.at("/within/detection_rate").asDouble()).isEqualTo(0.75);           // a, b, c
        assertThat(wide.at("/within/confident_detection_rate").asDouble()).isEqualTo(0.5);  // a, c
        assertThatThrownBy(() -> new Evaluator.Options("echo-ultrasound-tip", dir.resolve("images"), null, Map.of(),
                dir.resolve("masks"), null, null, "cpu", null, false, Evaluator.DEFAULT_FPS, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--within");
    }

    /**
     * With {@code sequence} the frames are a video in name order with numbers compared by value (f_9 before f_10
     * before f_00011), fed through the tracker, and each frame is scored by the tip the overlay would show: the first
     * detection is a tentative track at half its confidence (low), later ones are the confirmed track, a frame
     * without a mask is fed but not scored, and after the needle is gone the track coasts and is still shown.
     */
    @Test
    void aSequenceIsScoredByTheTrackedTipInNumberOrder(@TempDir Path dir) throws Exception {
        int[] tips = {100, 106, 112, 118};
        String[] names = {"f_9", "f_10", "f_00011", "f_12"};
        for (int i = 0; i < tips.length; i++) {
            write(dir.resolve("images/" + names[i] + ".png"), needleTo(tips[i], TIP));
            if (i != 2) { // f_00011 has no mask: fed, not scored
                write(dir.resolve("masks/" + names[i] + ".png"), truthTo(tips[i]));
            }
        }
        write(dir.resolve("images/f_13.png"), blank()); // the needle is gone
        write(dir.resolve("masks/f_13.png"), blank());

        ObjectNode r = Evaluator.run(new Evaluator.Options("echo-ultrasound-tip", dir.resolve("images"), null, Map.of(),
                dir.resolve("masks"), dir.resolve("r.json"), dir.resolve("dump"), "cpu", null, true, 30));

        assertThat(r.at("/sequence").asBoolean()).isTrue();
        assertThat(r.at("/fps").asDouble()).isEqualTo(30.0);
        assertThat(r.at("/frames").asInt()).isEqualTo(5);
        assertThat(r.at("/needle/frames_with_needle").asInt()).isEqualTo(3);
        assertThat(r.at("/needle/frames_without_needle").asInt()).isEqualTo(1);
        assertThat(r.at("/needle/detection_rate").asDouble()).isEqualTo(1.0);
        assertThat(r.at("/needle/confident_detection_rate").asDouble()).isCloseTo(2.0 / 3, within(1e-9)); // f_9: tentative
        assertThat(r.at("/needle/false_positive_rate").asDouble()).isEqualTo(1.0); // f_13: the coasting tip is shown
        assertThat(r.at("/needle/tip_error_px/p90").asDouble()).isLessThan(3.0);  // the Kalman filter follows closely
        JsonNode frames = new ObjectMapper().readTree(dir.resolve("dump/predictions.json").toFile()).get("frames");
        assertThat(frames).hasSize(5);
        String[] order = {"f_9.png", "f_10.png", "f_00011.png", "f_12.png", "f_13.png"};
        String[] states = {"tentative", "confirmed", "confirmed", "confirmed", "coasting"};
        int id = frames.get(0).get("track_id").asInt();
        for (int i = 0; i < order.length; i++) {
            JsonNode f = frames.get(i);
            assertThat(f.get("image").asText()).isEqualTo(order[i]);
            assertThat(f.get("track_state").asText()).isEqualTo(states[i]);
            assertThat(f.get("track_id").asInt()).isEqualTo(id);
            if (i < tips.length) {
                assertThat(f.at("/tip/0").asDouble()).isCloseTo(tips[i], within(3.0));
                assertThat(f.at("/tip/1").asDouble()).isCloseTo(100, within(1.0));
            }
        }
        assertThat(frames.get(0).get("tip_low").asBoolean()).isTrue();
        assertThat(frames.get(0).get("tip_confidence").asDouble()).isCloseTo(0.5, within(0.02));
        assertThat(frames.get(1).get("tip_low").asBoolean()).isFalse();
        // the needle is gone: the coasting tip is shown, as unsure (a prediction, nothing seen), so it is no confident
        // false positive
        assertThat(frames.get(4).get("tip_low").asBoolean()).isTrue();
        assertThat(r.at("/needle/confident_false_positive_rate").asDouble()).isZero();

        // the same frames without sequence: each stands alone, every tip confident, the blank frame has none
        ObjectNode alone = Evaluator.run(new Evaluator.Options("echo-ultrasound-tip", dir.resolve("images"), null,
                Map.of(), dir.resolve("masks"), dir.resolve("r2.json"), null, "cpu", null));
        assertThat(alone.at("/needle/confident_detection_rate").asDouble()).isEqualTo(1.0);
        assertThat(alone.at("/needle/false_positive_rate").asDouble()).isEqualTo(0.0);
    }

    @Test
    void aSequenceNeedsAPositiveFrameRate(@TempDir Path dir) {
        assertThatThrownBy(() -> new Evaluator.Options("echo-ultrasound-tip", dir, null, Map.of(), null,
                dir.resolve("r.json"), null, "cpu", null, true, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--fps");
    }

    /** Label maps are often palette PNGs (as in the real nerve/vessel data): their palette indices are the labels. */
    @Test
    void paletteLabelMapsAreReadAsTheirIndices(@TempDir Path dir) throws Exception {
        byte[] a = picture(box(10, 10, 29, 29, VESSEL));
        write(dir.resolve("images/a.png"), a);
        byte[] r = {0, (byte) 200, 0};   // index 1 (nerve) red, index 2 (vessel) blue: colours that are not 1 and 2
        byte[] g = {0, 0, 0};
        byte[] b = {0, 0, (byte) 200};
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(S, S, java.awt.image.BufferedImage.TYPE_BYTE_INDEXED,
                new java.awt.image.IndexColorModel(2, 3, r, g, b));
        for (int y = 10; y < 30; y++) {
            for (int x = 10; x < 30; x++) {
                img.getRaster().setSample(x, y, 0, 2);
            }
        }
        Files.createDirectories(dir.resolve("labels"));
        assertThat(javax.imageio.ImageIO.write(img, "png", dir.resolve("labels/a.png").toFile())).isTrue();
        ObjectNode rep = Evaluator.run(new Evaluator.Options("echo-ultrasound", dir.resolve("images"), dir.resolve("labels"),
                Map.of(), null, dir.resolve("r.json"), null, "cpu", null));
        assertThat(rep.at("/vessel/dice").asDouble()).isEqualTo(1.0);
        assertThat(rep.at("/vessel/value").asInt()).isEqualTo(2); // the default classes: nerve=1, vessel=2
    }

    /**
     * Label maps saved as colour pictures (a red vessel, a yellow nerve) are scored by the colours given as the
     * classes; the dump's label map is in those colours. Values and colours are not mixed.
     */
    @Test
    void colourLabelMapsAreScoredByTheClassesColours(@TempDir Path dir) throws Exception {
        write(dir.resolve("images/a.png"), picture(box(10, 10, 29, 29, VESSEL), box(40, 40, 59, 49, NERVE)));
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(S, S,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                boolean vessel = x >= 10 && x <= 29 && y >= 10 && y <= 29;
                boolean nerve = x >= 40 && x <= 59 && y >= 40 && y <= 49;
                // red and a red-with-green: one band alone (the first, 255 both) would not tell them apart
                img.setRGB(x, y, vessel ? 0xFF0000 : nerve ? 0xFFFF00 : 0);
            }
        }
        Files.createDirectories(dir.resolve("labels"));
        assertThat(javax.imageio.ImageIO.write(img, "png", dir.resolve("labels/a.png").toFile())).isTrue();
        ObjectNode r = Evaluator.run(new Evaluator.Options("echo-ultrasound", dir.resolve("images"),
                dir.resolve("labels"), Evaluator.parseClasses("vessel=#FF0000, nerve=#ffff00"), null,
                dir.resolve("r.json"), dir.resolve("dump"), "cpu", null));
        assertThat(r.at("/vessel/dice").asDouble()).isEqualTo(1.0);
        assertThat(r.at("/nerve/dice").asDouble()).isEqualTo(1.0);
        assertThat(r.at("/vessel/value").asText()).isEqualTo("#ff0000");
        Mat dumped = imread(dir.resolve("dump/a.png").toString(), IMREAD_UNCHANGED);
        assertThat(dumped.channels()).isEqualTo(3);
        byte[] bgr = new byte[3];
        dumped.ptr(45, 50).get(bgr); // the nerve, BGR
        assertThat(new int[] {bgr[0] & 0xFF, bgr[1] & 0xFF, bgr[2] & 0xFF}).containsExactly(0, 255, 255);
        JsonNode d = new ObjectMapper().readTree(dir.resolve("dump/predictions.json").toFile());
        assertThat(d.at("/classes/nerve").asText()).isEqualTo("#ffff00");

        assertThatThrownBy(() -> Evaluator.parseClasses("vessel=#ff00")).hasMessageContaining("#RRGGBB");
        assertThatThrownBy(() -> Evaluator.parseClasses("vessel=2,nerve=#ffff00")).hasMessageContaining("not both");
        assertThatThrownBy(() -> Evaluator.parseClasses("vessel=red")).hasMessageContaining("#RRGGBB colour");
    }

    /**
     * A class marked by several values (an artery 2 and a vein 3, both "vessel" to the model) is scored against them
     * all when given as {@code vessel=2+3} (or the name twice); given as {@code vessel=2} the vein counts against the
     * model. A value given to two classes is an error.
     */
    @Test
    void aClassOfSeveralLabelValuesIsScoredAgainstThemAll(@TempDir Path dir) throws Exception {
        write(dir.resolve("images/a.png"), picture(box(10, 10, 29, 29, VESSEL), box(60, 10, 79, 29, VESSEL)));
        write(dir.resolve("labels/a.png"), picture(box(10, 10, 29, 29, 2), box(60, 10, 79, 29, 3)));
        ObjectNode both = Evaluator.run(new Evaluator.Options("echo-ultrasound", dir.resolve("images"),
                dir.resolve("labels"), Evaluator.parseClasses("nerve=1,vessel=2+3"), null, dir.resolve("r.json"),
                dir.resolve("dump"), "cpu", null));
        assertThat(both.at("/vessel/dice").asDouble()).isEqualTo(1.0);
        assertThat(both.at("/vessel/value").toString()).isEqualTo("[2,3]");
        assertThat(both.at("/nerve/value").asInt()).isEqualTo(1);
        JsonNode d = new ObjectMapper().readTree(dir.resolve("dump/predictions.json").toFile());
        assertThat(d.at("/classes/vessel").toString()).isEqualTo("[2,3]");
        Mat dumped = imread(dir.resolve("dump/a.png").toString(), IMREAD_UNCHANGED);
        assertThat(dumped.ptr(20, 70).get() & 0xFF).isEqualTo(2); // a class's first value in the dumped map

        ObjectNode arteryOnly = Evaluator.run(new Evaluator.Options("echo-ultrasound", dir.resolve("images"),
                dir.resolve("labels"), Evaluator.parseClasses("vessel=2"), null, dir.resolve("r.json"), null, "cpu",
                null));
        assertThat(arteryOnly.at("/vessel/dice").asDouble()).isCloseTo(2.0 * 400 / (400 + 800), within(1e-9));

        assertThat(Evaluator.parseClasses("vessel=2, Vessel=3,nerve=1")).isEqualTo(Evaluator.parseClasses(
                "vessel=2+3,nerve=1"));
        assertThat(Evaluator.parseClasses("vessel=#ff0000+#0000FF").get("vessel"))
                .containsExactly(Evaluator.COLOUR | 0xff0000, Evaluator.COLOUR | 0x0000ff);
        assertThatThrownBy(() -> Evaluator.parseClasses("vessel=2+3,nerve=3"))
                .hasMessageContaining("3 is given to both vessel and nerve");
        assertThatThrownBy(() -> Evaluator.parseClasses("vessel=2+")).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> Evaluator.parseClasses("vessel=2+#ff0000")).hasMessageContaining("not both");
    }

    /**
     * A 16-bit image holding a 12-bit export's values (0..4095) is read by the bits it uses, as the image-folder
     * source reads it: read as 16 bits it would be nearly black (the vessel's grey 100 would be 6) and nothing found.
     */
    @Test
    void sixteenBitImagesAreReadByTheBitsTheyUse(@TempDir Path dir) throws Exception {
        byte[] a = picture(box(10, 10, 29, 29, VESSEL), box(40, 40, 59, 49, NERVE));
        short[] twelve = new short[a.length];
        for (int i = 0; i < a.length; i++) {
            twelve[i] = (short) Math.round((a[i] & 0xFF) * 4095 / 255.0);
        }
        Files.createDirectories(dir.resolve("images"));
        Mat m = new Mat(S, S, CV_16UC1);
        new ShortPointer(m.data()).put(twelve, 0, twelve.length);
        assertThat(imwrite(dir.resolve("images/a.png").toString(), m)).isTrue();
        write(dir.resolve("labels/a.png"), picture(box(10, 10, 29, 29, 2), box(40, 40, 59, 49, 1)));
        ObjectNode r = Evaluator.run(new Evaluator.Options("echo-ultrasound", dir.resolve("images"),
                dir.resolve("labels"), Map.of(), null, dir.resolve("r.json"), null, "cpu", null));
        assertThat(r.at("/vessel/dice").asDouble()).isEqualTo(1.0);
        assertThat(r.at("/nerve/dice").asDouble()).isEqualTo(1.0);
        assertThat(r.at("/sixteen_bit_images/images").asInt()).isEqualTo(1);
        assertThat(r.at("/sixteen_bit_images/read_as_bits").asInt()).isEqualTo(12);
    }

    /**
     * A mask of another aspect than its image (one of the picture without its margins, say) is scaled to the frame as
     * if it covered it; the report says how many and which, so that such a score is not taken on trust. A mask of
     * the same aspect at another size (half the frame's) is not counted.
     */
    @Test
    void masksOfAnotherAspectThanTheirImageAreCounted(@TempDir Path dir) throws Exception {
        write(dir.resolve("images/a.png"), blank());
        write(dir.resolve("images/b.png"), blank());
        Files.createDirectories(dir.resolve("masks"));
        assertThat(imwrite(dir.resolve("masks/a.png").toString(), new Mat(S / 2, S, CV_8UC1,
                new org.bytedeco.opencv.opencv_core.Scalar(0.0)))).isTrue();
        assertThat(imwrite(dir.resolve("masks/b.png").toString(), new Mat(S / 2, S / 2, CV_8UC1,
                new org.bytedeco.opencv.opencv_core.Scalar(0.0)))).isTrue();
        ObjectNode r = Evaluator.run(new Evaluator.Options("echo-ultrasound-tip", dir.resolve("images"), null, Map.of(),
                dir.resolve("masks"), dir.resolve("r.json"), null, "cpu", null));
        assertThat(r.at("/needle/frames_without_needle").asInt()).isEqualTo(2);
        assertThat(r.at("/masks_of_another_aspect/count").asInt()).isEqualTo(1);
        assertThat(r.at("/masks_of_another_aspect/first").asText()).isEqualTo("a.png: 256x256, its mask 256x128");
    }

    @Test
    void withoutGroundTruthOnlyFramesAndTimingsAreReported(@TempDir Path dir) throws Exception {
        byte[] a = picture(box(10, 10, 29, 29, VESSEL));
        write(dir.resolve("images/a.png"), a);
        ObjectNode r = Evaluator.run(new Evaluator.Options("echo-ultrasound", dir.resolve("images"), null, Map.of(), null,
                dir.resolve("r.json"), null, "cpu", null));
        assertThat(r.get("frames").asInt()).isEqualTo(1);
        assertThat(r.at("/vessel/dice").isNull()).isTrue(); // nothing to compare with
        assertThat(r.has("needle")).isFalse();
    }

    @Test
    void badArgumentsGiveClearErrors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Evaluator.parseClasses("nerve=one"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> Evaluator.parseClasses("nerve"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NAME=VALUE");
        assertThatThrownBy(() -> Evaluator.run(new Evaluator.Options("echo-ultrasound", dir.resolve("missing"), null,
                Map.of(), null, dir.resolve("r.json"), null, "cpu", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--images").hasMessageContaining("is not a folder");
        Files.createDirectories(dir.resolve("images"));
        assertThatThrownBy(() -> Evaluator.run(new Evaluator.Options("echo-ultrasound", dir.resolve("images"), null,
                Map.of("kidney", List.of(3)), null, dir.resolve("r.json"), null, "cpu", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no channel 'kidney'");
    }

    @Test
    void percentilesInterpolateBetweenOrderStatistics() {
        assertThat(ReportNumbers.percentile(new double[] {1, 2, 3, 4}, 0.5)).isEqualTo(2.5);
        assertThat(ReportNumbers.percentile(new double[] {0, 10}, 0.9)).isEqualTo(9.0);
        assertThat(ReportNumbers.percentile(new double[] {7}, 0.9)).isEqualTo(7.0);
        assertThat(ReportNumbers.percentile(new double[0], 0.5)).isNaN();
    }

    @Test
    void theNumbersStepIsFoundOnlyWhenEvenAndAboveNothing() {
        assertThat(Evaluator.numberStep(List.of("clarius_00337.jpg", "clarius_00341.jpg", "clarius_00345.jpg")))
                .isEqualTo(4);
        assertThat(Evaluator.numberStep(List.of("s2_frame10.png", "s2_frame20.png", "s2_frame30.png"))).isEqualTo(10);
        assertThat(Evaluator.numberStep(List.of("a1.png", "a2.png", "a3.png"))).isEqualTo(1);
        assertThat(Evaluator.numberStep(List.of("a4.png", "a8.png", "a13.png"))).as("uneven").isZero();
        assertThat(Evaluator.numberStep(List.of("a4.png", "a8.png"))).as("two frames").isZero();
        assertThat(Evaluator.numberStep(List.of("x.png", "y.png", "z.png"))).as("no numbers").isZero();
        assertThat(Evaluator.numberStep(List.of("a4.png", "b.png", "a12.png"))).as("one without").isZero();
        assertThat(Evaluator.numberStep(List.of("a8.png", "a4.png", "a0.png"))).as("going down").isZero();
    }
}
