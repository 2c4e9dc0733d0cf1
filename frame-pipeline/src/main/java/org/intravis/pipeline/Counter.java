package org.intravis.pipeline;

/** What a stream counts. Every drop and skip has its cause (hot-path rule 3). */
public enum Counter {
    /** Frames published into the ring. */
    FRAMES_IN("frames_in", "frames captured and published into the ring"),
    /** Frames read from the source but dropped because the ring was full (the video branch was behind). */
    DROPPED_RING_FULL("dropped_ring_full", "frames dropped at capture because the ring was full"),
    /** Errors reading the source (each followed by a reconnect for live sources). */
    SOURCE_ERRORS("source_errors", "errors reading the source"),
    /** Frames handed to the video sinks. */
    VIDEO_OUT("video_out", "frames handed to the video sinks"),
    /** Frames the video branch skipped because a newer one was already waiting. */
    VIDEO_SKIPPED("video_skipped", "frames the video branch skipped because a newer one was waiting"),
    /** Frames offered to inference. */
    INFERENCE_OFFERED("inference_offered", "frames offered to inference"),
    /** Frames the inference branch skipped because a newer one was already waiting (the newest frame wins). */
    INFERENCE_SKIPPED_STALE("inference_skipped_stale", "frames skipped by inference because a newer one was waiting"),
    /** Frames the inference feed declined because no batch row was free. */
    INFERENCE_SKIPPED_BUSY("inference_skipped_busy", "frames declined by inference because no batch row was free"),
    /** Frames the inference feed did not preprocess: the model was busy and the stream already had a recent frame waiting. */
    INFERENCE_DEFERRED("inference_deferred",
            "frames not preprocessed: the model was busy and the stream's waiting frame recent enough"),
    /** Frames the AI left to the picture: the CPU was saturated and the model was paced to a share of the frames. */
    INFERENCE_PACED("inference_paced", "frames left out by the AI to give the CPU to the picture (paced under load)"),
    /** Frames overwritten by capture while the inference branch was reading them (read discarded). */
    INFERENCE_TORN("inference_torn", "frames overwritten while the inference branch read them"),
    /** Frames given up when their batch ran: their overlay would have arrived stale (or a remote call could not be made in time). */
    INFERENCE_SKIPPED_DEADLINE("inference_skipped_deadline", "frames skipped because their overlay would have arrived stale"),
    /** Frames inferred and published as annotations. */
    INFERENCE_DONE("inference_done", "frames inferred and published"),
    /** Frames on which the model failed. */
    INFERENCE_FAILED("inference_failed", "frames on which the model failed"),
    /** Inferred frames that showed another scene than the stream's one before (size, time or picture): tracks restarted. */
    SCENE_CUTS("scene_cuts", "inferred frames showing another scene than the one before: tip tracks and zone averages started again"),
    /** Video frames sent while their overlay was stale or missing. */
    OVERLAY_STALE("overlay_stale", "video frames whose attached overlay was stale or missing"),
    /** Frames the encoders left out on purpose: they stepped down to a lower rate to leave the CPU to the model. */
    VIDEO_THINNED("video_thinned", "frames not encoded because the encoders stepped down to a lower rate under load");

    public static final int COUNT = values().length;

    private final String metricName;
    private final String help;

    Counter(String metricName, String help) {
        this.metricName = metricName;
        this.help = help;
    }

    /** Name used in /metrics and /api/streams. */
    public String metricName() {
        return metricName;
    }

    public String help() {
        return help;
    }
}
