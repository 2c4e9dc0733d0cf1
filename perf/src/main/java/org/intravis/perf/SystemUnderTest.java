package org.intravis.perf;

import org.HdrHistogram.Histogram;
import org.intravis.pipeline.LatencyPoint;
import org.intravis.pipeline.StageLatency;

import java.util.List;
import java.util.Map;

/**
 * What the harness measures: the pipeline ({@link PipelineUnderTest}) or the naive baseline ({@link NaiveBaseline}),
 * both serving the same WebSocket protocol on loopback, fed by {@link ScheduledSource}s over the same frames.
 * Lifecycle: construct (server listening, streams assembled, nothing captured yet), {@link #start()}, measure,
 * {@link #close()}.
 */
interface SystemUnderTest extends AutoCloseable {

    /** {@code ours} or {@code baseline}. */
    String name();

    int port();

    /** The WebSocket path of a stream, query included. */
    String path(int stream);

    /** The stream's capture schedule. */
    ScheduledSource source(int stream);

    /** Starts capturing on every stream. */
    void start();

    /** The threads that carry frames (capture, video, inference feed and model worker; the baseline's two). */
    List<Thread> pipelineThreads();

    /** Cumulative counts by name (frames in, every drop and skip by its cause), summed over the streams. */
    Map<String, Long> counters();

    /** Starts the per-stage histograms afresh (end of warm-up). */
    void resetStages();

    /** Per-stage latency since {@link #resetStages()}, microseconds, merged over the streams, in report order. */
    Map<String, Histogram> stages();

    /** What ran the model ({@code cpu}, {@code cuda:0}, ...) and any note (a fallback, a model that failed). */
    String deviceUsed();

    String note();

    /** Where the load governors ended (the model's graph, the encoders' rate step and the steps taken); empty: none. */
    default String governors() {
        return "";
    }

    /** Adds the pipeline's stage histograms of every stream, merged per {@link LatencyPoint}, to {@code out}. */
    static void addStages(List<StageLatency.Snapshot> streams, Map<String, Histogram> out) {
        for (LatencyPoint point : LatencyPoint.values()) {
            Histogram h = new Histogram(600_000_000L, 3);
            streams.forEach(s -> h.add(s.total(point)));
            out.put(point.metricName(), h);
        }
    }

    @Override
    void close();
}
