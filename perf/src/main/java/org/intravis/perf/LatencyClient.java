package org.intravis.perf;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.intravis.streamer.FrameHeader;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real WebSocket client of one stream (Vert.x, over loopback) speaking docs/protocol.md: on every video message
 * and every overlay message it reads the frame id and records, on arrival, the time since that frame's
 * <em>scheduled</em> capture ({@link ScheduledSource#scheduledNanos}), so a stall anywhere upstream shows in the
 * figures. Client and server share one JVM and one monotonic clock, so no clock sync is needed.
 */
final class LatencyClient implements AutoCloseable {
    private static final long HIGHEST_MICROS = 600_000_000L;
    private static final String FRAME_ID = "\"frameId\":";

    private final WebSocketClient client;
    private final ClientWebSocket ws;
    private final ScheduledSource schedule;
    private final Recorder video = new Recorder(HIGHEST_MICROS, 3);
    private final Recorder overlay = new Recorder(HIGHEST_MICROS, 3);
    private final AtomicLong videoMessages = new AtomicLong();
    private final AtomicLong videoBytes = new AtomicLong();
    private final AtomicLong overlaysValid = new AtomicLong();
    private final AtomicLong overlaysFailed = new AtomicLong();
    private final AtomicLong overlaysOther = new AtomicLong();
    private final AtomicLong unknownFrames = new AtomicLong();

    LatencyClient(Vertx vertx, int port, String path, ScheduledSource schedule) throws Exception {
        this.schedule = schedule;
        client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(64 << 20)
                .setMaxMessageSize(64 << 20));
        ws = client.webSocket();
        ws.binaryMessageHandler(this::onBinary);
        ws.textMessageHandler(this::onText);
        ws.connect(port, "127.0.0.1", path).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void onBinary(Buffer b) {
        long now = System.nanoTime();
        if (b.length() < FrameHeader.LENGTH || b.getByte(FrameHeader.OFFSET_TYPE) != FrameHeader.TYPE_VIDEO) {
            return; // heat maps and future message types
        }
        videoMessages.incrementAndGet();
        videoBytes.addAndGet(b.length());
        record(video, b.getLong(FrameHeader.OFFSET_FRAME_ID), now);
    }

    private void onText(String text) {
        long now = System.nanoTime();
        if (!text.startsWith("{\"type\":\"overlay\"")) {
            return; // hello, stats, alerts
        }
        if (text.contains("\"status\":\"VALID\"")) {
            overlaysValid.incrementAndGet();
        } else if (text.contains("\"status\":\"FAILED\"")) {
            overlaysFailed.incrementAndGet();
        } else {
            overlaysOther.incrementAndGet();
            return; // NONE: nothing known, no frame to measure
        }
        int at = text.indexOf(FRAME_ID);
        if (at >= 0) {
            record(overlay, parseLong(text, at + FRAME_ID.length()), now);
        }
    }

    private void record(Recorder into, long frameId, long now) {
        long due = schedule.scheduledNanos(frameId);
        if (due == 0) {
            unknownFrames.incrementAndGet();
            return;
        }
        into.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - due) / 1000)));
    }

    private static long parseLong(String s, int from) {
        int i = from;
        boolean negative = i < s.length() && s.charAt(i) == '-';
        if (negative) {
            i++;
        }
        long v = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            v = v * 10 + (s.charAt(i++) - '0');
        }
        return negative ? -v : v;
    }

    /** Scheduled capture to video message received, µs, since the last call. */
    Histogram videoSince() { return video.getIntervalHistogram(); }
    /** Scheduled capture of the annotated frame to its overlay message received, µs, since the last call. */
    Histogram overlaySince() { return overlay.getIntervalHistogram(); }

    /** Counts: video messages, video bytes, VALID overlays, FAILED overlays, other overlays, unknown frame ids. */
    long[] counts() {
        return new long[] {videoMessages.get(), videoBytes.get(), overlaysValid.get(), overlaysFailed.get(),
                overlaysOther.get(), unknownFrames.get()};
    }

    @Override
    public void close() {
        try {
            ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the server may have closed it already
        }
        client.close();
    }
}
