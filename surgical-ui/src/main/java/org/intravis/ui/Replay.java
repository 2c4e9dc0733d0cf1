package org.intravis.ui;

import com.lmax.disruptor.EventHandler;
import org.intravis.capture.RecordedFrames;
import org.intravis.capture.ReplayListener;
import org.intravis.capture.ReplayState;
import org.intravis.capture.ffmpeg.RecordingSource;
import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.PipelineClock;
import org.intravis.streamer.RecordedAnnotations;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.logging.Logger;

/**
 * A replayed stream's annotations: either the overlays recorded with each frame ({@code recorded}, what the
 * surgeon saw, with the same age) or a fresh inference by the current model ({@code model}, to compare model
 * versions on the same case), switchable while it plays.
 * <p>
 * The pipeline's annotation exchange has one writer: the stream's capture thread, through this listener. In
 * {@code recorded} mode it publishes, before each frame is published, the overlay recorded with that frame, timed
 * so that the video branch attaches it with the recorded age (and so the same fresh/stale decision). In
 * {@code model} mode the model publishes into a private exchange and this listener forwards each new set from
 * the capture thread (on frames and while paused); the model is fed only in that mode.
 * <p>
 * The video branch attaches the newest published overlay, so in {@code recorded} mode the capture thread publishes
 * the next frame's overlay only once the video branch is done with the previous frame ({@link #videoFollower()}
 * tells it, a reader after the video branch), waiting at most a quarter of a second: a replay may wait for its
 * picture, never the other way round, and each frame gets exactly its recorded overlay even when the video
 * thread runs late.
 */
public final class Replay implements ReplayListener {
    private static final Logger LOG = Logger.getLogger(Replay.class.getName());
    public static final String RECORDED = "recorded";
    public static final String MODEL = "model";

    private final RecordingSource source;
    private final AnnotationExchange pipelineExchange;
    private final AnnotationExchange modelExchange = new AnnotationExchange();
    private final RecordedAnnotations recorded;
    private final Annotations cached = new Annotations();
    private final Annotations out = new Annotations();
    private final Annotations forwarded = new Annotations();
    private final List<Map<String, Object>> alertMarks;
    private volatile String mode = RECORDED;
    private volatile boolean modelAvailable;
    private volatile boolean kept; // a kept teaching case (KeptCase): read when the replay starts, then set by keep()
    private long cachedFrameId = Long.MIN_VALUE;
    private long forwardedVersion = -1;
    private String appliedMode = RECORDED;
    private volatile long videoDoneFrameId = -1;
    private long syncTimeouts;
    private static final long SYNC_WAIT_NANOS = 250_000_000L;
    /** The recent delivered frames' positions, by pipeline frame id (a frame's picture is looked up by its id). */
    private static final int RECENT = 64;
    private final AtomicLongArray recentIds = new AtomicLongArray(RECENT);
    private final AtomicIntegerArray recentPositions = new AtomicIntegerArray(RECENT);

    /** Attaches to {@code source} (which must be open) and publishes into {@code pipelineExchange}. */
    Replay(RecordingSource source, AnnotationExchange pipelineExchange) {
        this.source = source;
        this.pipelineExchange = pipelineExchange;
        RecordedAnnotations r;
        try {
            r = RecordedAnnotations.open(source.session());
        } catch (IOException e) {
            LOG.warning("replay of " + source.session() + ": recorded overlays unreadable (" + e.getMessage()
                    + "); the recorded mode shows none");
            r = null;
        }
        this.recorded = r;
        this.alertMarks = alertMarks(source.frames());
        this.kept = KeptCase.kept(source.session());
        source.listener(this);
    }

    /** Whether the replayed session is kept as a teaching case (never removed by recording retention). */
    public boolean kept() {
        return kept;
    }

    /** Keeps the replayed session as a teaching case, or releases it. File work: call it off the event loop. */
    void keep(boolean keep, String user) {
        KeptCase.set(source.session(), keep, user, java.time.Instant.now());
        kept = keep;
    }

    /** Where the stream's model publishes (the listener forwards from here in {@code model} mode). */
    AnnotationExchange modelExchange() {
        return modelExchange;
    }

    /** The model's feed, fed only in {@code model} mode (null stays null: no model). */
    InferenceFeed gate(InferenceFeed feed) {
        if (feed == null) {
            return null;
        }
        modelAvailable = true;
        return (slot, version) -> MODEL.equals(mode) ? feed.offer(slot, version) : InferenceFeed.Offer.BUSY;
    }

    public RecordingSource source() {
        return source;
    }

    public String mode() {
        return mode;
    }

    /** Switches the annotation source: {@code recorded} or {@code model}. */
    public void mode(String m) {
        if (!RECORDED.equals(m) && !MODEL.equals(m)) {
            throw new IllegalArgumentException("annotations must be recorded or model, was '" + m + "'");
        }
        if (MODEL.equals(m) && !modelAvailable) {
            throw new IllegalStateException("no model runs on this stream (inference is off or its model is none)");
        }
        mode = m;
    }

    public boolean modelAvailable() {
        return modelAvailable;
    }

    /** A reader to register with {@code Context.readerAfterVideo}: tells the replay how far the video branch is. */
    EventHandler<FrameSlot> videoFollower() {
        return (slot, sequence, endOfBatch) -> {
            long v = slot.writeVersion();
            long id = slot.frameId();
            if (slot.sequence() == sequence && slot.unchangedSince(v)) {
                videoDoneFrameId = id;
            }
        };
    }

    /** Times the capture thread stopped waiting for the video branch (it was more than 250 ms late). */
    public long syncTimeouts() {
        return syncTimeouts;
    }

    // ============================== capture thread ==============================

    @Override
    public void onFrame(RecordedFrames frames, int position, long pipelineFrameId) {
        int slot = (int) (pipelineFrameId & (RECENT - 1));
        // a reader sees the pair change as one, never an id with another frame's position (release stores: no full
        // fence per frame on the capture thread)
        recentIds.setRelease(slot, -1);
        recentPositions.setRelease(slot, position);
        recentIds.setRelease(slot, pipelineFrameId);
        String m = switchedMode();
        if (MODEL.equals(m)) {
            forward();
            return;
        }
        awaitVideo(pipelineFrameId - 1);
        if (!frames.shown(position)) {
            return; // the live video skipped it: it showed the previous overlay, as this replay does
        }
        if (frames.overlayStatus(position) == RecordedFrames.STATUS_NONE || recorded == null) {
            out.clear();
            pipelineExchange.publish(out);
            return;
        }
        long overlay = frames.overlayFrameId(position);
        if (overlay != cachedFrameId) {
            if (!recorded.read(overlay, cached)) {
                cached.clear();
                cached.status(Annotations.Status.FAILED).failure("recorded overlay missing");
            }
            cachedFrameId = overlay;
        }
        out.copyFrom(cached);
        // as recorded: the overlay is attached to this frame with the age the live video branch gave it
        long now = System.nanoTime();
        long captured = now - Math.max(0, frames.overlayAgeMs(position)) * 1_000_000L;
        long shift = cached.capturedNanos() == 0 ? 0 : captured - cached.capturedNanos();
        out.frameId(pipelineFrameId)
                .capturedNanos(captured)
                .captureEpochMicros(PipelineClock.epochMicros(captured))
                .preprocessedNanos(shifted(cached.preprocessedNanos(), shift, captured))
                .inferredNanos(shifted(cached.inferredNanos(), shift, captured))
                .publishedNanos(shifted(cached.publishedNanos(), shift, captured));
        pipelineExchange.publish(out);
    }

    /** Waits (bounded) until the video branch has passed frame {@code frameId}, so it attaches the right overlay. */
    private void awaitVideo(long frameId) {
        if (frameId < 0 || videoDoneFrameId >= frameId) {
            return;
        }
        long end = System.nanoTime() + SYNC_WAIT_NANOS;
        while (videoDoneFrameId < frameId) {
            if (System.nanoTime() - end > 0) {
                syncTimeouts++;
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000L);
        }
    }

    private static long shifted(long nanos, long shift, long fallback) {
        return nanos == 0 ? fallback : nanos + shift;
    }

    @Override
    public void onIdle() {
        if (MODEL.equals(switchedMode())) {
            forward();
        }
    }

    private String switchedMode() {
        String m = mode;
        if (!m.equals(appliedMode)) {
            appliedMode = m;
            cachedFrameId = Long.MIN_VALUE;
            forwardedVersion = -1;
        }
        return m;
    }

    /** Publishes the model's newest set if it has not been forwarded yet. */
    private void forward() {
        long v = modelExchange.readIfNewer(forwarded, forwardedVersion);
        if (v != forwardedVersion && v != 0) {
            forwardedVersion = v;
            pipelineExchange.publish(forwarded);
        }
    }

    /**
     * The recorded position of the delivered frame {@code pipelineFrameId} (any thread), or -1 when it is not one of
     * the last {@value #RECENT} delivered: says which recorded frame a still of the stream shows.
     */
    public int positionOf(long pipelineFrameId) {
        int slot = (int) (pipelineFrameId & (RECENT - 1));
        if (pipelineFrameId < 0 || recentIds.getAcquire(slot) != pipelineFrameId) {
            return -1;
        }
        int p = recentPositions.getAcquire(slot);
        return recentIds.getAcquire(slot) == pipelineFrameId ? p : -1;
    }

    // ============================== the timeline ==============================

    public ReplayState state() {
        return source.state();
    }

    /** Runs of consecutive frames shown with an alert of the same level: {@code {from, to, fromUs, toUs, level}}. */
    public List<Map<String, Object>> alertMarks() {
        return alertMarks;
    }

    static List<Map<String, Object>> alertMarks(RecordedFrames f) {
        List<Map<String, Object>> marks = new ArrayList<>();
        int i = 0;
        while (i < f.count() && marks.size() < 1000) {
            int level = f.alertLevel(i);
            if (level == 0) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < f.count() && f.alertLevel(j + 1) == level) {
                j++;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("from", i);
            m.put("to", j);
            m.put("fromUs", f.tUs(i));
            m.put("toUs", f.tUs(j));
            m.put("level", level == 1 ? "caution" : level == 2 ? "warning" : "critical");
            marks.add(m);
            i = j + 1;
        }
        return List.copyOf(marks);
    }

    void close() {
        if (recorded != null) {
            recorded.close();
        }
    }
}
