package org.intravis.inference.triton;

import org.intravis.inference.BackendFactory;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.pipeline.DurableFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes models into a Triton model repository, one folder per model:
 * <pre>
 *   DIR/NAME/config.pbtxt      the {@link TritonModelConfig}
 *   DIR/NAME/1/model.onnx      the network, byte for byte as intravis runs it
 *   DIR/NAME/MODEL_CARD.md     its model card, when it has one (Triton ignores it; the people running it should not)
 * </pre>
 * A model goes in only after ONNX Runtime has loaded it and found the sidecar's input and output (names, float32,
 * shapes) in the network, and a dynamic batch axis: Triton would otherwise refuse the config, or worse, serve
 * tensors the edge reads as something else. Each file is written beside its place and moved there, so a
 * failed export leaves a model's earlier files whole.
 */
public final class TritonRepository {
    /** The one model version an export writes: Triton versions are integers, the model's own is in the config. */
    public static final String VERSION = "1";

    private final Path dir;
    private final TritonModelConfig config;

    public TritonRepository(Path dir, TritonModelConfig config) {
        this.dir = dir;
        this.config = config;
    }

    /** Checks {@code source} and writes it; returns its folder. */
    public Path write(ModelSource source) throws ModelLoadException, IOException {
        // one CPU row set for maxBatch rows: loading it checks the sidecar against the network
        try (InferenceBackend backend = BackendFactory.open(source,
                new BackendOptions("cpu", config.maxBatch(), 1, 1))) {
            if (backend.maxBatch() < config.maxBatch()) {
                throw new ModelLoadException("model '" + source.name() + "' (" + source.location()
                        + "): the network's batch axis is fixed at " + backend.maxBatch()
                        + "; Triton's dynamic batching needs it dynamic (export it with a dynamic batch axis)");
            }
        }
        String name = source.name();
        Path model = dir.resolve(name);
        Files.createDirectories(model.resolve(VERSION));
        DurableFiles.replace(model.resolve(VERSION).resolve("model.onnx"), source.onnx());
        String provenance = "written by intravis export-model from model '" + name + "' " + source.spec().version()
                + "\nonnx sha256 " + source.sha256() + " (" + source.location() + ")";
        DurableFiles.replace(model.resolve("config.pbtxt"),
                config.text(name, source.spec(), provenance).getBytes(StandardCharsets.UTF_8));
        byte[] card = modelCard(source);
        if (card != null) {
            DurableFiles.replace(model.resolve("MODEL_CARD.md"), card);
        }
        return model;
    }

    /** The card beside the model's ONNX file (bundled or on disk), or null without one. */
    private static byte[] modelCard(ModelSource source) throws IOException {
        String location = source.location();
        if (location.startsWith("classpath:")) {
            String resource = location.substring("classpath:".length());
            String card = resource.substring(0, resource.lastIndexOf('/') + 1) + "MODEL_CARD.md";
            try (InputStream in = TritonRepository.class.getResourceAsStream(card)) {
                return in == null ? null : in.readAllBytes();
            }
        }
        Path card = Path.of(location).resolveSibling("MODEL_CARD.md");
        return Files.isRegularFile(card) ? Files.readAllBytes(card) : null;
    }

}
