package org.intravis.ui;

import org.intravis.inference.InferenceSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code intravis analyze --input VIDEO --output DIR [--model NAME] [--models-dir DIR] [--video]}: every frame of a
 * video file, a PLUS sequence ({@code .igs.mha}), an image folder or a recording through a model as fast as the
 * machine allows, with the overlay of every frame as JSON Lines and optionally an annotated video.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Run every frame of a video, sequence, image folder or recording through a model, offline.")
final class AnalyzeCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, paramLabel = "VIDEO",
            description = "A video file, a PLUS .igs.mha/.mhd sequence, a DICOM file (a cine loop), an image folder, "
                    + "a recording folder, or any source URI (plus:, dicom:, images:, file:, recording:, "
                    + "synthetic:...&frames=N).")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Where annotations.jsonl, frames.jsonl, summary.json (and annotated.mp4) go.")
    Path output;

    @Option(names = "--model", description = "Model name or .onnx path (default ultrasound).")
    String model = "ultrasound";

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Look for <name>/<name>.onnx here first (default: the configuration's inference.modelsDir).")
    Path modelsDir;

    @Option(names = "--video", description = "Also write annotated.mp4 with the overlay burned in.")
    boolean video;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Option(names = "--batch", description = "Frames per ONNX Runtime call (default: the configuration's maxBatch, 8).")
    Integer batch;

    @Option(names = "--max-frames", description = "Stop after this many frames (0: all).")
    long maxFrames;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (its inference section applies).")
    Path config;

    @Option(names = "--zone-smoothing", paramLabel = "W",
            description = "Weight of the newest frame in the zones' average over time, (0, 1]; 1: off "
                    + "(default: the configuration's inference.zoneSmoothing, on at 0.5).")
    Double zoneSmoothing;

    @Override
    public Integer call() {
        IntravisConfig cfg = device.applyTo(ConfigLoader.load(config));
        if (modelsDir != null) {
            cfg.inference.modelsDir = modelsDir.toString();
        }
        if (batch != null) {
            cfg.inference.maxBatch = batch;
        }
        cfg.inference.budgetMs = OfflineAnalyzer.OFFLINE_BUDGET_MS;
        if (zoneSmoothing != null) {
            cfg.inference.zoneSmoothing.enabled = true; // a weight of 1 is off; out of (0, 1] is refused
            cfg.inference.zoneSmoothing.weight = zoneSmoothing;
        }
        InferenceSettings settings;
        try {
            // offline nothing has to keep up: every frame gets the full graph (a step down to the cheaper one would
            // depend on how busy the machine was, and two analyses of one video would differ)
            settings = ModuleSettings.inference(cfg).rowsPerStream(cfg.inference.maxBatch).stepDown(false).conclude();
        } catch (IllegalArgumentException e) {
            throw new UserError("inference: " + e.getMessage(), e);
        }
        ProgressBar bar = new ProgressBar(System.out, "analyze", -1);
        OfflineAnalyzer.Result r = new OfflineAnalyzer(OfflineAnalyzer.inputUri(input), output, model, video,
                settings, maxFrames).run(bar::total, bar::update);
        bar.finish();
        System.out.printf(Locale.ROOT, "analyzed %d frames with %s %s on %s in %.1f s (%.1f frames/s), %d without a "
                        + "valid result; annotations in %s%s%n", r.frames(), r.model(), r.version(), r.device(),
                r.seconds(), r.fps(), r.failed(), r.annotations(), r.video() == null ? "" : ", video " + r.video());
        if (!r.inputDamage().isEmpty()) {
            // every frame that could be read was analysed; say what could not, so a short result is not taken whole
            System.err.println("intravis: warning: the input is damaged (" + r.inputDamage() + "); the analysis "
                    + "covers the frames that could be read: frames.jsonl gives each one's time in the input "
                    + "(and its file, for an image folder), summary.json the damage as inputDamage");
        }
        return 0;
    }
}
