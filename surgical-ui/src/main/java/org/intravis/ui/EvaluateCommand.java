package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.eval.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code intravis evaluate}: a model against ground truth on a folder of images; the summary is printed and, with
 * {@code --report}, the metrics go to a JSON report (see {@link Evaluator} for what each one means). Its flags and
 * report fields are relied on by other tools.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Measure a model against ground truth (label maps, needle masks) on a folder of images.")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model name (ultrasound, fluoroscopy) or .onnx path.")
    String model;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Images (any format OpenCV reads; "
            + "16-bit ones by the bits they use, e.g. a 12-bit export's 0..4095 as 0..255).")
    Path images;

    @Option(names = "--labels", paramLabel = "DIR",
            description = "Label maps, matched by the image's name: NAME.png or NAME_mask.png, _label, ... "
                    + "(.png, .bmp, .tif); may be the images' own folder.")
    Path labels;

    @Option(names = "--classes", paramLabel = "NAME=VALUE,...",
            description = "Label values of the model's classes (default nerve=1,vessel=2), or their colours in colour "
                    + "label maps (nerve=#ffff00,vessel=#ff0000); a class of several values: vessel=2+3.")
    String classes;

    @Option(names = "--needle-masks", paramLabel = "DIR",
            description = "Binary needle masks, matched by the image's name (NAME.png or NAME_mask.png, _label, ...; "
                    + ".png, .bmp, .tif, .jpg; may be the images' own folder); an all-zero mask is a frame without "
                    + "a needle.")
    Path needleMasks;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Where the JSON report goes (every figure at full precision, the skipped files); without it "
                    + "only the summary is printed.")
    Path report;

    @Option(names = "--dump", paramLabel = "DIR", description = "Write predicted label maps and tips here.")
    Path dump;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Look for <name>/<name>.onnx here first.")
    Path modelsDir;

    @Option(names = "--sequence", description = "The images are a video: fed in name order (numbers by value) "
            + "through the tracker; the tip scored is the one the overlay would show. Frames of another scene (another "
            + "size, or a picture unlike the one before) restart the tracks, as live.")
    boolean sequence;

    @Option(names = "--fps", defaultValue = "30", paramLabel = "F",
            description = "Frame rate of a --sequence (the tracker's time step; default 30).")
    double fps;

    @Option(names = "--within", defaultValue = "20", paramLabel = "PX",
            description = "A tip this near the truth (px of the mask) counts as right in the report's 'within' "
                    + "rates (default 20); detection counts a tip anywhere.")
    double withinPx;

    @Override
    public Integer call() {
        ObjectNode r;
        try {
            r = Evaluator.run(new Evaluator.Options(model, images, labels, Evaluator.parseClasses(classes), needleMasks,
                    report, dump, device.orCpu(), modelsDir, sequence, fps, withinPx));
        } catch (ModelLoadException | IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        } catch (IOException e) {
            throw new UserError("evaluation failed: " + e.getMessage(), e);
        }
        System.out.printf("%s %s on %s: %d frames%n", r.at("/model/name").asText(), r.at("/model/version").asText(),
                r.at("/model/device").asText(), r.get("frames").asInt());
        if (r.has("sixteen_bit_images")) { // say it: a 12-bit export read as 16 bits would have been nearly black
            System.out.printf("  %d image(s) of 16 bits, read by the %d bits they use%n",
                    r.at("/sixteen_bit_images/images").asInt(), r.at("/sixteen_bit_images/read_as_bits").asInt());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().has("dice") && labels != null) { // without --labels there is nothing to compare
                System.out.printf("  %-8s dice %s  iou %s  (%d frames)%n", e.getKey(), rate(e.getValue().get("dice")),
                        rate(e.getValue().get("iou")), e.getValue().get("frames").asInt());
            }
        }
        if (r.has("needle")) {
            JsonNode n = r.get("needle");
            System.out.printf("  needle   detection %s  false positives %s  tip error median %s p90 %s px"
                            + "  (%d frames with a needle, %d without)%n",
                    rate(n.get("detection_rate")), rate(n.get("false_positive_rate")), px(n.at("/tip_error_px/median")),
                    px(n.at("/tip_error_px/p90")), n.path("frames_with_needle").asInt(),
                    n.path("frames_without_needle").asInt());
            System.out.printf("           confident: detection %s  false positives %s%s%n",
                    rate(n.get("confident_detection_rate")), rate(n.get("confident_false_positive_rate")),
                    sequence ? "  (sequence at " + fps + " fps, tips after the tracker; " + r.get("scene_cuts")
                            + " scene cuts)" : "");
            System.out.printf("           tip within %s px of the truth: detection %s  confident %s%n",
                    bound(n.at("/within/px")), rate(n.at("/within/detection_rate")),
                    rate(n.at("/within/confident_detection_rate")));
            int unmatched = n.path("frames_without_mask").asInt();
            if (unmatched > 0) {
                System.out.printf("  needle   %d of %d images have no mask in %s, so they are not scored "
                        + "(looked for %s)%n", unmatched, r.get("frames").asInt(), needleMasks,
                        n.path("mask_looked_for").asText());
            }
        }
        if (r.has("frame_number_step")) { // every k-th frame of a video, played as if one apart
            long k = r.get("frame_number_step").asLong();
            System.out.printf("  the images' numbers go up by %d each: if they are every %d%s frame of a video, give "
                    + "--fps as its rate divided by %d (played here at %s fps)%n", k, k, ordinal(k), k, fps);
        }
        if (r.has("masks_of_another_aspect")) { // scaled to the frame as if they covered it: say so
            System.out.printf("  %d mask(s) or label map(s) of another aspect than their image (%s), scored as if they "
                    + "covered the whole frame%n", r.at("/masks_of_another_aspect/count").asInt(),
                    r.at("/masks_of_another_aspect/first").asText());
        }
        System.out.printf("  inference median %s ms%n", px(r.at("/inference_ms/median")));
        if (!r.get("skipped").isEmpty()) {
            JsonNode first = r.get("skipped").get(0);
            System.out.printf("  skipped %d file(s), e.g. %s: %s%s%n", r.get("skipped").size(),
                    first.path("file").asText(), first.path("reason").asText(), report != null ? " (all in the report)"
                            : "");
        }
        System.out.println(report != null ? "report: " + report.toAbsolutePath()
                : "(no --report FILE: the JSON report was not written)");
        return 0;
    }

    /** The English ordinal ending of {@code k}: 1st, 2nd, 3rd, 4th, 11th, 22nd. */
    private static String ordinal(long k) {
        long tens = k % 100;
        return tens >= 11 && tens <= 13 ? "th" : k % 10 == 1 ? "st" : k % 10 == 2 ? "nd" : k % 10 == 3 ? "rd" : "th";
    }

    /** A rate to two decimals as the model card gives them ("-": nothing to count); the report keeps all digits. */
    private static String rate(JsonNode v) {
        return v == null || !v.isNumber() ? "-" : String.format(Locale.ROOT, "%.2f", v.asDouble());
    }

    /** A bound as given: 20, or 7.5. */
    private static String bound(JsonNode v) {
        double b = v.asDouble();
        return b == Math.rint(b) ? String.format(Locale.ROOT, "%.0f", b) : String.format(Locale.ROOT, "%.1f", b);
    }

    /** Pixels or milliseconds to one decimal ("-" where there was nothing to measure). */
    private static String px(JsonNode v) {
        return v == null || !v.isNumber() ? "-" : String.format(Locale.ROOT, "%.1f", v.asDouble());
    }
}
