package org.intravis.streamer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.intravis.pipeline.PipelineClock;

/**
 * The WebSocket control protocol (docs/protocol.md), JSON text both ways: what the server says of its own accord
 * ({@code hello} on joining, periodic {@code stats}, {@code error}) and its answers to what a client sends
 * ({@code subscribe}, {@code keyframe}, {@code clock}, {@code ping}, {@code report}). All on the client's event loop;
 * control messages are small and rare, so they are built with Jackson, unlike the per-frame messages.
 */
final class ClientProtocol {
    static final int VERSION = 1;
    /** The longest text message a client may send that is read (Vert.x buffers at most its frame and message limits). */
    static final int MAX_TEXT_CHARS = 4096;

    private final StreamerSettings settings;
    private final ByteBufAllocator alloc;
    private final ObjectMapper json = new ObjectMapper();

    ClientProtocol(StreamerSettings settings, ByteBufAllocator alloc) {
        this.settings = settings;
        this.alloc = alloc;
    }

    /** The first message a client gets: the stream, what it is subscribed to, and the server's clock. */
    void sendHello(StreamPublisher pub, ClientSession s) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "hello");
        n.put("protocol", VERSION);
        n.put("stream", pub.streamId());
        n.put("client", s.id());
        n.put("encoding", s.variant().encoding().wireName());
        n.put("variant", s.variant().layerName());
        n.put("overlay", s.wantsOverlay());
        n.put("heatmap", s.wantsHeatmap());
        ArrayNode encodings = n.putArray("encodings");
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
        s.sendControl(text(n));
    }

    /** Client → server messages. */
    void onText(StreamPublisher pub, ClientSession s, String text) {
        long receivedUs = PipelineClock.epochMicrosNow(); // t1 of the clock exchange: as early as possible
        if (text.length() > MAX_TEXT_CHARS) {
            // the protocol's messages are a few hundred bytes: a longer one is not parsed, only refused (the
            // connection lives on, as for any bad message; a frame beyond Vert.x's frame limit closes it)
            sendError(s, "a message may be at most " + MAX_TEXT_CHARS + " characters, was " + text.length()
                    + ": not read");
            return;
        }
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

    void sendError(ClientSession s, String message) {
        ObjectNode r = json.createObjectNode();
        r.put("type", "error");
        r.put("message", message);
        s.sendControl(text(r));
    }

    /** The periodic {@code stats} message: the stream's state and this client's counters. */
    void sendStats(StreamPublisher pub, ClientSession s) {
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
        s.sendControl(text(n));
    }

    private ByteBuf text(ObjectNode n) {
        try {
            byte[] b = json.writeValueAsBytes(n);
            return alloc.directBuffer(b.length, b.length).writeBytes(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
