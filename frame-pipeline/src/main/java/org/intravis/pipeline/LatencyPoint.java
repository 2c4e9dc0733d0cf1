package org.intravis.pipeline;

/** The intervals a stream measures, each into its own HdrHistogram (microseconds). */
public enum LatencyPoint {
    /** Capture to the inference feed having preprocessed the frame (queueing + preprocessing). */
    CAPTURE_TO_PREPROCESSED("capture_to_preprocessed"),
    /** Preprocessed to the model's output (batch wait + ONNX Runtime run). */
    PREPROCESSED_TO_INFERRED("preprocessed_to_inferred"),
    /** Model output to annotations published (post-processing, tracking, risk zones). */
    INFERRED_TO_PUBLISHED("inferred_to_published"),
    /** The AI path end to end: capture to the overlay message handed to the clients. */
    CAPTURE_TO_OVERLAY_SENT("capture_to_overlay_sent"),
    /** Capture to the video branch having encoded the frame. */
    CAPTURE_TO_ENCODED("capture_to_encoded"),
    /** Encoded to handed to the clients. */
    ENCODED_TO_SENT("encoded_to_sent"),
    /** The video path end to end: capture to the frame handed to the clients. */
    CAPTURE_TO_VIDEO_SENT("capture_to_video_sent");

    public static final int COUNT = values().length;

    private final String metricName;

    LatencyPoint(String metricName) {
        this.metricName = metricName;
    }

    public String metricName() {
        return metricName;
    }
}
