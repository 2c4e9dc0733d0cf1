package org.intravis.inference.onnx;

import org.intravis.inference.BackendFactory;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.ModelSource;

/**
 * Run in a child JVM by {@link OnnxBackendTest} with an environment the test arranges (CUDA_VISIBLE_DEVICES=-1:
 * no device for the CUDA build to start on): loads the stand-in model asking for CUDA, runs it once, and prints
 * {@code device=...} and {@code note=...} for the test to read.
 */
public final class CudaFallbackProbe {
    private CudaFallbackProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (InferenceBackend backend = BackendFactory.open(ModelSource.locate("standin-ultrasound", null),
                new BackendOptions("cuda", 1, 1, 1))) {
            backend.run(0, 1);
            System.out.println("device=" + backend.device());
            System.out.println("note=" + backend.deviceNote());
        }
    }
}
