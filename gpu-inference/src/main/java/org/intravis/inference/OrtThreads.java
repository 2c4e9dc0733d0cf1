package org.intravis.inference;

/**
 * How many ONNX Runtime threads a live model runs with, and whether they spin between operators.
 *
 * @param intraOp  threads per run (0: ONNX Runtime's default, one per physical core)
 * @param spinning whether idle pool threads spin (ONNX Runtime's default) rather than sleep
 */
public record OrtThreads(int intraOp, boolean spinning) {
    /**
     * The rule for a live model: {@code configured} when set, and on a GPU ONNX Runtime's defaults. For 0 (automatic)
     * on a CPU of at most two logical processors:
     * <ul>
     *   <li>one stream: one thread. The pool's threads spin between operators and took the core the video thread
     *       needs: one 720p30 stream, full graph, video p99 60 -> 42 ms, AI p99 93 -> 82 ms with one thread
     *       (BENCHMARKS.md, "ONNX Runtime's threads"). Two threads that sleep instead still cost that stream's video
     *       p99 (44-46 ms against 35-37, three runs each on the single-pass graph);</li>
     *   <li>several streams: a thread per processor that sleeps instead of spinning. One thread is a ceiling of
     *       about one core for every stream's AI while their encoders take the other and a half: four 720p30
     *       streams published 22.9 overlays/s with one thread and 29.5 with two (encoders at two frames of three;
     *       BENCHMARKS.md, "Four streams on two cores").</li>
     * </ul>
     * Elsewhere ONNX Runtime's default (not measured on a larger CPU). Offline tools ({@code evaluate}, probes) keep
     * ONNX Runtime's default.
     *
     * @param streams the live streams that may run a model
     */
    public static OrtThreads live(int configured, String device, int processors, int streams) {
        if (configured > 0 || !device.startsWith("cpu")) {
            return new OrtThreads(configured, true);
        }
        if (processors > 2) {
            return new OrtThreads(0, true);
        }
        return streams <= 1 ? new OrtThreads(1, true) : new OrtThreads(processors, false);
    }
}
