package org.intravis.inference;

import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.StageLatency;
import org.intravis.pipeline.StreamCounters;

import java.util.Objects;

/**
 * One stream as the inference service needs it: where its annotations go, what it counts and measures, its pixel
 * spacing, and which model annotates it.
 *
 * @param streamId       the stream's id (threads and status are named after it)
 * @param streamIndex    the stream's index (stamped into its annotations)
 * @param exchange       where its annotations are published ({@code StreamPipeline#annotations()})
 * @param counters       its counters ({@code StreamPipeline#counters()})
 * @param latency        its latency histograms ({@code StreamPipeline#latency()})
 * @param pixelSpacingMm millimetres per frame pixel, 0 when unknown (distances in mm are then NaN)
 * @param model          a model name or {@code .onnx} path; {@value #NONE} for no inference;
 *                       {@value #GROUND_TRUTH} for the synthetic source's ground truth as a stand-in overlay
 */
public record StreamRegistration(String streamId, int streamIndex, AnnotationExchange exchange, StreamCounters counters,
                                 StageLatency latency, double pixelSpacingMm, String model) {
    public static final String NONE = "none";
    public static final String GROUND_TRUTH = "ground-truth";

    public StreamRegistration {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(latency, "latency");
        if (!(pixelSpacingMm >= 0) || Double.isInfinite(pixelSpacingMm)) {
            throw new IllegalArgumentException("stream " + streamId + ": pixel spacing must be >= 0 mm, was " + pixelSpacingMm);
        }
        model = model == null || model.isBlank() ? NONE : model.trim();
    }
}
