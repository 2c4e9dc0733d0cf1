package org.intravis.streamer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.intravis.pipeline.PipelineClock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The streamer's face to the application's Vert.x HTTP server: one {@link StreamPublisher} per stream
 * ({@link #register}), and the handlers the application mounts ({@link #mount}):
 * <ul>
 *   <li>{@code GET /ws/streams/:id} - WebSocket: video, overlays, alerts, heat maps, clock sync (docs/protocol.md);
 *       query {@code encoding=h264|jpeg}, {@code variant=clean|burned}, {@code overlay=true|false},
 *       {@code heatmap=true|false}</li>
 *   <li>{@code GET /streams/:id/burned.mjpeg} - the burned-in picture as multipart JPEG for plain displays</li>
 *   <li>{@code GET /streams/:id/video.mjpeg} - the clean picture as multipart JPEG</li>
 * </ul>
 * Client messages are small control messages handled on the event loop; everything heavy (encoding, JSON of
 * overlays) happens on the pipeline's threads inside the publishers.
 */
public final class StreamHub implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StreamHub.class.getName());
    public static final int PROTOCOL_VERSION = 1;

    private final StreamerSettings settings;
    private final ByteBufAllocator alloc;
    private final Map<String, StreamPublisher> publishers = new ConcurrentHashMap<>();
    private final AtomicLong clientIds = new AtomicLong();
    private final ObjectMapper json = new ObjectMapper();
    private Vertx vertx;
    private long statsTimer = -1;

    public StreamHub(StreamerSettings settings) {
        this(settings, PooledByteBufAllocator.DEFAULT);
    }

    public StreamHub(StreamerSettings settings, ByteBufAllocator alloc) {
        this.settings = settings.concluded() ? settings : settings.conclude();
        this.alloc = alloc;
    }

    public StreamerSettings settings() { return settings; }

    /**
     * Creates the publisher of a stream: pass it to the stream's pipeline as video sink and annotation listener,
     * then {@link StreamPublisher#attach} the pipeline to it.
     */
    public StreamPublisher register(String streamId) {
        StreamPublisher p = new StreamPublisher(streamId, settings, alloc);
        if (publishers.putIfAbsent(streamId, p) != null) {
            throw new IllegalArgumentException("stream " + streamId + " is already registered");
        }
        return p;
    }

    /** Removes a stream and closes its clients (call after closing its pipeline). */
    public void unregister(String streamId) {
        StreamPublisher p = publishers.remove(streamId);
        if (p != null) {
            p.close();
        }
    }

    public Optional<StreamPublisher> publisher(String streamId) {
        return Optional.ofNullable(publishers.get(streamId));
    }

    public Set<String> streamIds() {
        return new TreeSet<>(publishers.keySet());
    }

    /** The streaming state and per-client stats of a stream, for /api/streams. */
    public Optional<StreamPublisher.Stats> stats(String streamId) {
        return publisher(streamId).map(StreamPublisher::stats);
    }

    /**
     * Mounts the WebSocket and MJPEG routes and the page aliases ({@code /display}, {@code /surgeon}), and starts
     * the periodic per-client stats messages. Streams may be registered before or after.
     */
    public synchronized void mount(Vertx vertx, Router router) {
        if (this.vertx != null) {
            throw new IllegalStateException("the stream hub is already mounted");
        }
        this.vertx = vertx;
        this.statsTimer = vertx.setPeriodic(settings.statsIntervalMillis(), t -> sendStats());
        router.get("/display").handler(rc -> rc.reroute("/display.html"));
        router.get("/surgeon").handler(rc -> rc.reroute("/index.html"));
        router.get("/ws/streams/:id").handler(webSocketHandler());
        router.get("/streams/:id/burned.mjpeg").handler(mjpegHandler(true));
        router.get("/streams/:id/video.mjpeg").handler(mjpegHandler(false));
    }

    // ============================ WebSocket ============================

    /** Upgrades {@code /ws/streams/:id} to a WebSocket client of the stream. */
    public Handler<RoutingContext> webSocketHandler() {
        return rc -> {
            String id = rc.pathParam("id");
            StreamPublisher pub = publishers.get(id);
            if (pub == null) {
                rc.response().setStatusCode(404).putHeader("content-type", "text/plain")
                        .end("unknown stream '" + id + "'; streams: " + streamIds());
                return;
            }
            Variant variant;
            boolean overlay;
            boolean heatmap;
            try {
                Encoding enc = rc.queryParam("encoding").isEmpty()
                        ? (pub.h264Available() ? Encoding.H264 : Encoding.JPEG)
                        : Encoding.parse(rc.queryParam("encoding").get(0));
                if (enc == Encoding.H264 && !pub.h264Available()) {
                    enc = Encoding.JPEG;
                }
                boolean burned = !rc.queryParam("variant").isEmpty() && Variant.parseBurned(rc.queryParam("variant").get(0));
                variant = Variant.of(enc, burned);
                overlay = boolParam(rc, "overlay", true);
                heatmap = boolParam(rc, "heatmap", false);
            } catch (IllegalArgumentException e) {
                rc.response().setStatusCode(400).putHeader("content-type", "text/plain").end(e.getMessage());
                return;
            }
            // the Netty channel outlives the upgrade; frames are written to it directly (see WebSocketTransport)
            if (!(rc.request().connection() instanceof ConnectionBase connection)) {
                rc.response().setStatusCode(505).putHeader("content-type", "text/plain")
                        .end("video WebSockets need an HTTP/1.1 connection");
                return;
            }
            Channel channel = connection.channel();
            rc.request().toWebSocket().onSuccess(ws -> accept(ws, channel, pub, variant, overlay, heatmap))
                    .onFailure(e -> LOG.log(Level.FINE, "WebSocket upgrade failed for stream " + id, e));
        };
    }

    private static boolean boolParam(RoutingContext rc, String name, boolean fallback) {
        List<String> v = rc.queryParam(name);
        if (v.isEmpty()) {
            return fallback;
        }
        return switch (v.get(0).trim().toLowerCase(java.util.Locale.ROOT)) {
            case "", "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException(name + "=" + v.get(0) + " is not true/false");
        };
    }

    private void accept(ServerWebSocket ws, Channel channel, StreamPublisher pub, Variant variant, boolean overlay,
                        boolean heatmap) {
        String remote = String.valueOf(ws.remoteAddress());
        WebSocketTransport transport = new WebSocketTransport(channel, ws, remote);
        ClientSession session = new ClientSession(clientIds.incrementAndGet(), "websocket", transport, settings,
                variant, overlay, heatmap, pub::requestKeyFrame);
        ws.textMessageHandler(text -> onClientText(pub, session, text));
        ws.binaryMessageHandler(b -> sendError(session, "binary messages from clients are not part of the protocol"));
        ws.closeHandler(v -> {
            pub.remove(session);
            session.closedByPeer();
        });
        ws.exceptionHandler(e -> LOG.log(Level.FINE, "client " + session.id() + " of " + pub.streamId(), e));
        session.sendControl(text(hello(pub, session)));
        pub.add(session);
    }

    private ObjectNode hello(StreamPublisher pub, ClientSession s) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "hello");
        n.put("protocol", PROTOCOL_VERSION);
        n.put("stream", pub.streamId());
        n.put("client", s.id());
        n.put("encoding", s.variant().encoding().wireName());
        n.put("variant", s.variant().layerName());
        n.put("overlay", s.wantsOverlay());
        n.put("heatmap", s.wantsHeatmap());
        com.fasterxml.jackson.databind.node.ArrayNode encodings = n.putArray("encodings");
        if (pub.h264Available()) {
            encodings.add("h264");
        }
        encodings.add("jpeg");
        n.put("h264Encoder", settings.h264Encoder());
        n.put("staleAfterMs", settings.staleAfterMillis());
        n.put("keyIntervalMs", settings.keyIntervalMillis());
        n.put("lowConfidence", settings.lowConfidence());
        n.put("width", pub.frameWidth());
        n.put("height", pub.frameHeight());
        n.put("fps", pub.fps());
        n.put("serverUs", PipelineClock.epochMicrosNow());
        return n;
    }

    /** Client → server messages (docs/protocol.md); on the event loop. */
    private void onClientText(StreamPublisher pub, ClientSession s, String text) {
        long receivedUs = PipelineClock.epochMicrosNow(); // t1 of the clock exchange: as early as possible
        JsonNode m;
        try {
            m = json.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            sendError(s, "malformed JSON: " + e.getOriginalMessage());
            return;
        }
        if (m == null || !m.isObject() || !m.path("type").isTextual()) {
            sendError(s, "a message must be a JSON object with a \"type\"");
            return;
        }
        String type = m.get("type").asText();
        try {
            switch (type) {
                case "clock" -> {
                    ObjectNode r = json.createObjectNode();
                    r.put("type", "clock");
                    r.set("id", m.path("id"));
                    r.set("t0", m.path("t0"));
                    r.put("t1", receivedUs);
                    r.put("t2", PipelineClock.epochMicrosNow());
                    s.sendControl(text(r));
                }
                case "ping" -> {
                    ObjectNode r = json.createObjectNode();
                    r.put("type", "pong");
                    r.set("id", m.path("id"));
                    r.put("serverUs", PipelineClock.epochMicrosNow());
                    s.sendControl(text(r));
                }
                case "keyframe" -> s.keyFrameRequested();
                case "subscribe" -> subscribe(pub, s, m);
                case "report" -> s.clientReport(m.path("decoded").asLong(0), m.path("dropped").asLong(0),
                        m.path("g2gP50Ms").asDouble(Double.NaN), m.path("g2gP99Ms").asDouble(Double.NaN));
                default -> sendError(s, "unknown message type '" + type
                        + "' (known: subscribe, keyframe, clock, ping, report)");
            }
        } catch (IllegalArgumentException e) {
            sendError(s, e.getMessage());
        }
    }

    private void subscribe(StreamPublisher pub, ClientSession s, JsonNode m) {
        Variant current = s.variant();
        Encoding enc = m.hasNonNull("encoding") ? Encoding.parse(m.get("encoding").asText()) : current.encoding();
        if (enc == Encoding.H264 && !pub.h264Available()) {
            sendError(s, "H.264 is not available on this server (encoder " + settings.h264Encoder() + "); using JPEG");
            enc = Encoding.JPEG;
        }
        boolean burned = m.hasNonNull("variant") ? Variant.parseBurned(m.get("variant").asText()) : current.burned();
        Variant v = Variant.of(enc, burned);
        if (v != current) {
            pub.changeVariant(s, v);
        }
        boolean overlay = m.has("overlay") ? m.get("overlay").asBoolean() : s.wantsOverlay();
        boolean heatmap = m.has("heatmap") ? m.get("heatmap").asBoolean() : s.wantsHeatmap();
        if (overlay != s.wantsOverlay() || heatmap != s.wantsHeatmap()) {
            pub.changeWants(s, overlay, heatmap);
        }
        ObjectNode r = json.createObjectNode();
        r.put("type", "subscribed");
        r.put("encoding", v.encoding().wireName());
        r.put("variant", v.layerName());
        r.put("overlay", s.wantsOverlay());
        r.put("heatmap", s.wantsHeatmap());
        s.sendControl(text(r));
    }

    private void sendError(ClientSession s, String message) {
        ObjectNode r = json.createObjectNode();
        r.put("type", "error");
        r.put("message", message);
        s.sendControl(text(r));
    }

    private ByteBuf text(ObjectNode n) {
        try {
            byte[] b = json.writeValueAsBytes(n);
            return alloc.directBuffer(b.length, b.length).writeBytes(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void sendStats() {
        for (StreamPublisher pub : publishers.values()) {
            for (ClientSession s : pub.sessions()) {
                if (s.transport().carriesText() && !s.closed()) {
                    s.transport().executor().execute(() -> s.sendControl(text(stats(pub, s))));
                }
            }
        }
    }

    private ObjectNode stats(StreamPublisher pub, ClientSession s) {
        ClientStats c = s.stats();
        ObjectNode n = json.createObjectNode();
        n.put("type", "stats");
        n.put("stream", pub.streamId());
        n.put("serverUs", PipelineClock.epochMicrosNow());
        n.put("signal", pub.signal());
        n.put("source", pub.sourceStatus());
        n.put("ai", pub.aiState());
        n.put("overlayAgeMs", pub.overlayAgeMillis());
        n.put("alertLevel", pub.alertLevel());
        n.put("lastFrameId", pub.lastFrameId());
        ObjectNode cn = n.putObject("client");
        cn.put("id", c.id());
        cn.put("encoding", c.encoding());
        cn.put("variant", c.variant());
        cn.put("framesSent", c.framesSent());
        cn.put("framesDropped", c.framesDropped());
        cn.put("overlaysSent", c.overlaysSent());
        cn.put("overlaysCoalesced", c.overlaysCoalesced());
        cn.put("alertsSent", c.alertsSent());
        cn.put("heatmapsSent", c.heatmapsSent());
        cn.put("bytesSent", c.bytesSent());
        cn.put("pendingBytes", c.pendingBytes());
        return n;
    }

    // ============================ MJPEG ============================

    /** {@code multipart/x-mixed-replace} JPEG of a stream, burned-in or clean. */
    public Handler<RoutingContext> mjpegHandler(boolean burned) {
        return rc -> {
            String id = rc.pathParam("id");
            StreamPublisher pub = publishers.get(id);
            if (pub == null) {
                rc.response().setStatusCode(404).putHeader("content-type", "text/plain")
                        .end("unknown stream '" + id + "'; streams: " + streamIds());
                return;
            }
            HttpServerResponse resp = rc.response();
            resp.setChunked(true)
                    .putHeader("content-type", "multipart/x-mixed-replace; boundary=" + MjpegTransport.BOUNDARY)
                    .putHeader("cache-control", "no-cache, no-store")
                    .putHeader("pragma", "no-cache");
            Context context = io.vertx.core.Vertx.currentContext();
            String remote = String.valueOf(rc.request().remoteAddress());
            ClientSession[] holder = new ClientSession[1];
            MjpegTransport transport = new MjpegTransport(resp, context, remote, () -> {
                if (holder[0] != null) {
                    pub.remove(holder[0]);
                    holder[0].closedByPeer();
                }
            });
            ClientSession session = new ClientSession(clientIds.incrementAndGet(), "mjpeg", transport, settings,
                    Variant.of(Encoding.JPEG, burned), false, false, pub::requestKeyFrame);
            holder[0] = session;
            pub.add(session);
        };
    }

    @Override
    public synchronized void close() {
        if (vertx != null && statsTimer >= 0) {
            vertx.cancelTimer(statsTimer);
        }
        for (String id : new ArrayList<>(publishers.keySet())) {
            unregister(id);
        }
    }
}
