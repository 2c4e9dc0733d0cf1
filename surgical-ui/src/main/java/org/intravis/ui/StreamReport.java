package org.intravis.ui;

import java.util.Map;

/**
 * One stream's state as {@code GET /api/streams} reports it; built once a second by the {@link StatsSampler},
 * immutable, so HTTP handlers never touch the pipeline.
 *
 * @param latencyMs per measured interval: p50, p90, p99, p999, max and count over the last 10-20 s
 * @param replay    whether the stream replays a recording (then {@code GET /api/streams/ID/replay} answers; the
 *                  surgeon's page asks for the replay state only then)
 */
public record StreamReport(
        String id,
        String source,
        String status,
        String statusDetail,
        String resolution,
        String pixelFormat,
        String model,
        double fpsIn,
        double fpsOut,
        double fpsInference,
        long reconnects,
        Map<String, Long> counters,
        Map<String, Map<String, Double>> latencyMs,
        Map<String, Object> inference,
        boolean replay,
        Map<String, Object> encoder) {
}
