package org.intravis.inference.triton;

import org.intravis.inference.ModelSpec;

import java.util.Locale;

/**
 * A model's {@code config.pbtxt} for NVIDIA Triton's ONNX Runtime backend, in protobuf text format (the message is
 * {@code inference.ModelConfig} of Triton's {@code model_config.proto}).
 * <p>
 * The tensors come from the sidecar, which {@link TritonRepository} has already checked against the network: one
 * float32 input {@code [channels, height, width]} and one float32 output {@code [outputChannels, height, width]}
 * per batch row. With {@code max_batch_size > 0} Triton adds the batch axis itself, so the dims leave it out.
 * Dynamic batching lets Triton join the batches of several edge nodes into one call: each edge has already batched
 * its own streams within their budget, so the queue delay Triton may add is kept small.
 *
 * @param maxBatch           {@code max_batch_size}: rows of the largest batch Triton forms
 * @param maxQueueDelayMicros {@code dynamic_batching.max_queue_delay_microseconds}: how long a request may wait to
 *                            be joined by others
 * @param instances          {@code instance_group.count}: copies of the model per device
 * @param kind               where the copies run
 */
public record TritonModelConfig(int maxBatch, long maxQueueDelayMicros, int instances, Kind kind) {

    /** Triton's {@code ModelInstanceGroup.Kind} values this export writes. */
    public enum Kind {
        GPU("KIND_GPU"), CPU("KIND_CPU");

        final String proto;

        Kind(String proto) {
            this.proto = proto;
        }

        /** {@code gpu} or {@code cpu}, as the command line takes it. */
        public static Kind parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "gpu" -> GPU;
                case "cpu" -> CPU;
                default -> throw new IllegalArgumentException("instance kind '" + text + "' is not gpu or cpu");
            };
        }
    }

    /** Triton's platform name for an ONNX model served by its ONNX Runtime backend. */
    public static final String PLATFORM = "onnxruntime_onnx";

    public TritonModelConfig {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1, was " + maxBatch);
        }
        if (maxQueueDelayMicros < 0) {
            throw new IllegalArgumentException("max queue delay must be 0 or more microseconds, was " + maxQueueDelayMicros);
        }
        if (instances < 1) {
            throw new IllegalArgumentException("instances must be at least 1, was " + instances);
        }
        if (kind == null) {
            throw new IllegalArgumentException("no instance kind");
        }
    }

    /** The text of {@code config.pbtxt} for {@code spec}, served as Triton model {@code name}. */
    public String text(String name, ModelSpec spec, String provenance) {
        StringBuilder b = new StringBuilder();
        for (String line : provenance.split("\n")) {
            b.append("# ").append(line).append('\n');
        }
        b.append("name: \"").append(escape(name)).append("\"\n");
        b.append("platform: \"").append(PLATFORM).append("\"\n");
        b.append("max_batch_size: ").append(maxBatch).append('\n');
        b.append("version_policy: { latest: { num_versions: 1 } }\n");
        tensor(b, "input", spec.inputName(), spec.channels(), spec.height(), spec.width());
        tensor(b, "output", spec.outputName(), spec.outputChannelCount(), spec.height(), spec.width());
        b.append("dynamic_batching {\n");
        b.append("  max_queue_delay_microseconds: ").append(maxQueueDelayMicros).append('\n');
        b.append("}\n");
        b.append("instance_group [\n");
        b.append("  {\n    count: ").append(instances).append("\n    kind: ").append(kind.proto).append("\n  }\n");
        b.append("]\n");
        return b.toString();
    }

    private static void tensor(StringBuilder b, String field, String name, int channels, int height, int width) {
        b.append(field).append(" [\n");
        b.append("  {\n");
        b.append("    name: \"").append(escape(name)).append("\"\n");
        b.append("    data_type: TYPE_FP32\n");
        b.append("    dims: [ ").append(channels).append(", ").append(height).append(", ").append(width).append(" ]\n");
        b.append("  }\n");
        b.append("]\n");
    }

    /** A protobuf text-format string literal's content. */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
