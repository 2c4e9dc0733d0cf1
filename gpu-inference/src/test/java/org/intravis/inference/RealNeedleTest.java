package org.intravis.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.intravis.inference.eval.Evaluator;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.PixelFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * The shipped ultrasound model on real needles: the held-out part of the labelled Clarius clip (frames 337-448,
 * never used for training or any choice; {@code src/test/resources/real-needle/README.md}). The bounds are a little
 * below what the model card measures on the same frames, so a model that stops finding the real needle, or starts
 * showing a confident needle on the fascia, fails them.
 */
class RealNeedleTest {
    private static final Path FIXTURE = TestResources.path("/real-needle");
    /**
     * The live tests' frames carry capture times on a clock of their own (15 or 30 fps) while the model takes them
     * one by one as fast as this machine runs it: the budget is set far beyond that clock, so that no frame is skipped
     * as too late (5 s was not: on a loaded machine the 42 views took 17 s and the last went unanswered).
     */
    private static final long OWN_CLOCK_BUDGET_MS = 600_000;

    private static ObjectNode evaluate(Path dir, Path folder, boolean sequence) throws Exception {
        return Evaluator.run(new Evaluator.Options("ultrasound", folder.resolve("images"), null, Map.of(),
                folder.resolve("needle-masks"), dir.resolve("report.json"), dir.resolve("dump"), "cpu", null,
                sequence, 15)); // every 4th frame of a 60 fps clip
    }

    @Test
    void heldOutFramesOneByOne(@TempDir Path dir) throws Exception {
        JsonNode n = evaluate(dir, FIXTURE, false).get("needle");
        assertTheNeedlesFound(n, TIP_MEDIAN_PX);
        // found where it is, not anywhere: a tip within 20 px of the label on 27 of the 28 (model card)
        assertThat(n.at("/within/px").asDouble()).isEqualTo(20);
        assertThat(n.at("/within/detection_rate").asDouble()).isGreaterThanOrEqualTo(DETECTION);
    }

    @Test
    void heldOutFramesAsTheVideoTheyAre(@TempDir Path dir) throws Exception {
        ObjectNode r = evaluate(dir, FIXTURE, true);
        JsonNode n = r.get("needle");
        assertThat(r.get("sequence").asBoolean()).isTrue();
        assertThat(n.get("detection_rate").asDouble()).isGreaterThanOrEqualTo(DETECTION);
        assertThat(n.at("/tip_error_px/median").asDouble()).isLessThanOrEqualTo(TIP_MEDIAN_PX);
    }

    /**
     * Two scenes in one sequence: after each held-out needle frame whose clip frame has a needle-free view, that view
     * (the fascia, stretched to the frame's size), then the next needle frame. Each view is another scene (a scene
     * cut: {@link SceneCut}), so the needle's track does not coast onto it; before the cut rule, 13 of the 14 views
     * showed the coasting tip (false positives 0.93) and the tip after each view was the old track's.
     */
    @Test
    void aSequenceOfTwoScenesCarriesNoTipAcrossTheCut(@TempDir Path dir) throws Exception {
        Path mixed = dir.resolve("mixed");
        Files.createDirectories(mixed.resolve("images"));
        Files.createDirectories(mixed.resolve("needle-masks"));
        for (String part : List.of("images", "needle-masks")) {
            try (Stream<Path> s = Files.list(FIXTURE.resolve(part))) {
                for (Path p : s.toList()) {
                    Files.copy(p, mixed.resolve(part).resolve(p.getFileName()));
                }
            }
        }
        try (Stream<Path> views = Files.list(FIXTURE.resolve("needle-free/images"))) {
            for (Path view : views.toList()) {
                String stem = view.getFileName().toString().replaceFirst("\\.[a-z]+$", "");
                try (Mat grey = imread(view.toString(), IMREAD_GRAYSCALE); Mat stretched = new Mat();
                     Mat none = new Mat(860, 1080, CV_8UC1, new Scalar(0.0))) {
                    resize(grey, stretched, new Size(1080, 860));
                    imwrite(mixed.resolve("images").resolve(stem + ".png").toString(), stretched);
                    imwrite(mixed.resolve("needle-masks").resolve(stem + ".png").toString(), none);
                }
            }
        }
        ObjectNode r = evaluate(dir, mixed, true);
        JsonNode n = r.get("needle");
        assertThat(n.get("frames_with_needle").asInt()).isEqualTo(28);
        assertThat(n.get("frames_without_needle").asInt()).isEqualTo(14);
        assertThat(r.get("scene_cuts").asInt()).as("into each view and out of it").isEqualTo(28);
        assertThat(n.get("false_positive_rate").asDouble()).isZero();
        assertThat(n.get("detection_rate").asDouble()).isGreaterThanOrEqualTo(DETECTION);
        assertThat(n.at("/tip_error_px/median").asDouble()).isLessThanOrEqualTo(TIP_MEDIAN_PX);
    }

    /**
     * The held-out frames as another scanner's capture shows them: fitted into 720x440 with black margins and
     * burned-in scanner graphics (depth dots and scale ticks beside the picture, preset and depth labels in the
     * margins), as {@code training/make_needle_variants.py} draws its "letterbox" variant. Sparse graphics must not
     * stretch the content crop's box (sidecar {@code input.crop.columnShare}): with the box over every pixel above
     * grey 12 only 0.36 of these needles were confident.
     */
    @Test
    void heldOutFramesWithScannerGraphicsInTheMargins(@TempDir Path dir) throws Exception {
        Path variant = capture(dir, "letterbox", ScannerCapture::letterbox);
        assertTheNeedlesFound(evaluate(dir, variant, false).get("needle"), TIP_MEDIAN_PX * 720 / 1080);
        // the box the model saw (the dump's picture_box): the picture, columns 83-636, and at most the ticks 6-14 px
        // left of it, never the labels from column 6 or the depth dots and "4.0cm" right of it (1.2.0's box: 6-679)
        for (JsonNode f : boxes(dir)) {
            assertThat(f.get("picture_box").get(0).asInt()).as(f.get("image").asText()).isBetween(60, 90);
            assertThat(f.get("picture_box").get(2).asInt()).as(f.get("image").asText()).isBetween(630, 645);
        }
    }

    /**
     * The held-out frames on a scanner's whole screen as a capture card sends it (1280x720, {@code
     * make_needle_variants.py}'s "screen" variant): a title bar above the picture and a toolbar below it, both
     * inside its columns, must stay out of the content crop's box (sidecar {@code input.crop.graphicsAbove}), and the
     * needle, which spans fewer of the frame's pixels than the picture's, must be judged in the picture's size
     * ({@link InstrumentLocator#picture}). With the bars in the box (1.2.1) no needle was confident and 0.93 were
     * found; with them out but the shaft judged in the frame's grid, 0.46 were confident.
     */
    @Test
    void heldOutFramesOnAScannersScreenWithTitleBarAndToolbar(@TempDir Path dir) throws Exception {
        Path variant = capture(dir, "screen", ScannerCapture::screen);
        assertTheNeedlesFound(evaluate(dir, variant, false).get("needle"), TIP_MEDIAN_PX * 600 / 860);
        // the picture fills rows 64-656; the title bar ends at row 38, the toolbar starts at row 670
        for (JsonNode f : boxes(dir)) {
            assertThat(f.get("picture_box").get(1).asInt()).as(f.get("image").asText()).isBetween(60, 68);
            assertThat(f.get("picture_box").get(3).asInt()).as(f.get("image").asText()).isBetween(652, 660);
        }
    }

    /** The 28 held-out needle frames, one by one: found, mostly confident, the tip within {@code tipMedianPx}. */
    private static void assertTheNeedlesFound(JsonNode n, double tipMedianPx) {
        assertThat(n.get("frames_with_needle").asInt()).isEqualTo(28);
        assertThat(n.get("detection_rate").asDouble()).isGreaterThanOrEqualTo(DETECTION);
        assertThat(n.get("confident_detection_rate").asDouble()).isGreaterThanOrEqualTo(CONFIDENT_DETECTION);
        assertThat(n.at("/tip_error_px/median").asDouble()).isLessThanOrEqualTo(tipMedianPx);
    }

    /** The held-out frames and their masks, each drawn by {@code capture}, into {@code dir/name}. */
    private static Path capture(Path dir, String name, Capture capture) throws Exception {
        Path variant = dir.resolve(name);
        Files.createDirectories(variant.resolve("images"));
        Files.createDirectories(variant.resolve("needle-masks"));
        try (Stream<Path> frames = Files.list(FIXTURE.resolve("images"))) {
            for (Path image : frames.sorted().toList()) {
                String stem = image.getFileName().toString().replaceFirst("\\.[a-z]+$", "");
                try (Mat grey = imread(image.toString(), IMREAD_GRAYSCALE);
                     Mat mask = imread(FIXTURE.resolve("needle-masks").resolve(stem + ".png").toString(), IMREAD_GRAYSCALE);
                     Mat framed = capture.draw(grey, INTER_AREA, true);
                     Mat framedMask = capture.draw(mask, INTER_NEAREST, false)) {
                    imwrite(variant.resolve("images").resolve(stem + ".png").toString(), framed);
                    imwrite(variant.resolve("needle-masks").resolve(stem + ".png").toString(), framedMask);
                }
            }
        }
        return variant;
    }

    private interface Capture {
        Mat draw(Mat picture, int interpolation, boolean graphics);
    }

    /** The frames of the last evaluation's dump, each with the box the model saw. */
    private static JsonNode boxes(Path dir) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                dir.resolve("dump").resolve("predictions.json").toFile()).get("frames");
    }

    /** The needle-free views (the fascia line, depth dots, the depth label): no needle, let alone a confident one. */
    @Test
    void needleFreeViewsShowNoNeedle(@TempDir Path dir) throws Exception {
        JsonNode n = evaluate(dir, FIXTURE.resolve("needle-free"), false).get("needle");
        assertThat(n.get("frames_without_needle").asInt()).isEqualTo(14);
        assertThat(n.get("false_positive_rate").asDouble()).isLessThanOrEqualTo(FALSE_POSITIVES);
        assertThat(n.get("confident_false_positive_rate").asDouble()).isZero();
    }

    /**
     * The hard negative, live: the fascia views (a bright straight reflector, no needle) streamed through the
     * inference service at 30 fps under a drawn no-go zone that covers the whole picture. Any confident tip would
     * be inside it and raise an alert; none may.
     */
    @Test
    void theFasciaIsNeverAConfidentNeedleNorAnAlert() throws Exception {
        List<Path> views;
        try (Stream<Path> s = Files.list(FIXTURE.resolve("needle-free/images"))) {
            views = s.filter(p -> p.getFileName().toString().contains("_lower")).sorted().toList();
        }
        assertThat(views).hasSize(14);
        ZoneStore zones = new ZoneStore(null);
        Recorder r = new Recorder();
        InferenceSettings settings = new InferenceSettings().budgetMs(OWN_CLOCK_BUDGET_MS).maxBatch(1).intraOpThreads(2)
                .conclude();
        try (InferenceService service = new InferenceService(settings, zones)) {
            InferenceFeed feed = service.register(r.registration("fascia", 0, 0, "ultrasound"));
            Mat first = imread(views.get(0).toString(), IMREAD_GRAYSCALE);
            int w = first.cols();
            int h = first.rows();
            zones.add("fascia", "everything", new double[][] {{0, 0}, {w, 0}, {w, h}, {0, h}});
            FrameSlot slot = new FrameSlot(0, new FrameGeometry(w, h, PixelFormat.GRAY8), false);
            byte[] px = new byte[w * h];
            long t0 = System.nanoTime();
            int frames = 0;
            for (int round = 0; round < 3; round++) { // the same views again: a still probe over the fascia
                for (Path v : views) {
                    frames++;
                    offer(feed, slot, imread(v.toString(), IMREAD_GRAYSCALE), px, frames, t0 + frames * 33_333_333L);
                    long id = frames;
                    r.await(a -> a.frameId() == id);
                }
            }
        }
        assertThat(r.published).hasSize(42);
        for (Annotations a : r.published) {
            assertThat(a.status()).isEqualTo(Annotations.Status.VALID);
            for (int t = 0; t < a.tipCount(); t++) {
                assertThat(a.tipConfidence[t]).as("frame %d tip %d", a.frameId(), t).isLessThan((float) Annotations.LOW_CONFIDENCE);
            }
            assertThat(a.alertCount()).as("frame %d", a.frameId()).isZero();
        }
    }

    /**
     * The live path takes the tip from the frame's own pixels too: frames 409-437, where the network's mask runs on
     * along a bright band beside the needle and its tip lands 110-126 px too far on 7 of the 8 (model card), streamed
     * through the inference service (the worker reads each frame again from its ring slot). No published tip may lie
     * more than 25 px beyond the label's along the needle, nor more than 35 px from it either way (1.2.3 one by one:
     * 3-16 px, and 29 px short on frame 409, where the faint end fades before the label's; 1.2.2: 6-17 px).
     */
    @Test
    void theLiveOverlayPullsAnOvershootingTipBack() throws Exception {
        JsonNode labels = new com.fasterxml.jackson.databind.ObjectMapper().readTree(FIXTURE.resolve("labels.json").toFile());
        Recorder r = new Recorder();
        InferenceSettings settings = new InferenceSettings().budgetMs(OWN_CLOCK_BUDGET_MS).maxBatch(1).intraOpThreads(2)
                .conclude();
        int checked = 0;
        try (InferenceService service = new InferenceService(settings, new ZoneStore(null))) {
            InferenceFeed feed = service.register(r.registration("band", 0, 0, "ultrasound"));
            FrameSlot slot = null;
            long t0 = System.nanoTime();
            for (JsonNode f : labels.get("frames")) {
                int frame = f.get("frame").asInt();
                if (frame < 409 || frame > 437 || !f.get("needle").asBoolean()) {
                    continue;
                }
                Mat m = imread(FIXTURE.resolve("images/" + f.get("file").asText().replace(".png", ".jpg")).toString(),
                        IMREAD_GRAYSCALE);
                int w = m.cols();
                int h = m.rows();
                if (slot == null) {
                    slot = new FrameSlot(0, new FrameGeometry(w, h, PixelFormat.GRAY8), false);
                }
                offer(feed, slot, m, new byte[w * h], frame, t0 + frame * 66_666_667L);
                long id = frame;
                Annotations a = r.await(x -> x.frameId() == id);
                assertThat(a.tipCount()).as("frame %d", frame).isGreaterThan(0);
                double tx = f.get("tip").get(0).asDouble();
                double ty = f.get("tip").get(1).asDouble();
                double ux = tx - f.get("end").get(0).asDouble(); // along the labelled shaft, towards the tip
                double uy = ty - f.get("end").get(1).asDouble();
                double beyond = ((a.tipX[0] - tx) * ux + (a.tipY[0] - ty) * uy) / Math.hypot(ux, uy);
                assertThat(beyond).as("frame %d: px beyond the label's tip", frame).isLessThan(25);
                assertThat(Math.hypot(a.tipX[0] - tx, a.tipY[0] - ty)).as("frame %d tip error", frame).isLessThan(35);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(8);
    }

    /**
     * A replay seek, live: the held-out frames streamed through the inference service as a recording plays them
     * (15 fps), then the replay seeked back to its first frame. Capture time runs on evenly and the picture is the
     * same scene; only the source's presentation time tells that the frames do not continue each other, and the
     * needle's track must start again there (a first sighting: tentative), not coast over from the other time.
     */
    @Test
    void aReplaySeekStartsTheNeedlesTrackAgain() throws Exception {
        List<Path> frames;
        try (Stream<Path> s = Files.list(FIXTURE.resolve("images"))) {
            frames = s.sorted().toList();
        }
        Recorder r = new Recorder();
        InferenceSettings settings = new InferenceSettings().budgetMs(OWN_CLOCK_BUDGET_MS).maxBatch(1).intraOpThreads(2)
                .conclude();
        try (InferenceService service = new InferenceService(settings, new ZoneStore(null))) {
            InferenceFeed feed = service.register(r.registration("replay", 0, 0, "ultrasound"));
            FrameSlot slot = new FrameSlot(0, new FrameGeometry(1080, 860, PixelFormat.GRAY8), false);
            byte[] px = new byte[1080 * 860];
            long t0 = System.nanoTime();
            List<Path> played = new ArrayList<>(frames.subList(0, 12));
            played.addAll(frames.subList(0, 3)); // seeked back to the start
            for (int i = 0; i < played.size(); i++) {
                long pts = (i < 12 ? i : i - 12) * 66_667L;
                offer(feed, slot, imread(played.get(i).toString(), IMREAD_GRAYSCALE), px, i + 1,
                        t0 + (i + 1) * 66_666_667L, pts);
                long id = i + 1;
                r.await(a -> a.frameId() == id);
            }
        }
        assertThat(r.counters.get(Counter.SCENE_CUTS)).isEqualTo(1);
        Annotations beforeSeek = r.published.get(11);
        Annotations afterSeek = r.published.get(12);
        assertThat(beforeSeek.tipCount()).isEqualTo(1);
        assertThat(beforeSeek.tipState[0]).isEqualTo(Annotations.TRACK_CONFIRMED);
        assertThat(afterSeek.tipCount()).as("the old track is forgotten, not coasting beside the new one").isEqualTo(1);
        assertThat(afterSeek.tipState[0]).isEqualTo(Annotations.TRACK_TENTATIVE);
        assertThat(afterSeek.tipId[0]).isNotEqualTo(beforeSeek.tipId[0]);
    }

    private static void offer(InferenceFeed feed, FrameSlot slot, Mat m, byte[] px, long frameId, long capturedNanos)
            throws InterruptedException {
        offer(feed, slot, m, px, frameId, capturedNanos, capturedNanos / 1000);
    }

    /** Writes grey frame {@code m} into {@code slot} as capture does and offers it until the model takes it. */
    private static void offer(InferenceFeed feed, FrameSlot slot, Mat m, byte[] px, long frameId, long capturedNanos,
                              long ptsMicros) throws InterruptedException {
        new BytePointer(m.data()).get(px, 0, px.length);
        slot.sourcePtsMicros(ptsMicros);
        slot.beginWrite();
        slot.frame(m.cols(), m.rows(), m.cols(), PixelFormat.GRAY8);
        slot.pixels().clear();
        slot.pixels().put(px, 0, px.length);
        slot.pixels().clear();
        slot.captured(0, frameId, frameId, capturedNanos);
        slot.endWrite();
        while (feed.offer(slot, slot.writeVersion()) != InferenceFeed.Offer.ACCEPTED) {
            Thread.sleep(1);
        }
    }

    // bounds: a little below the model card's figures on these frames (ultrasound MODEL_CARD.md, "Real needles", and
    // "The ruler": since 2026-12-05 the masks end at the labelled tip): detection 1.00 one by one and as a video,
    // confident 1.00 / 0.96, tip error median 8.2 / 7.9 px (under the round-capped masks before: 9.5 / 10.2), no needle
    // on any needle-free view; letterboxed with scanner graphics 1.00 / 0.96 / 3.8 px in the 720x440 frame, whose tip
    // bound is this one scaled to it; on a scanner's 1280x720 screen 1.00 / 0.89 / 3.9 px, 1.2.1: 0.93 / 0.00 / 4.2.
    // The tip bound is the target, 10 px.
    private static final double DETECTION = 0.9;
    private static final double CONFIDENT_DETECTION = 0.85;
    private static final double FALSE_POSITIVES = 0.1;
    private static final double TIP_MEDIAN_PX = 10;
}
