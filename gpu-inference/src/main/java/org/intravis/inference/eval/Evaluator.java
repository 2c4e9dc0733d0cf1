package org.intravis.inference.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.intravis.inference.BackendFactory;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.ContentBox;
import org.intravis.inference.ContentUncropper;
import org.intravis.inference.GreyPixels;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceException;
import org.intravis.inference.InferenceSettings;
import org.intravis.inference.Instrument;
import org.intravis.inference.InstrumentDetection;
import org.intravis.inference.InstrumentLocator;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.NativeMemory;
import org.intravis.inference.OutputDecoder;
import org.intravis.inference.OutputRole;
import org.intravis.inference.Preprocessor;
import org.intravis.inference.StreamAnnotator;
import org.intravis.inference.TensorRow;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.NaturalOrder;
import org.intravis.pipeline.SignificantBits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_ANYDEPTH;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.intravis.inference.eval.ReportNumbers.atMost;
import static org.intravis.inference.eval.ReportNumbers.percentile;
import static org.intravis.inference.eval.ReportNumbers.putErrors;
import static org.intravis.inference.eval.ReportNumbers.putMean;
import static org.intravis.inference.eval.ReportNumbers.putNumber;

/**
 * {@code intravis evaluate}: runs a model over a folder of images and measures it against ground truth, frame by
 * frame, with the same pre- and post-processing as the live path (16-bit images read by the bits they use, as the
 * image-folder source reads them: {@link SignificantBits}).
 * <ul>
 *   <li>Segmentation ({@code --labels}): label maps matched to images by file name as {@link LabelRaster#match}
 *       says (lossless files only), class values from {@code --classes} (or the classes' colours,
 *       {@code vessel=#ff0000}, in label maps saved as colour pictures; a class marked by several, such as artery
 *       and vein both "vessel", as {@code vessel=2+3}). The predicted label map is, per pixel,
 *       the class with the highest probability among those above their threshold (at the label map's size).
 *       Per class, Dice and IoU are averaged over the frames where the class is in the ground truth or in the
 *       prediction.</li>
 *   <li>Needle ({@code --needle-masks}): masks matched by the image's name as {@link LabelRaster#match} says
 *       ({@code NAME.png}, {@code NAME_mask.png}, ...; JPEG too); any non-zero pixel is needle (a JPEG's: above half
 *       its brightest; with an alpha band as {@link LabelRaster#read} says); an all-zero mask is a frame without one;
 *       images without a mask are counted ({@code frames_without_mask}).
 *       The ground-truth tip is found in the mask by the live rule of the model's instrument (a needle: the end of
 *       the fitted shaft farther from the border it enters from; a guidewire: the free end of its skeleton farthest
 *       along it from where it enters); the predicted tip comes from the model's output as in the live path.
 *       Detection rate over needle frames, false-positive rate over needle-free frames, tip error (pixels of the
 *       mask) over needle frames with a predicted tip: median and 90th percentile (linear interpolation between
 *       order statistics).</li>
 *   <li>Confidence: a tip is <em>confident</em> when the overlay would not mark it low
 *       ({@link Annotations#LOW_CONFIDENCE}); only confident tips raise alerts. {@code confident_detection_rate}
 *       counts needle frames with a confident tip, {@code confident_false_positive_rate} needle-free frames with one
 *       (the hard negatives: a confident tip there is a false needle a surgeon would trust).</li>
 *   <li>Right tips ({@code within}): a tip counts for {@code detection_rate} wherever it is, so a needle shown on the
 *       wrong structure (a fascia line, in a scene the network does not know) is a detection there. {@code within}
 *       counts needle frames whose tip is at most {@code withinPx} from the truth ({@code detection_rate}; with a
 *       confident tip, {@code confident_detection_rate}).</li>
 *   <li>{@code inference_ms}: the ONNX Runtime call per frame (batch 1).</li>
 * </ul>
 * Images are read in name order with numbers compared by value ({@link NaturalOrder}). Without {@code sequence}
 * every frame stands alone and its tip is the live decoder's for that frame. With {@code sequence} the frames are a
 * video at {@code fps}: each goes through the live path after the model (the stream's decoder, tip tracker, risk
 * assessment: {@link OutputDecoder}, {@link StreamAnnotator}) and the tip scored is the one the overlay would show:
 * the most confident tracked tip that is not lost. A frame without a mask is still fed (so the tracker sees the
 * whole sequence) but not scored.
 * <p>
 * {@code --dump DIR} writes each frame's predicted label map ({@code <name>.png}, class values or colours, a
 * class's first where it has several) and
 * {@code predictions.json} (tips in image pixels, with their confidence and low flag, and with needle masks the
 * truth's tip they were scored against and the error; in sequence mode their track
 * state and id, the alerts and how many tips the overlay shows; for a model with the content crop the picture box it
 * saw), so that anyone can recompute the metrics and see what part of a new scanner's frame the model looked at.
 */
public final class Evaluator {
    private static final Logger LOG = Logger.getLogger(Evaluator.class.getName());

    /**
     * @param model       model name or {@code .onnx} path
     * @param images      folder of images
     * @param labels      folder of label maps, or null
     * @param classes     class name (a model channel) to its label values (or colours: {@link #COLOUR}); empty:
     *                    nerve=1, vessel=2 where the model has them
     * @param needleMasks folder of binary needle masks, or null
     * @param report      where the JSON report goes, or null (none written: the caller prints the summary)
     * @param dump        folder for predicted label maps and tips, or null
     * @param device      cpu or cuda
     * @param modelsDir   extra folder to look for models in, or null
     * @param sequence    whether the frames are a video, fed through the tracker in name order
     * @param fps         the sequence's frame rate (the tracker's time step)
     * @param withinPx    how near the truth a tip must be for the {@code within} rates (px of the mask)
     */
    public record Options(String model, Path images, Path labels, Map<String, List<Integer>> classes, Path needleMasks,
                          Path report, Path dump, String device, Path modelsDir, boolean sequence, double fps,
                          double withinPx) {
        public Options {
            if (sequence && !(fps > 0 && fps <= 1000)) {
                throw new IllegalArgumentException("--fps must be above 0 and at most 1000, was " + fps);
            }
            if (!(withinPx > 0)) {
                throw new IllegalArgumentException("--within must be above 0 px, was " + withinPx);
            }
        }

        /** Tips scored as right within {@link #DEFAULT_WITHIN_PX}. */
        public Options(String model, Path images, Path labels, Map<String, List<Integer>> classes, Path needleMasks,
                       Path report, Path dump, String device, Path modelsDir, boolean sequence, double fps) {
            this(model, images, labels, classes, needleMasks, report, dump, device, modelsDir, sequence, fps,
                    DEFAULT_WITHIN_PX);
        }

        /** Frames evaluated independently. */
        public Options(String model, Path images, Path labels, Map<String, List<Integer>> classes, Path needleMasks,
                       Path report, Path dump, String device, Path modelsDir) {
            this(model, images, labels, classes, needleMasks, report, dump, device, modelsDir, false, DEFAULT_FPS);
        }
    }

    /** The label values of the zones when {@code --classes} gives none (the usual label maps' convention). */
    private static final Map<String, Integer> DEFAULT_LABELS = defaultLabels();

    private static Map<String, Integer> defaultLabels() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("nerve", 1);
        m.put("vessel", 2);
        return m;
    }

    private static final Pattern LAST_NUMBER = Pattern.compile("(\\d{1,18})\\D*$");

    /**
     * How much the number in the images' names goes up from each to the next when it goes up by the same amount
     * every time (frames 4, 8, 12, ...: every 4th frame of a video); 0 when it does not, or for fewer than three
     * images.
     */
    static long numberStep(List<String> names) {
        if (names.size() < 3) {
            return 0;
        }
        long step = 0;
        long previous = -1;
        for (String name : names) {
            Matcher m = LAST_NUMBER.matcher(name);
            if (!m.find()) {
                return 0;
            }
            long n = Long.parseLong(m.group(1));
            if (previous >= 0) {
                long d = n - previous;
                if (d <= 0 || (step != 0 && d != step)) {
                    return 0;
                }
                step = d;
            }
            previous = n;
        }
        return step;
    }

    /** The frame rate a sequence is played at when none is given (the tracker's time step). */
    public static final double DEFAULT_FPS = 30;

    /**
     * How near the truth (px of the mask) a tip must be to count as found in the {@code within} rates: the bound the
     * model card's "within 20 px" figures use. A tip anywhere counts for {@code detection_rate}, so a needle shown on
     * the wrong structure is a detection there; here it is not.
     */
    public static final double DEFAULT_WITHIN_PX = 20;

    /**
     * A class given as a colour ({@code vessel=#ff0000}) is kept as this flag with the colour's 24 bits: label maps
     * saved as colour pictures mark a class by its colour, not by a value of one band.
     */
    static final int COLOUR = 1 << 24;

    static boolean isColour(int classValue) {
        return (classValue & COLOUR) != 0;
    }

    /** How a class value is written back: {@code 2}, or {@code #ff0000} for a colour. */
    static String describe(int classValue) {
        return isColour(classValue) ? String.format(Locale.ROOT, "#%06x", classValue & 0xFFFFFF)
                : Integer.toString(classValue);
    }

    /**
     * Parses {@code nerve=1,vessel=2}, or colours: {@code nerve=#ffff00,vessel=#ff0000}. A class marked by several
     * values (artery and vein both "vessel") takes them all: {@code vessel=2+3}, or the name given again.
     */
    public static Map<String, List<Integer>> parseClasses(String text) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
                throw new IllegalArgumentException("--classes: '" + p + "' is not NAME=VALUE (e.g. nerve=1,vessel=2)");
            }
            List<Integer> values = out.computeIfAbsent(p.substring(0, eq).trim().toLowerCase(Locale.ROOT),
                    k -> new ArrayList<>());
            for (String one : p.substring(eq + 1).split("\\+", -1)) { // "2+" is an error, not 2
                int v = classValue(p, one.trim());
                if (!values.contains(v)) {
                    values.add(v);
                }
            }
        }
        if (out.values().stream().flatMap(List::stream).map(Evaluator::isColour).distinct().count() > 1) {
            throw new IllegalArgumentException("--classes: give every class a value or every class a colour, not both ("
                    + text.trim() + ")");
        }
        Map<Integer, String> owner = new HashMap<>();
        out.forEach((c, values) -> values.forEach(v -> {
            String other = owner.putIfAbsent(v, c);
            if (other != null) {
                throw new IllegalArgumentException("--classes: " + describe(v) + " is given to both " + other + " and "
                        + c);
            }
        }));
        return out;
    }

    /** One value of {@code part}'s class: {@code 2}, or {@code #ff0000} as {@link #COLOUR} with its 24 bits. */
    private static int classValue(String part, String value) {
        if (value.startsWith("#")) {
            if (!value.matches("#[0-9a-fA-F]{6}")) {
                throw new IllegalArgumentException("--classes: colour of '" + part + "' is not #RRGGBB (e.g. #ff0000)");
            }
            return COLOUR | Integer.parseInt(value.substring(1), 16);
        }
        int v;
        try {
            v = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--classes: value of '" + part + "' is not a whole number or a #RRGGBB "
                    + "colour");
        }
        if (v < 1 || v > 255) {
            throw new IllegalArgumentException("--classes: value of '" + part + "' must be 1..255 (0 is background)");
        }
        return v;
    }

    private Evaluator() {
    }

    /** Evaluates and writes the report; returns it. */
    public static ObjectNode run(Options o) throws ModelLoadException, IOException {
        requireFolder(o.images(), "--images");
        if (o.labels() != null) {
            requireFolder(o.labels(), "--labels");
        }
        if (o.needleMasks() != null) {
            requireFolder(o.needleMasks(), "--needle-masks");
        }
        ModelSource source = ModelSource.locate(o.model(), o.modelsDir());
        ModelSpec spec = source.spec();
        Map<String, List<Integer>> classes = new LinkedHashMap<>(o.classes() == null ? Map.of() : o.classes());
        if (classes.isEmpty()) {
            DEFAULT_LABELS.forEach((zone, value) -> {
                int c = spec.channel(zone);
                if (c >= 0 && spec.roles().role(c) == OutputRole.ZONE) {
                    classes.put(zone, List.of(value));
                }
            });
        }
        for (String c : classes.keySet()) {
            if (spec.channel(c) < 0) {
                throw new IllegalArgumentException("--classes: model '" + spec.name() + "' has no channel '" + c
                        + "' (its channels: " + spec.outputChannels() + ")");
            }
        }
        if (o.dump() != null) {
            Files.createDirectories(o.dump());
        }
        try (InferenceBackend backend = BackendFactory.open(source, BackendOptions.single(o.device()))) {
            return new Run(o, spec, backend, classes).evaluate();
        }
    }

    private static void requireFolder(Path p, String flag) {
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(flag + " " + p + " is not a folder");
        }
    }

    /** One evaluation's state. */
    private static final class Run {
        private final Options o;
        private final ModelSpec spec;
        private final InferenceBackend backend;
        private final Map<String, List<Integer>> classes; // a class's label values (or colours), the first its own
        private final boolean colours; // the classes are colours of colour label maps
        private final Map<String, Integer> codes = new LinkedHashMap<>(); // a class's value in the predicted label map
        private final Map<String, int[]> truthValues = new LinkedHashMap<>(); // a class's values in the truth
        private final Preprocessor pre;
        private final TensorRow row;
        private final float[] probs;
        private final ContentUncropper uncropper;
        private final float[] raw;
        private final int plane;
        private final Instrument instrument; // null: the model finds none
        private final Map<String, InstrumentLocator> truthLocators = new HashMap<>(); // per mask size
        private final GreyPixels pixels = new GreyPixels();
        private final OutputDecoder decoder; // frames that stand alone: the live decoder, frame by frame
        private final Mat[] planes;
        private final Annotations decoded = new Annotations(); // what the decoder writes besides the instrument
        private final List<Double> inferenceMs = new ArrayList<>();
        private final Map<String, double[]> segmentation = new LinkedHashMap<>(); // dice sum, iou sum, frames
        private final SequenceReplay sequence; // null: frames stand alone
        private int needleFrames;
        private int needleDetected;
        private int needleConfident;
        private int cleanFrames;
        private int cleanFalsePositives;
        private int cleanConfident;
        private int needleUnmatched;
        private int masksBeside; // files of the images' folder that are masks or label maps of others there
        private String firstUnmatched = "";
        private final List<Double> tipErrors = new ArrayList<>();
        private final List<Double> confidentTipErrors = new ArrayList<>();
        // the last scored frame's truth (mask pixels) and tip error, for the dump
        private boolean truthHasNeedle;
        private float truthX;
        private float truthY;
        private double lastError;
        private final ArrayNode skipped;
        private final ArrayNode dumped;
        private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        private final SignificantBits significantBits = new SignificantBits(); // 16-bit images: the bits they use
        private int sixteenBitImages;
        private int sixteenBitDepth;
        private int otherAspect; // masks and label maps of another aspect than their image
        private String firstOtherAspect = "";

        Run(Options o, ModelSpec spec, InferenceBackend backend, Map<String, List<Integer>> classes) {
            this.o = o;
            this.spec = spec;
            this.backend = backend;
            this.classes = classes;
            this.colours = classes.values().stream().flatMap(List::stream).anyMatch(Evaluator::isColour);
            int k = 0;
            for (Map.Entry<String, List<Integer>> e : classes.entrySet()) { // colours: 1, 2, ... in the order given
                codes.put(e.getKey(), colours ? ++k : e.getValue().get(0));
                truthValues.put(e.getKey(), e.getValue().stream().mapToInt(x -> x & 0xFFFFFF).toArray()); // 24 bits
            }
            this.pre = new Preprocessor(spec);
            this.row = new TensorRow(spec, backend.inputRow(0, 0));
            this.probs = new float[spec.outputRowFloats()];
            this.uncropper = spec.cropsToContent() ? new ContentUncropper(spec.width(), spec.height()) : null;
            this.raw = new float[spec.outputRowFloats()];
            this.plane = spec.width() * spec.height();
            this.instrument = spec.roles().instrument();
            classes.keySet().forEach(c -> segmentation.put(c, new double[3]));
            this.sequence = o.sequence() ? new SequenceReplay(spec, backend, o.fps()) : null;
            this.decoder = o.sequence() ? null : new OutputDecoder(spec, new InferenceSettings().conclude());
            this.planes = o.sequence() ? null : OutputDecoder.planesOver(spec, backend.outputRow(0, 0));
            this.skipped = json.createArrayNode();
            this.dumped = json.createArrayNode();
        }

        ObjectNode evaluate() throws IOException {
            List<Path> files;
            try (Stream<Path> s = Files.list(o.images())) {
                files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString(), NaturalOrder.NAMES)).toList();
            }
            files = withoutMasks(files);
            int frames = 0;
            List<String> evaluated = new ArrayList<>();
            for (Path f : files) {
                if (frame(f)) {
                    frames++;
                    evaluated.add(f.getFileName().toString());
                }
            }
            if (frames == 0) {
                throw new IllegalArgumentException(nothingEvaluated(files));
            }
            ObjectNode report = json.createObjectNode();
            ObjectNode model = report.putObject("model");
            model.put("name", spec.name());
            model.put("version", spec.version());
            model.put("location", backend.location());
            model.put("device", backend.device());
            report.put("frames", frames);
            if (sixteenBitImages > 0) { // read by the bits they use: a 12-bit export is not taken as nearly black
                ObjectNode wide = report.putObject("sixteen_bit_images");
                wide.put("images", sixteenBitImages);
                wide.put("read_as_bits", sixteenBitDepth);
            }
            if (otherAspect > 0) { // scaled to the frame as if they covered it: maybe wrong, so said
                ObjectNode other = report.putObject("masks_of_another_aspect");
                other.put("count", otherAspect);
                other.put("first", firstOtherAspect);
            }
            if (masksBeside > 0) { // in the images' folder, read as masks or label maps, not evaluated as images
                report.put("masks_beside_images", masksBeside);
            }
            report.put("sequence", o.sequence());
            if (o.sequence()) {
                report.put("fps", o.fps());
                report.put("scene_cuts", sequence.sceneCuts()); // frames that restarted the tracks: another scene
                long step = numberStep(evaluated);
                if (step > 1) { // every k-th frame of a video: the tracker's time step is k frames of it, not one
                    report.put("frame_number_step", step);
                }
            }
            for (Map.Entry<String, double[]> e : segmentation.entrySet()) {
                ObjectNode c = report.putObject(e.getKey());
                double[] acc = e.getValue();
                putMean(c, "dice", acc[0], acc[2]);
                putMean(c, "iou", acc[1], acc[2]);
                c.put("frames", (int) acc[2]);
                putValues(c, "value", classes.get(e.getKey()));
            }
            if (o.needleMasks() != null) {
                ObjectNode n = report.putObject("needle");
                n.put("frames_with_needle", needleFrames);
                n.put("frames_without_needle", cleanFrames);
                // images fed but not scored: no mask found for them (a naming mismatch when it is all of them)
                n.put("frames_without_mask", needleUnmatched);
                if (needleUnmatched > 0) {
                    n.put("mask_looked_for", firstUnmatched);
                }
                putMean(n, "detection_rate", needleDetected, needleFrames);
                putMean(n, "false_positive_rate", cleanFalsePositives, cleanFrames);
                putMean(n, "confident_detection_rate", needleConfident, needleFrames);
                putMean(n, "confident_false_positive_rate", cleanConfident, cleanFrames);
                n.put("low_confidence_below", Annotations.LOW_CONFIDENCE);
                putErrors(n.putObject("tip_error_px"), tipErrors);
                putErrors(n.putObject("confident_tip_error_px"), confidentTipErrors);
                ObjectNode within = n.putObject("within");
                within.put("px", o.withinPx());
                putMean(within, "detection_rate", atMost(tipErrors, o.withinPx()), needleFrames);
                putMean(within, "confident_detection_rate", atMost(confidentTipErrors, o.withinPx()), needleFrames);
            }
            ObjectNode ms = report.putObject("inference_ms");
            double[] times = inferenceMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            putNumber(ms, "median", percentile(times, 0.5));
            putNumber(ms, "p90", percentile(times, 0.9));
            report.set("skipped", skipped);
            if (o.report() != null) {
                if (o.report().getParent() != null) {
                    Files.createDirectories(o.report().getParent());
                }
                json.writeValue(o.report().toFile(), report);
            }
            if (o.dump() != null) {
                ObjectNode d = json.createObjectNode();
                d.put("model", spec.name() + " " + spec.version());
                ObjectNode cls = d.putObject("classes");
                classes.forEach((c, v) -> putValues(cls, c, v));
                ObjectNode th = d.putObject("thresholds");
                classes.keySet().forEach(c -> th.put(c, spec.threshold(c)));
                d.put("tip_coordinates", "image pixels, pixel centres at whole numbers");
                d.put("tip_low", "tip_confidence below " + Annotations.LOW_CONFIDENCE + ": shown as low confidence, no alerts");
                if (spec.cropsToContent()) {
                    d.put("picture_box", "the content crop's box the model saw, [x0, y0, x1, y1] in image pixels (ends "
                            + "exclusive); the whole image when no picture was found");
                }
                d.put("sequence", o.sequence());
                d.set("frames", dumped);
                json.writeValue(o.dump().resolve("predictions.json").toFile(), d);
            }
            return report;
        }

        /**
         * The files less those that are another file's mask or label map, where the masks or label maps lie in the
         * images' own folder (a dataset's {@code a.png} beside {@code a_mask.png}): fed to the model as frames they
         * would be counted as such and, in a sequence, cut it into scenes at every mask.
         */
        private List<Path> withoutMasks(List<Path> files) throws IOException {
            boolean labelsBeside = o.labels() != null && Files.isSameFile(o.labels(), o.images());
            boolean needlesBeside = o.needleMasks() != null && Files.isSameFile(o.needleMasks(), o.images());
            if (!labelsBeside && !needlesBeside) {
                return files;
            }
            Set<Path> masks = new HashSet<>();
            for (Path f : files) {
                String b = base(f.getFileName().toString());
                Path l = labelsBeside ? LabelRaster.match(o.labels(), b, false, f) : null;
                Path n = needlesBeside ? LabelRaster.match(o.needleMasks(), b, true, f) : null;
                if (l != null) {
                    masks.add(l.getFileName());
                }
                if (n != null) {
                    masks.add(n.getFileName());
                }
            }
            masksBeside = masks.size();
            return files.stream().filter(f -> !masks.contains(f.getFileName())).toList();
        }

        private static String base(String name) {
            return name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        }

        /**
         * An image in the model's channels, 8 bits: a 16-bit one by the bits it uses ({@link SignificantBits}, as
         * the image-folder source reads it), any other depth as OpenCV reads it as 8 bits.
         */
        private Mat read(Path file) {
            int flags = spec.channels() == 1 ? IMREAD_GRAYSCALE : IMREAD_COLOR;
            Mat image = imread(file.toString(), flags | IMREAD_ANYDEPTH);
            if (image == null || image.empty() || image.depth() == CV_8U) {
                return image;
            }
            if (image.depth() != CV_16U) {
                return imread(file.toString(), flags);
            }
            int n = (int) image.total() * image.channels();
            short[] wide = new short[n];
            new ShortPointer(image.data()).get(wide, 0, n);
            int max = 0;
            for (short v : wide) {
                max = Math.max(max, v & 0xFFFF);
            }
            sixteenBitImages++;
            sixteenBitDepth = significantBits.see(max);
            byte[] narrow = new byte[n];
            for (int i = 0; i < n; i++) {
                narrow[i] = significantBits.narrow(wide[i] & 0xFFFF);
            }
            Mat out = new Mat(image.rows(), image.cols(), CV_8UC(image.channels()));
            new BytePointer(out.data()).put(narrow, 0, n);
            return out;
        }

        /**
         * Counts a mask or label map whose aspect differs from its image's by more than 1 %: it is scored as if it
         * covered the whole frame (scaled to it), which is wrong for a mask of a part of it (the picture without its
         * margins), so the report says so rather than scoring it in silence.
         */
        private void otherAspect(String name, Mat image, LabelRaster mask) {
            if (mask == null) {
                return;
            }
            double imageAspect = (double) image.cols() / image.rows();
            double maskAspect = (double) mask.width() / mask.height();
            if (Math.abs(maskAspect / imageAspect - 1) > 0.01 && otherAspect++ == 0) {
                firstOtherAspect = name + ": " + image.cols() + "x" + image.rows() + ", its mask " + mask.width() + "x"
                        + mask.height();
            }
        }

        /** One image; returns whether it was evaluated. */
        private boolean frame(Path file) throws IOException {
            String name = file.getFileName().toString();
            String base = base(name);
            Mat image = read(file);
            if (image == null || image.empty()) {
                skip(name, "not an image OpenCV can read");
                return false;
            }
            LabelRaster labels = null;
            if (o.labels() != null) {
                Path lf = LabelRaster.match(o.labels(), base, false, file);
                if (lf == null) {
                    skip(name, "no label map in " + o.labels() + " (looked for " + LabelRaster.lookedFor(base, false)
                            + ")");
                    return false;
                }
                labels = LabelRaster.read(lf, colours);
                if (labels == null) {
                    skip(name, "label map " + lf + " cannot be read");
                    return false;
                }
            }
            LabelRaster needleMask = null;
            if (o.needleMasks() != null) {
                Path nf = LabelRaster.match(o.needleMasks(), base, true, file);
                if (nf == null) {
                    if (needleUnmatched++ == 0) {
                        firstUnmatched = LabelRaster.lookedFor(base, true);
                    }
                } else {
                    needleMask = LabelRaster.read(nf);
                    if (needleMask == null) {
                        skip(name, "needle mask " + nf + " cannot be read");
                        return false;
                    }
                }
            }

            otherAspect(name, image, labels);
            otherAspect(name, image, needleMask);
            pre.toTensor(image, row);
            long t0 = System.nanoTime();
            try {
                backend.run(0, 1);
            } catch (InferenceException e) {
                skip(name, e.getMessage());
                return false;
            }
            inferenceMs.add((System.nanoTime() - t0) / 1e6);
            backend.outputRow(0, 0).get(probs, 0, probs.length); // the native outputs
            boolean cropped = uncropper != null && !row.box().isWhole();
            if (cropped) { // the label map reads the native outputs: put them into the frame's grid there
                System.arraycopy(probs, 0, raw, 0, raw.length);
                uncropper.uncrop(raw, spec.outputChannelCount(), row.box());
                backend.outputRow(0, 0).put(raw, 0, raw.length);
            }

            int w = labels != null ? labels.width() : image.cols();
            int h = labels != null ? labels.height() : image.rows();
            byte[] predicted = labelMap(w, h);
            if (labels != null) {
                score(predicted, colours ? labels.rgb() : labels.values());
            }

            GreyPixels frame = pixels.wrap(new BytePointer(image.data()).capacity(image.step1() * image.rows()).asBuffer(),
                    image.cols(), image.rows(), (int) image.step1(), image.channels());
            backend.outputRow(0, 0).put(probs, 0, probs.length); // the live decoder starts from the native outputs
            boolean found;
            float tipX;
            float tipY;
            float confidence;
            if (sequence != null) { // the tip the overlay would show, after the tracker
                found = sequence.step(backend.inputRow(0, 0), row.box(), backend.outputRow(0, 0), image.cols(), image.rows(),
                        frame);
                tipX = found ? sequence.tipX : Float.NaN;
                tipY = found ? sequence.tipY : Float.NaN;
                confidence = found ? sequence.confidence : 0;
            } else { // the live decoder's instrument for this frame alone (no zone smoothing, no tracker)
                decoded.clear();
                found = decoder.decode(backend.inputRow(0, 0), row.box(), backend.outputRow(0, 0), planes, decoded,
                        image.cols(), image.rows(), false, null, frame);
                InstrumentDetection d = decoder.instrument();
                tipX = found ? d.tipX : Float.NaN;
                tipY = found ? d.tipY : Float.NaN;
                confidence = found ? d.confidence : 0;
            }
            boolean confident = found && confidence >= Annotations.LOW_CONFIDENCE;
            if (needleMask != null) {
                needle(needleMask, found, confident, tipX * needleMask.width() / image.cols(),
                        tipY * needleMask.height() / image.rows());
            }
            if (o.dump() != null) {
                Mat out = colours ? colourLabelMap(predicted, w, h) : new Mat(h, w, CV_8UC1);
                if (!colours) {
                    new BytePointer(out.data()).put(predicted, 0, predicted.length);
                }
                if (!imwrite(o.dump().resolve(base + ".png").toString(), out)) {
                    throw new IOException("cannot write " + o.dump().resolve(base + ".png"));
                }
                ObjectNode f = dumped.addObject();
                f.put("image", name);
                f.put("label_map", base + ".png");
                f.put("width", image.cols());
                f.put("height", image.rows());
                if (spec.cropsToContent()) { // what the model saw: scanner graphics in the box stretch the picture
                    ContentBox b = row.box();
                    double sx = (double) image.cols() / b.grid();
                    double sy = (double) image.rows() / b.grid();
                    f.putArray("picture_box").add(Math.round(b.x0() * sx)).add(Math.round(b.y0() * sy))
                            .add(Math.round(b.x1() * sx)).add(Math.round(b.y1() * sy));
                }
                if (found) {
                    f.putArray("tip").add(tipX).add(tipY);
                    if (sequence == null) { // the shaft's other end (a sequence's tip is the tracker's)
                        f.putArray("entry").add(decoder.instrument().entryX).add(decoder.instrument().entryY);
                    }
                    f.put("tip_confidence", confidence);
                    f.put("tip_low", !confident);
                    if (sequence != null) {
                        f.put("track_state", sequence.state);
                        f.put("track_id", sequence.trackId);
                    }
                } else {
                    f.putNull("tip");
                }
                if (needleMask != null) { // what the tip was scored against
                    f.put("needle_in_truth", truthHasNeedle);
                    if (!Float.isNaN(truthX)) {
                        f.putArray("truth_tip").add(truthX * image.cols() / needleMask.width())
                                .add(truthY * image.rows() / needleMask.height());
                    }
                    if (!Double.isNaN(lastError)) {
                        f.put("tip_error_px", lastError);
                    }
                }
                if (sequence != null) {
                    f.put("alerts", sequence.shown.alertCount());
                    f.put("tips_shown", sequence.tipsShown);
                }
            }
            return true;
        }

        /** Why a folder gave no frame: empty, only subfolders (one folder is read), or every file skipped. */
        private String nothingEvaluated(List<Path> files) throws IOException {
            if (!files.isEmpty()) {
                return "--images " + o.images() + ": none of its " + files.size() + " file(s) could be evaluated"
                        + (skipped.isEmpty() ? "" : "; " + skipped.get(0).get("file").asText() + ": "
                        + skipped.get(0).get("reason").asText());
            }
            List<String> folders;
            try (Stream<Path> s = Files.list(o.images())) {
                folders = s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                        .sorted(NaturalOrder.NAMES).limit(3).toList();
            }
            return "--images " + o.images() + " holds no image files" + (folders.isEmpty() ? "" : " (only folders, "
                    + "e.g. " + String.join(", ", folders) + ": evaluate reads the images of one folder, not below it)");
        }

        private void skip(String file, String reason) {
            LOG.warning("evaluate: skipping " + file + ": " + reason);
            ObjectNode s = skipped.addObject();
            s.put("file", file);
            s.put("reason", reason);
        }

        /** The predicted label map at w x h: per pixel the most probable class above its threshold, else 0. */
        private byte[] labelMap(int w, int h) {
            byte[] out = new byte[w * h];
            float[] best = new float[w * h];
            Size size = new Size(w, h);
            for (Map.Entry<String, List<Integer>> e : classes.entrySet()) {
                int c = spec.channel(e.getKey());
                float threshold = (float) spec.threshold(e.getKey());
                Mat src = new Mat(spec.height(), spec.width(), CV_32FC1,
                        NativeMemory.bytes(backend.outputRow(0, 0), (long) c * plane * Float.BYTES, (long) plane * Float.BYTES));
                Mat big = new Mat(h, w, CV_32FC1);
                resize(src, big, size, 0, 0, INTER_LINEAR);
                float[] p = new float[w * h];
                new FloatPointer(big.data()).get(p, 0, p.length);
                byte value = (byte) (int) codes.get(e.getKey());
                for (int i = 0; i < p.length; i++) {
                    if (p[i] > threshold && p[i] > best[i]) {
                        best[i] = p[i];
                        out[i] = value;
                    }
                }
            }
            return out;
        }

        /**
         * A class's label value, or its colour ({@code #ff0000}) with colour classes, under {@code key}; a class of
         * several values (artery and vein both "vessel") as a list of them.
         */
        private void putValues(ObjectNode node, String key, List<Integer> values) {
            if (values.size() > 1) {
                ArrayNode all = node.putArray(key);
                values.forEach(v -> {
                    if (colours) {
                        all.add(describe(v));
                    } else {
                        all.add(v);
                    }
                });
            } else if (colours) {
                node.put(key, describe(values.get(0)));
            } else {
                node.put(key, values.get(0));
            }
        }

        private static boolean isAny(int value, int[] values) {
            for (int v : values) {
                if (value == v) {
                    return true;
                }
            }
            return false;
        }

        /** The predicted label map in the classes' colours (BGR, as OpenCV writes it), black where none. */
        private Mat colourLabelMap(byte[] predicted, int w, int h) {
            byte[] bgr = new byte[w * h * 3];
            int[] colourOf = new int[256];
            classes.forEach((c, v) -> colourOf[codes.get(c)] = v.get(0) & 0xFFFFFF);
            for (int i = 0; i < predicted.length; i++) {
                int rgb = colourOf[predicted[i] & 0xFF];
                bgr[3 * i] = (byte) rgb;
                bgr[3 * i + 1] = (byte) (rgb >> 8);
                bgr[3 * i + 2] = (byte) (rgb >> 16);
            }
            Mat out = new Mat(h, w, CV_8UC3);
            new BytePointer(out.data()).put(bgr, 0, bgr.length);
            return out;
        }

        /** {@code truth}: the label map's values, or with colour classes its colours ({@code 0xRRGGBB}). */
        private void score(byte[] predicted, int[] truth) {
            for (Map.Entry<String, List<Integer>> e : classes.entrySet()) {
                int[] v = truthValues.get(e.getKey());
                int code = codes.get(e.getKey());
                long inter = 0;
                long a = 0;
                long b = 0;
                for (int i = 0; i < truth.length; i++) {
                    boolean t = isAny(truth[i], v);
                    boolean p = (predicted[i] & 0xFF) == code;
                    a += t ? 1 : 0;
                    b += p ? 1 : 0;
                    inter += t && p ? 1 : 0;
                }
                if (a + b == 0) {
                    continue; // absent from both: not counted
                }
                double[] acc = segmentation.get(e.getKey());
                acc[0] += 2.0 * inter / (a + b);
                acc[1] += (double) inter / (a + b - inter);
                acc[2]++;
            }
        }

        /**
         * Scores one frame's tip against its mask; leaves the truth's tip (mask pixels, NaN when the mask has no
         * needle or none could be located) and the tip's error (NaN without a tip or a truth) for the dump.
         */
        private void needle(LabelRaster mask, boolean found, boolean confident, float px, float py) {
            truthX = Float.NaN;
            truthY = Float.NaN;
            lastError = Double.NaN;
            int w = mask.width();
            int h = mask.height();
            byte[] binary = new byte[w * h];
            boolean any = false;
            for (int i = 0; i < w * h; i++) {
                if (mask.nonZero()[i]) {
                    binary[i] = 1;
                    any = true;
                }
            }
            truthHasNeedle = any;
            if (!any) {
                cleanFrames++;
                cleanFalsePositives += found ? 1 : 0;
                cleanConfident += confident ? 1 : 0;
                return;
            }
            needleFrames++;
            if (found) {
                needleDetected++;
                needleConfident += confident ? 1 : 0;
            }
            // the truth's tip by the live rule of the model's instrument: a curved wire's free end is not where a
            // straight shaft fitted through it ends
            InstrumentDetection truth = new InstrumentDetection();
            Instrument rule = instrument != null ? instrument : Instrument.NEEDLE;
            InstrumentLocator truthLocator = truthLocators.computeIfAbsent(w + "x" + h, k -> rule.locator(w, h));
            truthLocator.picture(row.box()); // the tip's end is judged from the picture's borders, as the model's
            boolean located = truthLocator.locateInMask(binary, truth);
            if (located) {
                truthX = truth.tipX;
                truthY = truth.tipY;
            }
            if (found && located) {
                double e = Math.hypot(px - truth.tipX, py - truth.tipY);
                lastError = e;
                tipErrors.add(e);
                if (confident) {
                    confidentTipErrors.add(e);
                }
            }
        }
    }
}
