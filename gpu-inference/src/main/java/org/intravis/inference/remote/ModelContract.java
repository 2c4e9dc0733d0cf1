package org.intravis.inference.remote;

import inference.GrpcService.ModelMetadataResponse;
import inference.GrpcService.ModelMetadataResponse.TensorMetadata;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * A model's tensors as its sidecar declares them, in the protocol's terms: one FP32 input {@code [-1, C, H, W]} and
 * one FP32 output {@code [-1, channels, H, W]} (-1: any batch). The node answers ModelMetadata with it; the edge
 * checks a server's answer against it before sending a frame, so a server holding another model (or another
 * version's shapes) is a clear error at start rather than nonsense overlays.
 */
public final class ModelContract {
    private ModelContract() {
    }

    public static long[] inputShape(ModelSpec spec) {
        return new long[] {-1, spec.channels(), spec.height(), spec.width()};
    }

    public static long[] outputShape(ModelSpec spec) {
        return new long[] {-1, spec.outputChannelCount(), spec.height(), spec.width()};
    }

    /** The ModelMetadata answer for a model served under {@code name}. */
    public static ModelMetadataResponse metadata(String name, ModelSpec spec, String platform) {
        return ModelMetadataResponse.newBuilder()
                .setName(name)
                .addVersions(spec.version())
                .setPlatform(platform)
                .addInputs(tensor(spec.inputName(), inputShape(spec)))
                .addOutputs(tensor(spec.outputName(), outputShape(spec)))
                .build();
    }

    private static TensorMetadata tensor(String name, long[] shape) {
        TensorMetadata.Builder b = TensorMetadata.newBuilder().setName(name).setDatatype(InferenceProtocol.FP32);
        for (long d : shape) {
            b.addShape(d);
        }
        return b.build();
    }

    /**
     * Checks a server's metadata against the sidecar; every difference is named in one {@link ModelLoadException}
     * (the tensor, what the server says, what the sidecar declares).
     */
    public static void check(ModelSpec spec, String url, ModelMetadataResponse m) throws ModelLoadException {
        List<String> problems = new ArrayList<>();
        compare(problems, "input", spec.inputName(), InferenceProtocol.FP32, inputShape(spec), m.getInputsList());
        compare(problems, "output", spec.outputName(), InferenceProtocol.FP32, outputShape(spec), m.getOutputsList());
        if (!problems.isEmpty()) {
            throw new ModelLoadException("model '" + m.getName() + "' on " + url + " does not match the sidecar of '"
                    + spec.name() + "' " + spec.version() + ": " + String.join("; ", problems));
        }
    }

    private static void compare(List<String> problems, String kind, String name, String datatype, long[] shape,
                                List<TensorMetadata> offered) {
        TensorMetadata t = offered.stream().filter(x -> x.getName().equals(name)).findFirst().orElse(null);
        if (t == null) {
            List<String> names = offered.stream().map(TensorMetadata::getName).toList();
            problems.add(kind + " '" + name + "' is not among the server's " + kind + "s " + names);
            return;
        }
        if (offered.size() != 1) {
            problems.add("the server's model has " + offered.size() + " " + kind + "s; exactly one is supported");
        }
        if (!t.getDatatype().equals(datatype)) {
            problems.add(kind + " '" + name + "' is " + t.getDatatype() + ", not " + datatype);
        }
        boolean ok = t.getShapeCount() == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            long d = t.getShape(i);
            ok = shape[i] < 0 || d < 0 || d == shape[i];
        }
        if (!ok) {
            problems.add(kind + " '" + name + "' has shape " + t.getShapeList() + " but the sidecar declares "
                    + show(shape));
        }
    }

    private static String show(long[] shape) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i] < 0 ? "-1" : Long.toString(shape[i]));
        }
        return s.append(']').toString();
    }
}
