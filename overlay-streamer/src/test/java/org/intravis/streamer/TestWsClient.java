package org.intravis.streamer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.internal.buffer.BufferInternal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real WebSocket client (Vert.x) that records what it receives; {@link #pause} stops reading the socket. */
final class TestWsClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    record Video(FrameHeader.Video header, byte[] payload, long receivedNanos) {
    }

    final WebSocket ws;
    private final WebSocketClient client;
    private final boolean keepPayloads;
    private final List<Video> videos = new ArrayList<>();
    private final List<JsonNode> texts = new ArrayList<>();
    private long videoCount;
    private long heatmaps;
    private HeatmapMessage.Decoded lastHeatmap;

    TestWsClient(Vertx vertx, int port, String uri, boolean keepPayloads, int receiveBuffer) throws Exception {
        this.keepPayloads = keepPayloads;
        WebSocketClientOptions o = new WebSocketClientOptions().setMaxFrameSize(32 << 20).setMaxMessageSize(32 << 20);
        if (receiveBuffer > 0) {
            o.setReceiveBufferSize(receiveBuffer);
        }
        client = vertx.createWebSocketClient(o);
        io.vertx.core.http.ClientWebSocket cws = client.webSocket(); // handlers before connecting: the hello comes at once
        ws = cws;
        cws.binaryMessageHandler(b -> {
            io.netty.buffer.ByteBuf bb = ((BufferInternal) b).getByteBuf();
            if (bb.getUnsignedByte(bb.readerIndex() + 3) == FrameHeader.TYPE_HEATMAP) {
                HeatmapMessage.Decoded hm = HeatmapMessage.decode(bb);
                synchronized (this) {
                    heatmaps++;
                    lastHeatmap = hm;
                }
                return;
            }
            FrameHeader.Video h = FrameHeader.decode(bb);
            byte[] payload = null;
            if (this.keepPayloads) {
                payload = new byte[bb.readableBytes() - h.headerLength()];
                bb.getBytes(bb.readerIndex() + h.headerLength(), payload);
            }
            synchronized (this) {
                videoCount++;
                videos.add(new Video(h, payload, System.nanoTime()));
                if (!this.keepPayloads && videos.size() > 1000) {
                    videos.subList(0, 500).clear();
                }
            }
        });
        ws.textMessageHandler(t -> {
            try {
                JsonNode n = JSON.readTree(t);
                synchronized (this) {
                    texts.add(n);
                }
            } catch (Exception e) {
                throw new IllegalStateException("server sent malformed JSON: " + t, e);
            }
        });
        cws.connect(port, "localhost", uri).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    synchronized long videoCount() { return videoCount; }
    synchronized long heatmaps() { return heatmaps; }
    synchronized HeatmapMessage.Decoded lastHeatmap() { return lastHeatmap; }
    synchronized List<Video> videos() { return new ArrayList<>(videos); }

    synchronized List<JsonNode> texts(String type) {
        return texts.stream().filter(n -> type.equals(n.path("type").asText())).toList();
    }

    void send(String json) throws Exception {
        ws.writeTextMessage(json).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    void pause() { ws.pause(); }
    void resume() { ws.resume(); }

    /** Waits until the predicate holds (polling), failing after the timeout with the given description. */
    static void await(String what, long timeoutMillis, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    JsonNode awaitText(String type, Predicate<JsonNode> match, long timeoutMillis) throws InterruptedException {
        JsonNode[] found = new JsonNode[1];
        await(type + " message", timeoutMillis, () -> {
            for (JsonNode n : texts(type)) {
                if (match.test(n)) {
                    found[0] = n;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Override
    public void close() {
        try {
            ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // already gone
        }
        client.close();
    }
}
