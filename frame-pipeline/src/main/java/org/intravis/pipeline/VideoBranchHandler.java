package org.intravis.pipeline;

import com.lmax.disruptor.EventHandler;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The video branch of one stream: depends on capture only. For the newest frame it attaches the newest
 * <em>completed</em> annotations of the stream with their age, then hands the slot to the video sinks. When it is
 * behind it skips to the newest frame (counted), so the picture stays live.
 */
final class VideoBranchHandler implements EventHandler<FrameSlot> {
    private static final Logger LOG = Logger.getLogger(VideoBranchHandler.class.getName());

    private final AnnotationExchange exchange;
    private final VideoSink[] sinks;
    private final StreamCounters counters;
    private final StageLatency latency;
    private final long staleAfterMillis;
    private final String streamId;
    private long sinkErrors;

    VideoBranchHandler(String streamId, AnnotationExchange exchange, VideoSink[] sinks, StreamCounters counters,
                       StageLatency latency, long staleAfterMillis) {
        this.streamId = streamId;
        this.exchange = exchange;
        this.sinks = sinks;
        this.counters = counters;
        this.latency = latency;
        this.staleAfterMillis = staleAfterMillis;
    }

    @Override
    public void onEvent(FrameSlot slot, long sequence, boolean endOfBatch) {
        if (!endOfBatch) {
            counters.increment(Counter.VIDEO_SKIPPED);
            return;
        }
        Annotations attached = slot.annotations();
        exchange.readInto(attached);
        long captured = slot.stamp(Stage.CAPTURED);
        long age = attached.ageMillisAt(captured);
        boolean fresh = attached.status() == Annotations.Status.VALID && age <= staleAfterMillis;
        slot.overlayAttached(age, fresh);
        slot.stamp(Stage.PREPROCESSED, attached.preprocessedNanos());
        slot.stamp(Stage.INFERRED, attached.inferredNanos());
        if (!fresh) {
            counters.increment(Counter.OVERLAY_STALE);
        }
        for (VideoSink sink : sinks) {
            try {
                sink.onFrame(slot);
            } catch (RuntimeException e) {
                // a failing sink must never stop the picture; log the first few and then every 1000th
                if (sinkErrors++ < 5 || sinkErrors % 1000 == 0) {
                    LOG.log(Level.WARNING, "video sink failed on stream " + streamId + " (" + sinkErrors + " so far)", e);
                }
            }
        }
        counters.increment(Counter.VIDEO_OUT);
        long encoded = slot.stamp(Stage.ENCODED);
        long sent = slot.stamp(Stage.SENT);
        latency.record(LatencyPoint.CAPTURE_TO_ENCODED, captured, encoded);
        latency.record(LatencyPoint.ENCODED_TO_SENT, encoded, sent);
        latency.record(LatencyPoint.CAPTURE_TO_VIDEO_SENT, captured, sent);
    }
}
