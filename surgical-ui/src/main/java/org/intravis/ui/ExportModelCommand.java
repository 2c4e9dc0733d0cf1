package org.intravis.ui;

import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.inference.triton.TritonModelConfig;
import org.intravis.inference.triton.TritonRepository;
import org.intravis.pipeline.Modality;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code intravis export-model --triton DIR}: writes models as a Triton model repository, for sites that serve
 * inference with NVIDIA Triton rather than with intravis nodes (docs/deploy.md).
 */
@Command(name = "export-model", mixinStandardHelpOptions = true,
        description = "Write models as a Triton model repository: DIR/NAME/config.pbtxt and DIR/NAME/1/model.onnx.")
final class ExportModelCommand implements Callable<Integer> {
    @Option(names = "--triton", required = true, paramLabel = "DIR",
            description = "The model repository to write into (created if missing; a model's earlier files are replaced).")
    Path triton;

    @Option(names = "--model", paramLabel = "NAME|PATH.onnx",
            description = "A model to export (repeatable; default: the model of every modality that has one).")
    List<String> models = new ArrayList<>();

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Look for <name>/<name>.onnx here first.")
    Path modelsDir;

    @Option(names = "--max-batch", paramLabel = "N", description = "max_batch_size (default: ${DEFAULT-VALUE}).")
    int maxBatch = 8;

    @Option(names = "--max-queue-delay-us", paramLabel = "US",
            description = "dynamic_batching.max_queue_delay_microseconds: how long Triton may hold a request to join "
                    + "it with others (default: ${DEFAULT-VALUE}).")
    long maxQueueDelayMicros = 1000;

    @Option(names = "--instances", paramLabel = "N",
            description = "instance_group count: copies of each model per device (default: ${DEFAULT-VALUE}).")
    int instances = 1;

    @Option(names = "--instance-kind", paramLabel = "gpu|cpu", description = "instance_group kind (default: ${DEFAULT-VALUE}).")
    String kind = "gpu";

    PrintStream out = System.out;

    @Override
    public Integer call() {
        TritonRepository repository;
        try {
            repository = new TritonRepository(triton, new TritonModelConfig(maxBatch, maxQueueDelayMicros, instances,
                    TritonModelConfig.Kind.parse(kind)));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        for (ModelSource source : sources()) {
            try {
                Path written = repository.write(source);
                out.println(source.name() + " " + source.spec().version() + " -> " + written);
            } catch (ModelLoadException e) {
                throw new UserError(e.getMessage(), e);
            } catch (IOException e) {
                throw new UserError("cannot write the Triton repository " + triton.toAbsolutePath() + ": " + e, e);
            }
        }
        out.flush();
        return 0;
    }

    private List<ModelSource> sources() {
        List<ModelSource> found = new ArrayList<>();
        try {
            for (String name : models) {
                found.add(ModelSource.locate(name, modelsDir));
            }
            if (models.isEmpty()) {
                for (Modality m : Modality.values()) {
                    if (m != Modality.UNKNOWN && exists(ModelSource.defaultFor(m))) {
                        found.add(ModelSource.locate(ModelSource.defaultFor(m), modelsDir));
                    }
                }
            }
        } catch (ModelLoadException e) {
            throw new UserError(e.getMessage(), e);
        }
        return found;
    }

    private boolean exists(String name) {
        try {
            ModelSource.locate(name, modelsDir);
            return true;
        } catch (ModelLoadException e) {
            return false;
        }
    }
}
