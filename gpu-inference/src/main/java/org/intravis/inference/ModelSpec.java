package org.intravis.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a model's sidecar JSON declares: its input tensor (name, size, channels, colour, resize rule and
 * normalisation), its output tensor (name, channel names, activation), thresholds per class and for the tip peak,
 * the hash of its training data and its measured metrics (the sidecar's {@code metrics} or {@code validation}).
 * Everything downstream reads sizes and names from here; nothing is hard-coded.
 * <p>
 * Normalisation: a pixel value {@code x} (0..255) becomes {@code (x / scale - mean) / std} when {@code scale > 1}
 * (the usual {@code "scale": 255}), or {@code (x * scale - mean) / std} when {@code scale <= 1}
 * ({@code "scale": 0.00392}). {@code mean} and {@code std} are scalars or one value per channel.
 */
public final class ModelSpec {
    /** Input colour order expected by the network. */
    public enum Colour { GREY, BGR, RGB }

    private final String name;
    private final String version;
    private final String inputName;
    private final int width;
    private final int height;
    private final int channels;
    private final Colour colour;
    private final String interpolation;
    private final double scale;
    private final double[] mean;
    private final double[] std;
    private final double backgroundBelow;
    private final int cropAbove;
    private final int cropGrid;
    private final double cropColumnShare;
    private final int cropGraphicsAbove;
    private final String outputName;
    private final List<String> outputChannels;
    private final ChannelRoles roles;
    private final String activation;
    private final Map<String, Double> thresholds;
    private final double tipPeakThreshold;
    private final String trainingDataHash;
    private final Map<String, Object> metrics;
    private final Fallback fallback;
    /** The sidecar's {@code gflopsPerFrame}; 0 when it does not say. */
    private double gflopsPerFrame;

    /**
     * A cheaper graph of the same model with the same input and output contract (the sidecar's {@code fallback}):
     * what the worker steps down to when it cannot keep up ({@code ModelGovernor}).
     *
     * @param file           the ONNX file, beside the model's own
     * @param variant        its name in the status and the overlay message (e.g. {@code single-pass})
     * @param gflopsPerFrame its cost, 0 when the sidecar does not say
     * @param cpu            the graph to step down to on the CPU instead (the sidecar's {@code fallback.cpu}: an int8
     *                       copy, which the CPU runs with integer convolutions and a GPU would not), or null
     */
    public record Fallback(String file, String variant, double gflopsPerFrame, Fallback cpu) {
        /** The full graph's cost over this one's per frame, from the sidecar's figures; 0 when either is missing. */
        public double costRatio(double fullGflopsPerFrame) {
            return gflopsPerFrame > 0 && fullGflopsPerFrame > 0 ? fullGflopsPerFrame / gflopsPerFrame : 0;
        }

        /** The graph to step down to on this device: the CPU's own where the sidecar names one. */
        public Fallback on(boolean cpuDevice) {
            return cpuDevice && cpu != null ? cpu : this;
        }
    }

    private ModelSpec(String name, String version, String inputName, int width, int height, int channels, Colour colour,
                      String interpolation, double scale, double[] mean, double[] std, double backgroundBelow,
                      int cropAbove, int cropGrid, double cropColumnShare, int cropGraphicsAbove, String outputName,
                      List<String> outputChannels, ChannelRoles roles, String activation, Map<String, Double> thresholds,
                      double tipPeakThreshold, String trainingDataHash, Map<String, Object> metrics,
                      Fallback fallback) {
        this.fallback = fallback;
        this.name = name;
        this.version = version;
        this.inputName = inputName;
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.colour = colour;
        this.interpolation = interpolation;
        this.scale = scale;
        this.mean = mean;
        this.std = std;
        this.backgroundBelow = backgroundBelow;
        this.cropAbove = cropAbove;
        this.cropGrid = cropGrid;
        this.cropColumnShare = cropColumnShare;
        this.cropGraphicsAbove = cropGraphicsAbove;
        this.outputName = outputName;
        this.outputChannels = outputChannels;
        this.roles = roles;
        this.activation = activation;
        this.thresholds = thresholds;
        this.tipPeakThreshold = tipPeakThreshold;
        this.trainingDataHash = trainingDataHash;
        this.metrics = metrics;
    }

    /** Parses a sidecar; {@code where} names the file in error messages. */
    public static ModelSpec parse(byte[] json, String where) throws ModelLoadException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ModelLoadException("sidecar " + where + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException("sidecar " + where + " cannot be read: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException("sidecar " + where + " is not a JSON object");
        }
        String name = text(root, where, "name", null);
        String version = text(root, where, "version", "unversioned");
        JsonNode in = object(root, where, "input");
        String inputName = text(in, where, "input.name", null);
        int width = positiveInt(in, where, "width");
        int height = positiveInt(in, where, "height");
        int channels = in.has("channels") ? positiveInt(in, where, "channels") : 1;
        if (channels != 1 && channels != 3) {
            throw new ModelLoadException("sidecar " + where + ": input.channels must be 1 (grey) or 3 (colour), was " + channels);
        }
        String colourText = text(in, where, "input.colour", channels == 1 ? "grey" : "rgb");
        Colour colour = switch (colourText.toLowerCase(Locale.ROOT)) {
            case "grey", "gray", "mono", "l" -> Colour.GREY;
            case "bgr" -> Colour.BGR;
            case "rgb", "colour", "color" -> Colour.RGB;
            default -> throw new ModelLoadException("sidecar " + where + ": input.colour '" + colourText
                    + "' is not one of grey, rgb, bgr");
        };
        if ((colour == Colour.GREY) != (channels == 1)) {
            throw new ModelLoadException("sidecar " + where + ": input.colour " + colourText + " does not fit "
                    + channels + " channel(s)");
        }
        String resize = text(in, where, "input.resize", "stretch").toLowerCase(Locale.ROOT);
        if (!resize.equals("stretch")) {
            throw new ModelLoadException("sidecar " + where + ": input.resize '" + resize
                    + "' is not supported (only 'stretch': the whole frame resized to the input size)");
        }
        String interpolation = text(in, where, "input.interpolation", "linear").toLowerCase(Locale.ROOT);
        if (!List.of("linear", "area", "nearest", "cubic").contains(interpolation)) {
            throw new ModelLoadException("sidecar " + where + ": input.interpolation '" + interpolation
                    + "' is not one of linear, area, nearest, cubic");
        }
        double scale = in.has("scale") ? in.get("scale").asDouble() : 255.0;
        if (!(scale > 0)) {
            throw new ModelLoadException("sidecar " + where + ": input.scale must be positive");
        }
        double backgroundBelow = in.has("backgroundBelow") ? in.get("backgroundBelow").asDouble() : -1;
        if (in.has("backgroundBelow") && (!(backgroundBelow > 0) || backgroundBelow > 255 || channels != 1)) {
            throw new ModelLoadException("sidecar " + where + ": input.backgroundBelow must be a grey level 1..255"
                    + " (grey models only), was " + in.get("backgroundBelow"));
        }
        int cropAbove = -1;
        int cropGrid = 0;
        double cropColumnShare = 0;
        int cropGraphicsAbove = -1;
        if (in.has("crop")) {
            JsonNode crop = in.get("crop");
            if (!crop.isObject() || !"content".equals(crop.path("to").asText()) || !crop.path("above").canConvertToInt()
                    || !crop.path("grid").canConvertToInt() || channels != 1) {
                throw new ModelLoadException("sidecar " + where + ": input.crop must be {\"to\": \"content\", \"above\": "
                        + "GREY_LEVEL, \"grid\": PIXELS} (grey models only), was " + crop);
            }
            cropAbove = crop.get("above").asInt();
            cropGrid = crop.get("grid").asInt();
            cropColumnShare = crop.path("columnShare").asDouble(0);
            JsonNode graphics = crop.path("graphicsAbove");
            cropGraphicsAbove = graphics.isMissingNode() ? -1 : graphics.canConvertToInt() ? graphics.asInt() : -2;
            if (cropAbove < 0 || cropAbove > 254 || cropGrid < Math.max(width, height) || cropGrid > 4096
                    || !(cropColumnShare >= 0 && cropColumnShare < 1)
                    || !(cropGraphicsAbove == -1 || cropGraphicsAbove >= 0 && cropGraphicsAbove <= 254)) {
                throw new ModelLoadException("sidecar " + where + ": input.crop.above must be a grey level 0..254, "
                        + "input.crop.grid at least the input size and at most 4096, input.crop.columnShare (if given) "
                        + "in [0, 1) and input.crop.graphicsAbove (if given) a grey level 0..254, was " + crop);
            }
        }
        double[] mean = perChannel(in, where, "mean", channels, 0.0);
        double[] std = perChannel(in, where, "std", channels, 1.0);
        for (double s : std) {
            if (!(s > 0)) {
                throw new ModelLoadException("sidecar " + where + ": input.std must be positive");
            }
        }

        JsonNode outs = root.get("outputs");
        if (outs == null || !outs.isArray() || outs.isEmpty()) {
            throw new ModelLoadException("sidecar " + where + ": 'outputs' must be a non-empty array");
        }
        if (outs.size() > 1) {
            throw new ModelLoadException("sidecar " + where + ": exactly one output tensor is supported, "
                    + outs.size() + " declared");
        }
        JsonNode out = outs.get(0);
        String outputName = text(out, where, "outputs[0].name", null);
        List<String> outputChannels = new ArrayList<>();
        JsonNode ch = out.get("channels");
        if (ch != null && ch.isArray()) {
            ch.forEach(c -> outputChannels.add(c.asText().toLowerCase(Locale.ROOT)));
        } else {
            JsonNode classes = out.has("classes") ? out.get("classes") : root.get("classes");
            if (classes == null || !classes.isArray()) {
                throw new ModelLoadException("sidecar " + where
                        + ": outputs[0].channels must list the channel names (e.g. [\"needle\",\"vessel\",\"nerve\",\"tip\"])");
            }
            classes.forEach(c -> outputChannels.add(c.asText().toLowerCase(Locale.ROOT)));
            if (ch != null && ch.isInt() && ch.asInt() != outputChannels.size()) {
                throw new ModelLoadException("sidecar " + where + ": outputs[0].channels=" + ch.asInt() + " but "
                        + outputChannels.size() + " class names are listed");
            }
        }
        if (outputChannels.isEmpty()) {
            throw new ModelLoadException("sidecar " + where + ": outputs[0] declares no channels");
        }
        ChannelRoles roles = ChannelRoles.parse(out, outputChannels, where);
        String activation = text(out, where, "outputs[0].activation", "sigmoid").toLowerCase(Locale.ROOT);
        if (!activation.equals("sigmoid")) {
            throw new ModelLoadException("sidecar " + where + ": outputs[0].activation '" + activation
                    + "' is not supported (the network must output probabilities: 'sigmoid')");
        }

        Map<String, Double> thresholds = new LinkedHashMap<>();
        JsonNode th = root.get("thresholds");
        double tipPeak = 0.3;
        if (th != null && th.isObject()) {
            // per class at the top level ({"vessel": 0.5}) or grouped ({"mask": {"vessel": 0.5}}, as training writes)
            JsonNode perClass = th.has("mask") && th.get("mask").isObject() ? th.get("mask") : th;
            for (String c : outputChannels) {
                if (perClass.has(c) && perClass.get(c).isNumber()) {
                    thresholds.put(c, perClass.get(c).asDouble());
                }
            }
            for (String key : new String[] {"tip_peak", "tipPeak", "tip"}) {
                if (th.has(key) && th.get(key).isNumber()) {
                    tipPeak = th.get(key).asDouble();
                    break;
                }
            }
        }
        for (String c : outputChannels) {
            thresholds.putIfAbsent(c, 0.5);
        }
        String hash = root.has("training_data_hash") ? root.get("training_data_hash").asText()
                : root.has("trainingDataHash") ? root.get("trainingDataHash").asText()
                : root.path("trainingData").path("sha256").asText("");
        Map<String, Object> metrics = new LinkedHashMap<>();
        JsonNode measured = root.has("metrics") ? root.get("metrics") : root.get("validation");
        if (measured != null && measured.isObject()) {
            metrics = new ObjectMapper().convertValue(measured, LinkedHashMap.class);
        }
        ModelSpec spec = new ModelSpec(name, version, inputName, width, height, channels, colour, interpolation, scale, mean, std,
                backgroundBelow, cropAbove, cropGrid, cropColumnShare, cropGraphicsAbove, outputName, Collections.unmodifiableList(outputChannels), roles, activation,
                Collections.unmodifiableMap(thresholds), tipPeak, hash, Collections.unmodifiableMap(metrics),
                fallback(root, where));
        spec.gflopsPerFrame = root.path("gflopsPerFrame").asDouble(0);
        return spec;
    }

    private static Fallback fallback(JsonNode root, String where) throws ModelLoadException {
        JsonNode f = root.get("fallback");
        if (f == null || f.isNull()) {
            return null;
        }
        JsonNode c = f.get("cpu");
        Fallback cpu = c == null || c.isNull() ? null : new Fallback(fallbackFile(c, where, "fallback.cpu.file"),
                c.path("variant").asText("fallback"), c.path("gflopsPerFrame").asDouble(0), null);
        return new Fallback(fallbackFile(f, where, "fallback.file"), f.path("variant").asText("fallback"),
                f.path("gflopsPerFrame").asDouble(0), cpu);
    }

    private static String fallbackFile(JsonNode f, String where, String field) throws ModelLoadException {
        String file = f.path("file").asText("");
        if (!f.isObject() || file.isBlank() || file.contains("/") || file.contains("\\") || !file.endsWith(".onnx")) {
            throw new ModelLoadException(where + ": " + field + " must name an .onnx file beside the model's");
        }
        return file;
    }

    private static JsonNode object(JsonNode n, String where, String field) throws ModelLoadException {
        JsonNode v = n.get(field);
        if (v == null || !v.isObject()) {
            throw new ModelLoadException("sidecar " + where + ": '" + field + "' must be an object");
        }
        return v;
    }

    private static String text(JsonNode n, String where, String path, String fallback) throws ModelLoadException {
        String field = path.substring(path.lastIndexOf('.') + 1);
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || v.asText().isBlank()) {
            if (fallback == null) {
                throw new ModelLoadException("sidecar " + where + ": '" + path + "' is required");
            }
            return fallback;
        }
        return v.asText();
    }

    private static int positiveInt(JsonNode n, String where, String field) throws ModelLoadException {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new ModelLoadException("sidecar " + where + ": input." + field + " must be a positive whole number");
        }
        return v.asInt();
    }

    private static double[] perChannel(JsonNode n, String where, String field, int channels, double fallback)
            throws ModelLoadException {
        double[] out = new double[channels];
        JsonNode v = n.get(field);
        if (v == null) {
            java.util.Arrays.fill(out, fallback);
        } else if (v.isNumber()) {
            java.util.Arrays.fill(out, v.asDouble());
        } else if (v.isArray() && v.size() == channels) {
            for (int c = 0; c < channels; c++) {
                out[c] = v.get(c).asDouble();
            }
        } else {
            throw new ModelLoadException("sidecar " + where + ": input." + field + " must be a number or "
                    + channels + " numbers");
        }
        return out;
    }

    public String name() { return name; }
    public String version() { return version; }
    public String inputName() { return inputName; }
    public int width() { return width; }
    public int height() { return height; }
    public int channels() { return channels; }
    public Colour colour() { return colour; }
    /** OpenCV-style interpolation name used to stretch the frame: linear, area, nearest or cubic. */
    public String interpolation() { return interpolation; }
    public String outputName() { return outputName; }
    public List<String> outputChannels() { return outputChannels; }
    public int outputChannelCount() { return outputChannels.size(); }
    /** What each output channel is for, checked at load. */
    public ChannelRoles roles() { return roles; }
    public String activation() { return activation; }
    public Map<String, Double> thresholds() { return thresholds; }
    public double tipPeakThreshold() { return tipPeakThreshold; }
    public String trainingDataHash() { return trainingDataHash; }
    public Map<String, Object> metrics() { return metrics; }
    /** The cheaper graph to step down to, or null when the model declares none. */
    public Fallback fallback() { return fallback; }
    /** The sidecar's cost per frame in GFLOPs; 0 when it does not say. */
    public double gflopsPerFrame() { return gflopsPerFrame; }

    /** Index of an output channel by name, -1 when the model has no such channel. */
    public int channel(String channelName) {
        return outputChannels.indexOf(channelName);
    }

    public double threshold(String channelName) {
        return thresholds.getOrDefault(channelName, 0.5);
    }

    /** Multiplier taking a 0..255 pixel to the network's 0..1 (or whatever) range before mean/std. */
    public double pixelScale() {
        return scale > 1 ? 1.0 / scale : scale;
    }

    public double mean(int channel) { return mean[channel]; }

    public double std(int channel) { return std[channel]; }

    /**
     * Grey level (0..255) below which pixels connected to the picture's border are not image (outside a sector,
     * margins) and the outputs there are cleared ({@link ScanRegion}); negative: not used by this model.
     */
    public double backgroundBelow() { return backgroundBelow; }

    /**
     * Whether the input is the frame's content box rather than the whole frame ({@code input.crop}; see
     * {@link ContentBox}).
     */
    public boolean cropsToContent() { return cropAbove >= 0; }

    /** The grey level above which a pixel is picture, for the content crop. */
    public int cropAbove() { return cropAbove; }

    /**
     * For the content crop: the share of the fullest column's picture pixels a column needs to count as picture
     * ({@code input.crop.columnShare}), so that sparse scanner graphics in the margins stay out of the box; 0 (the
     * default, sidecars before 1.2.1) keeps every column with a picture pixel. See {@link ContentBox}.
     */
    public double cropColumnShare() { return cropColumnShare; }

    /**
     * For the content crop: the grey level above which a run of rows at the picture's top or bottom edge, apart from
     * it and thin, is a scanner's title bar or toolbar and stays out of the box ({@code input.crop.graphicsAbove});
     * -1 (the default, sidecars before 1.2.2) keeps every row with a picture pixel. See {@link ContentBox}.
     */
    public int cropGraphicsAbove() { return cropGraphicsAbove; }

    /** The side of the square grid the frame is stretched to before the content box is cut out. */
    public int cropGrid() { return cropGrid; }

    /** {@link #backgroundBelow()} in the units of the input tensor (after scale, mean and std). */
    public float backgroundBelowNormalised() {
        return (float) ((backgroundBelow * pixelScale() - mean[0]) / std[0]);
    }

    /** Floats in one input row: channels x height x width. */
    public int inputRowFloats() {
        return channels * width * height;
    }

    /** Floats in one output row: output channels x height x width (the output has the input's size). */
    public int outputRowFloats() {
        return outputChannels.size() * width * height;
    }

    @Override
    public String toString() {
        return name + " " + version + " (" + inputName + " [N," + channels + "," + height + "," + width + "] -> "
                + outputName + " " + outputChannels + ")";
    }
}
