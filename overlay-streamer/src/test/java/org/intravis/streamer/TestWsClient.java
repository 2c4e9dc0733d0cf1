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

/**
 * A real WebSocket client (Vert.x) that records what it receives; {@link #pause} stops reading the socket. A message
 * it cannot decode (malformed JSON, a binary message with a bad header) fails the test: the first such failure is
 * kept and thrown by every later read of what was received and by {@link #close} (a handler's own exception would
 * only be logged by Vert.x and the message dropped).
 */
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
    private volatile AssertionError malformed;

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
            try {
                binary(b);
            } catch (RuntimeException e) {
                fail("server sent a binary message this client cannot decode (" + b.length() + " bytes)", e);
            }
        });
        ws.textMessageHandler(t -> {
            JsonNode n;
            try {
                n = JSON.readTree(t);
            } catch (Exception e) {
                fail("server sent malformed JSON: " + t, e);
                return;
            }
            synchronized (this) {
                texts.add(n);
            }
        });
        cws.connect(port, "localhost", uri).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void fail(String what, Exception cause) {
        if (malformed == null) {
            malformed = new AssertionError(what, cause);
        }
    }

    /** Throws the first decoding failure, if any. */
    void assertNothingMalformed() {
        AssertionError e = malformed;
        if (e != null) {
            throw e;
        }
    }

    private void binary(io.vertx.core.buffer.Buffer b) {
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
    }

    synchronized long videoCount() {
        assertNothingMalformed();
        return videoCount;
    }

    synchronized long heatmaps() {
        assertNothingMalformed();
        return heatmaps;
    }

    synchronized HeatmapMessage.Decoded lastHeatmap() {
        assertNothingMalformed();
        return lastHeatmap;
    }

    synchronized List<Video> videos() {
        assertNothingMalformed();
        return new ArrayList<>(videos);
    }

    synchronized List<JsonNode> texts(String type) {
        assertNothingMalformed();
        return texts.stream().filter(n -> type.equals(n.path("type").asText())).toList();
    }

    void send(String json) throws Exception {
        ws.writeTextMessage(json).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    void pause() { ws.pause(); }
    void resume() { ws.resume(); }

    /**
     * Waits until the condition holds (polled), failing after the timeout with the given description; a generous
     * liveness bound, not a performance assertion.
     */
    static void await(String what, long timeoutMillis, java.util.function.BooleanSupplier condition) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(java.time.Duration.ofMillis(timeoutMillis)).pollDelay(java.time.Duration.ZERO)
                .pollInterval(java.time.Duration.ofMillis(20)).until(condition::getAsBoolean);
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
        assertNothingMalformed();
    }
}
