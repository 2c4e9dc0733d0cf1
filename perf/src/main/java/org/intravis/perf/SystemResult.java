package org.intravis.perf;

import org.HdrHistogram.Histogram;

import java.util.Map;

/**
 * What one system did over the measured interval (after warm-up).
 *
 * @param name             {@code ours} or {@code baseline}
 * @param deviceUsed       where the model ran
 * @param note             a CUDA fallback or a model that failed to load, else empty
 * @param governors        where the load governors ended (graph, encoder rate step, steps taken), else empty
 * @param seconds          length of the measured interval
 * @param framesDue        frames the sources' clocks produced in the interval (offered load)
 * @param videoReceived    video messages the clients received (per client, summed over streams; divided by the
 *                         clients per stream)
 * @param overlaysValid    VALID overlay messages received (likewise)
 * @param overlaysFailed   FAILED overlay messages received (the model failed, or never loaded)
 * @param videoBytes       bytes of video messages received
 * @param video            scheduled capture to video message received, µs
 * @param overlay          scheduled capture (of the frame the overlay describes) to overlay received, µs
 * @param stages           per-stage latency, µs: scheduled_to_captured first, then the system's own stages
 * @param counters         deltas over the interval: frames in, every drop and skip by cause
 * @param allocationByRole heap bytes allocated over the interval by the frame-carrying threads, by role
 * @param gc               collections, their total ms, the longest ms
 * @param cpuCores         CPU used over the interval in cores, the whole process and by thread role
 * @param batchSizes       ONNX Runtime calls per batch size over the interval (pipeline only)
 * @param loadStart        load average at the start of the interval
 * @param loadEnd          load average at its end
 */
record SystemResult(String name, String deviceUsed, String note, String governors, double seconds, long framesDue, long videoReceived,
                    long overlaysValid, long overlaysFailed, long videoBytes, Histogram video, Histogram overlay,
                    Map<String, Histogram> stages, Map<String, Long> counters, Map<String, Long> allocationByRole,
                    long[] gc, Map<String, Double> cpuCores, Map<Integer, Long> batchSizes, String loadStart, String loadEnd) {

    /** Video frames delivered per second (all streams). */
    double throughputFps() {
        return videoReceived / seconds;
    }

    /** Overlays (VALID or FAILED) delivered per second (all streams). */
    double aiFps() {
        return (overlaysValid + overlaysFailed) / seconds;
    }

    /** Frames that entered the system during the interval (read from the sources). */
    long framesIn() {
        return counters.getOrDefault("frames_in", 0L) + counters.getOrDefault("dropped_ring_full", 0L);
    }

    /** Heap bytes allocated per frame read, by the frame-carrying threads together; -1 when unknown. */
    double allocBytesPerFrame() {
        long total = 0;
        for (long v : allocationByRole.values()) {
            if (v < 0) {
                return -1;
            }
            total += v;
        }
        long frames = framesIn();
        return frames == 0 ? 0 : (double) total / frames;
    }
}
