package org.intravis.inference;

import java.util.Locale;

/**
 * How ONNX Runtime's CUDA provider picks cuDNN convolution algorithms for a new input shape
 * ({@code cudnn_conv_algo_search}): {@link #EXHAUSTIVE} benchmarks them (ONNX Runtime's default; slow the first
 * time a shape is seen, which the warm-up absorbs), {@link #HEURISTIC} asks cuDNN's heuristics (cheap per shape),
 * {@link #DEFAULT} takes one fixed algorithm. Ignored on the CPU.
 */
public enum ConvAlgoSearch {
    EXHAUSTIVE(0), HEURISTIC(1), DEFAULT(2);

    /** ONNX Runtime's {@code OrtCudnnConvAlgoSearch} value. */
    public final int ort;

    ConvAlgoSearch(int ort) {
        this.ort = ort;
    }

    public static ConvAlgoSearch parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cuDNN algorithm search must be exhaustive, heuristic or default, was '"
                    + s + "'");
        }
    }
}
