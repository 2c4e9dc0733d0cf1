package org.intravis.inference;

import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.LatencyPoint;
import org.intravis.pipeline.StageLatency;
import org.intravis.pipeline.StreamCounters;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The per-stream end of annotation: owns the stream's {@link Annotations} holder, its tip tracker, its zone
 * smoothing and identities, and its alert state, and turns one frame's zones and instrument detections into a complete, published set: tracked tips and
 * their shaft lines, the stream's drawn no-go zones, distances and alerts, the stage stamps and latencies.
 * Used by one thread at a time (the model's worker, the ground-truth feed, or the evaluator replaying a sequence);
 * allocation-free.
 */
public final class StreamAnnotator {
    private final String streamId;
    private final int streamIndex;
    private final AnnotationExchange exchange;
    private final StreamCounters counters;
    private final StageLatency latency;
    private final double pixelSpacingMm;
    private final Annotations holder = new Annotations();
    private final TipTracker tracker;
    private final RiskAssessor risk;
    private final AtomicReference<ZoneStore.Snapshot> drawnZones;
    private final TipTracker.Detections detections = new TipTracker.Detections();
    private final float[] entryX = new float[TipTracker.Detections.MAX];
    private final float[] entryY = new float[TipTracker.Detections.MAX];
    private final int heatmapEvery;
    private final ZoneIdentities zoneIds = new ZoneIdentities();
    private final ZoneSmoother zoneSmoother;
    private final FrameClock clock = new FrameClock();
    private final SceneCut sceneCut = new SceneCut();
    private long inferences;

    public StreamAnnotator(StreamRegistration r, Annotations.Origin origin, String modelName, String modelVersion,
                           String device, InferenceSettings settings, AtomicReference<ZoneStore.Snapshot> drawnZones) {
        this.streamId = r.streamId();
        this.streamIndex = r.streamIndex();
        this.exchange = r.exchange();
        this.counters = r.counters();
        this.latency = r.latency();
        this.pixelSpacingMm = r.pixelSpacingMm();
        this.tracker = new TipTracker(settings.tracker(), Annotations.MAX_TIPS);
        this.risk = new RiskAssessor(settings.alerts());
        this.drawnZones = drawnZones;
        this.heatmapEvery = settings.heatmapEvery();
        this.zoneSmoother = settings.zoneSmoothing().on() ? new ZoneSmoother(settings.zoneSmoothing()) : null;
        holder.origin(origin).streamIndex(streamIndex).pixelSpacingMm(pixelSpacingMm).model(modelName, modelVersion, device);
    }

    String streamId() { return streamId; }
    StreamCounters counters() { return counters; }
    /** The stream's zone smoothing for the decoder ({@code null}: off). */
    public ZoneSmoother zoneSmoother() { return zoneSmoother; }

    /** Starts a frame's set: header filled in, lists emptied (the heat map is kept until refreshed). */
    public Annotations begin(long frameId, long capturedNanos, long epochMicros, long preprocessedNanos, long inferredNanos,
                             int frameWidth, int frameHeight, int batchSize) {
        holder.clearResults();
        holder.status(Annotations.Status.VALID).failure("").frameId(frameId).captureEpochMicros(epochMicros)
                .capturedNanos(capturedNanos).preprocessedNanos(preprocessedNanos).inferredNanos(inferredNanos)
                .frameSize(frameWidth, frameHeight).batchSize(batchSize);
        detections.clear();
        return holder;
    }

    /**
     * Moves the stream's frame time ({@link FrameClock}: the tracks and alerts run on it) to the frame just begun
     * and judges whether it shows the same scene as the stream's frame before it ({@link SceneCut}); on a cut the
     * tip tracks, their alerts, the zone average and the zone ids start again, counted (the zone average also after
     * its own longest gap, {@link ZoneSmoother#restartAfter}). Call after {@link #begin} and before the frame's zones
     * are decoded, once for every frame that is published.
     *
     * @param pixels    the frame's pixels, or null when they cannot be read (then only size and time are judged)
     * @param ptsMicros the source's presentation time, or {@link org.intravis.pipeline.FrameSlot#NO_PTS}
     */
    public void sceneCheck(GreyPixels pixels, long ptsMicros) {
        long step = clock.advance(holder.capturedNanos(), ptsMicros);
        if (sceneCut.cut(pixels, holder.frameWidth(), holder.frameHeight(), step)) {
            tracker.clear();
            risk.clear();
            zoneIds.clear();
            if (zoneSmoother != null) {
                zoneSmoother.restart();
            }
            counters.increment(Counter.SCENE_CUTS);
        } else if (zoneSmoother != null) {
            zoneSmoother.restartAfter(step);
        }
    }

    /** Whether this frame should refresh the heat map (every Nth inference of the stream). */
    boolean heatmapDue() {
        return heatmapEvery > 0 && inferences % heatmapEvery == 0;
    }

    /** An instrument seen in this frame, in frame pixels. */
    public void detect(byte kind, float ex, float ey, float tx, float ty, float confidence) {
        int k = detections.count;
        if (detections.add(kind, tx, ty, confidence)) {
            entryX[k] = ex;
            entryY[k] = ey;
        }
    }

    /** Tracks, drawn zones, risk; then stamps, publishes and records the frame. */
    public void publish() {
        tracker.update(detections, clock.nanos());
        tracker.writeTips(holder);
        for (int k = 0; k < detections.count; k++) {
            int t = tracker.trackOf(k);
            if (t >= 0) {
                holder.addLine(detections.kind[k], tracker.idOf(t), entryX[k], entryY[k], tracker.xOf(t), tracker.yOf(t),
                        tracker.shownConfidence(t)); // the line is as sure as its tip
            }
        }
        zoneIds.assign(holder); // before the drawn zones, which keep the surgeon's ids
        addDrawnZones();
        risk.assess(holder, pixelSpacingMm, clock.nanos());
        inferences++;
        long published = System.nanoTime();
        holder.publishedNanos(published);
        latency.record(LatencyPoint.CAPTURE_TO_PREPROCESSED, holder.capturedNanos(), holder.preprocessedNanos());
        latency.record(LatencyPoint.PREPROCESSED_TO_INFERRED, holder.preprocessedNanos(), holder.inferredNanos());
        latency.record(LatencyPoint.INFERRED_TO_PUBLISHED, holder.inferredNanos(), published);
        counters.increment(Counter.INFERENCE_DONE); // before publishing: whoever sees the set sees it counted
        exchange.publish(holder);
    }

    /** Publishes that the model failed on this frame ({@code reason}: a constant string), counted. */
    void publishFailure(String reason) {
        publishFailure(reason, true);
    }

    /**
     * Publishes FAILED for this frame; {@code count}: whether it counts as an inference failure (not when the
     * model never loaded: that is reported once, in the status).
     */
    void publishFailure(String reason, boolean count) {
        holder.clearResults();
        holder.clearHeatmap();
        holder.status(Annotations.Status.FAILED).failure(reason).publishedNanos(System.nanoTime());
        if (count) {
            counters.increment(Counter.INFERENCE_FAILED);
        }
        exchange.publish(holder);
    }

    private void addDrawnZones() {
        ZoneStore.Snapshot s = drawnZones.get();
        for (int i = 0; i < s.count(); i++) {
            float[] xy = s.xy(i);
            int n = xy.length / 2;
            double area = 0;
            for (int k = 0, j = n - 1; k < n; j = k++) {
                area += (double) xy[2 * j] * xy[2 * k + 1] - (double) xy[2 * k] * xy[2 * j + 1];
            }
            if (holder.beginZone(s.id(i), Annotations.ZONE_NOGO, true, 1f, (float) Math.abs(area / 2)) < 0) {
                return;
            }
            for (int k = 0; k < n; k++) {
                if (!holder.addZonePoint(xy[2 * k], xy[2 * k + 1])) {
                    holder.dropLastZone();
                    return;
                }
            }
        }
    }
}
