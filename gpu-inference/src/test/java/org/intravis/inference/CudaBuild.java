package org.intravis.inference;

import org.intravis.inference.onnx.OnnxBackend;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a test of the CUDA path may expect, by what the build and the machine have: the CUDA provider is in the
 * build's ONNX Runtime natives only with {@code -Pgpu} (the build passes its natives' classifier as
 * {@code intravis.onnxruntime.classifier}), and it can start only where an NVIDIA device is visible.
 */
public final class CudaBuild {
    private CudaBuild() {
    }

    /** Whether the build asked for the CUDA natives (-Pgpu). */
    public static boolean expected() {
        return System.getProperty("intravis.onnxruntime.classifier", "").endsWith("-gpu");
    }

    /** Whether the ONNX Runtime natives loaded have the CUDA provider. */
    public static boolean present() {
        return OnnxBackend.availableProviders().contains(OnnxBackend.CUDA_PROVIDER);
    }

    /** Whether CUDA can start here: the CUDA build, a device node, and no CUDA_VISIBLE_DEVICES hiding every device. */
    public static boolean usable() {
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        return present() && Files.exists(Path.of("/dev/nvidiactl"))
                && (visible == null || !(visible.isBlank() || visible.trim().startsWith("-")));
    }
}
