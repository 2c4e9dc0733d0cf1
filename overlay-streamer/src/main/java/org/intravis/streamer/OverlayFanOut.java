package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.intravis.pipeline.AnnotationListener;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.LatencyPoint;
import org.intravis.pipeline.StageLatency;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The overlay half of a stream's publisher, on the thread that completes its annotations (the model's worker, or a
 * replay): each completed set becomes an overlay message at once (it does not wait for the next video frame), alert
 * events (raise, update, clear: every one, in order) and, at a lower rate, a heat map. Each message is built once in
 * a pooled buffer and fanned out as a {@code retainedDuplicate()} to the clients that want it; the original is
 * released once.
 */
final class OverlayFanOut implements AnnotationListener, AutoCloseable {
    private final StreamerSettings settings;
    private final ByteBufAllocator alloc;
    private final Subscribers subscribers;

    // ---- the annotating thread ----
    private final OverlayJson json;
    private final AlertTracker alertTracker = new AlertTracker();
    private final AlertTracker.Emitter alertEmitter = this::emitAlert;
    private long alertSeq;
    private long lastHeatmapFrameId = Long.MIN_VALUE;
    private long lastHeatmapNanos;
    /**
     * What an overlay message asks the pool for: grows to 2-4 times the largest so far (a buffer that has to grow
     * while written is copied, and without Unsafe, Netty's default on Java 25, that copy leaves garbage).
     */
    private int overlayCapacity = 1024;

    // ---- written here, read by the stats ----
    private final AtomicLong overlaysPublished = new AtomicLong();
    private final AtomicLong alertEvents = new AtomicLong();
    private final AtomicLong heatmapsPublished = new AtomicLong();
    private volatile StageLatency latency;
    private volatile int alertLevel;
    private volatile boolean closed;

    OverlayFanOut(String streamId, StreamerSettings settings, ByteBufAllocator alloc, Subscribers subscribers) {
        this.settings = settings;
        this.alloc = alloc;
        this.subscribers = subscribers;
        this.json = new OverlayJson(streamId, settings.lowConfidence());
    }

    /** Where the overlay messages read the encoders' rate step under load (the stream's video fan-out). */
    void encoderStep(java.util.function.IntSupplier step) {
        json.encoderStep(step);
    }

    /** Where the capture-to-overlay-sent latency is recorded (the stream pipeline's histograms). */
    void latency(StageLatency l) {
        this.latency = l;
    }

    @Override
    public void onAnnotations(Annotations a) {
        if (closed) {
            return;
        }
        ClientSession[] clients = subscribers.textClients();
        boolean anyOverlay = false;
        boolean anyHeatmap = false;
        for (ClientSession c : clients) {
            anyOverlay |= c.wantsOverlay();
            anyHeatmap |= c.wantsHeatmap();
        }
        if (anyOverlay) {
            ByteBuf msg = alloc.directBuffer(overlayCapacity);
            json.writeOverlay(msg, a);
            if (msg.readableBytes() > overlayCapacity / 2) { // room for the next one at the first try: no copy
                overlayCapacity = Integer.highestOneBit(msg.readableBytes()) << 2;
            }
            try {
                for (ClientSession c : clients) {
                    if (c.wantsOverlay()) {
                        c.offerOverlay(msg.retainedDuplicate());
                    }
                }
            } finally {
                msg.release();
            }
            overlaysPublished.incrementAndGet();
        }
        alertTracker.update(a, alertEmitter); // always, so the event sequence has no gaps
        alertLevel = a.status() == Annotations.Status.VALID ? a.alertLevel() : 0;

        long now = System.nanoTime();
        if (anyHeatmap && a.status() == Annotations.Status.VALID && a.heatmapClasses() > 0
                && a.heatmapFrameId() != lastHeatmapFrameId
                && now - lastHeatmapNanos >= (long) (1e9 / settings.heatmapMaxHz())) {
            lastHeatmapFrameId = a.heatmapFrameId();
            lastHeatmapNanos = now;
            int size = HeatmapMessage.size(a);
            ByteBuf msg = alloc.directBuffer(size, size);
            HeatmapMessage.write(msg, a);
            try {
                for (ClientSession c : clients) {
                    if (c.wantsHeatmap()) {
                        c.offerHeatmap(msg.retainedDuplicate());
                    }
                }
            } finally {
                msg.release();
            }
            heatmapsPublished.incrementAndGet();
        }
        StageLatency l = latency;
        if (l != null && anyOverlay) {
            l.record(LatencyPoint.CAPTURE_TO_OVERLAY_SENT, a.capturedNanos(), System.nanoTime());
        }
    }

    private void emitAlert(String event, String reason, long id, int level, int kind, int tip, int zoneId,
                           int zoneIndex, int zoneClass, float mm, float px, long frameId, long captureUs) {
        long seq = ++alertSeq;
        alertEvents.incrementAndGet();
        ClientSession[] clients = subscribers.textClients();
        if (clients.length == 0) {
            return;
        }
        ByteBuf msg = alloc.directBuffer(384);
        json.writeAlertEvent(msg, seq, event, reason, id, level, kind, tip, zoneId, zoneIndex, zoneClass,
                mm, px, frameId, captureUs);
        try {
            for (ClientSession c : clients) {
                c.offerAlert(msg.retainedDuplicate());
            }
        } finally {
            msg.release();
        }
    }

    /** The newest annotations' alert level (0 unless they are valid). */
    int alertLevel() { return alertLevel; }
    long overlaysPublished() { return overlaysPublished.get(); }
    long alertEvents() { return alertEvents.get(); }
    long heatmapsPublished() { return heatmapsPublished.get(); }

    /** Stops fanning out (the annotating thread may still call). */
    @Override
    public void close() {
        closed = true;
    }
}
