package org.intravis.streamer;

import io.netty.channel.Channel;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code GET /ws/streams/:id}: upgrades to a WebSocket client of the stream (docs/protocol.md), with query
 * {@code encoding=h264|jpeg}, {@code variant=clean|burned}, {@code overlay=true|false}, {@code heatmap=true|false}.
 * The client's session is subscribed to the stream's publisher, greeted, and its text messages handed to the
 * {@link ClientProtocol}. A stream serves at most {@code maxClientsPerStream} clients: one more is upgraded and closed
 * with 1013 and a reason saying so. On the connection's event loop.
 * <p>
 * This is the one place that reaches into Vert.x internals: the Netty channel behind the upgraded connection, which
 * video is written to directly (see {@link WebSocketTransport}).
 */
final class WebSocketEndpoint extends StreamEndpoint {
    private static final Logger LOG = Logger.getLogger(WebSocketEndpoint.class.getName());

    /** RFC 6455's "try again later": the stream has all the clients it may serve. */
    static final short CLOSE_TRY_AGAIN_LATER = 1013;

    private final ClientProtocol protocol;

    WebSocketEndpoint(StreamHub hub, ClientProtocol protocol) {
        super(hub);
        this.protocol = protocol;
    }

    @Override
    void handle(RoutingContext rc, StreamPublisher pub) {
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
        if (!pub.admit()) {
            // upgraded and closed at once, so that the page reads why rather than a bare failed handshake
            rc.request().toWebSocket().onSuccess(ws -> ws.close(CLOSE_TRY_AGAIN_LATER, "stream " + pub.streamId()
                    + " has its maximum of " + hub.settings().maxClientsPerStream()
                    + " clients (streaming.maxClientsPerStream)")).onFailure(e -> notAnUpgrade(rc, e));
            return;
        }
        String credential = credential(rc);
        rc.request().toWebSocket().onSuccess(ws -> accept(ws, channel, pub, variant, overlay, heatmap, credential))
                .onFailure(e -> {
                    pub.leave();
                    LOG.log(Level.FINE, "WebSocket upgrade failed for stream " + pub.streamId(), e);
                    notAnUpgrade(rc, e);
                });
    }

    /** A plain GET (no upgrade) would otherwise never be answered and hold its connection open. */
    private static void notAnUpgrade(RoutingContext rc, Throwable e) {
        if (!rc.response().ended() && !rc.response().headWritten()) {
            rc.response().setStatusCode(400).putHeader("content-type", "text/plain")
                    .end("this address takes WebSocket upgrades only: " + e.getMessage());
        }
    }

    private static boolean boolParam(RoutingContext rc, String name, boolean fallback) {
        List<String> v = rc.queryParam(name);
        if (v.isEmpty()) {
            return fallback;
        }
        return switch (v.get(0).trim().toLowerCase(Locale.ROOT)) {
            case "", "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException(name + "=" + v.get(0) + " is not true/false");
        };
    }

    private void accept(ServerWebSocket ws, Channel channel, StreamPublisher pub, Variant variant, boolean overlay,
                        boolean heatmap, String credential) {
        String remote = String.valueOf(ws.remoteAddress());
        WebSocketTransport transport = new WebSocketTransport(channel, ws, remote);
        ClientSession session = new ClientSession(hub.nextClientId(), "websocket", transport, hub.settings(),
                variant, overlay, heatmap, pub::requestKeyFrame);
        session.credential(credential);
        ws.textMessageHandler(text -> protocol.onText(pub, session, text));
        ws.binaryMessageHandler(b -> protocol.sendError(session, "binary messages from clients are not part of the protocol"));
        ws.closeHandler(v -> {
            pub.leave();
            pub.remove(session);
            session.closedByPeer();
        });
        ws.exceptionHandler(e -> LOG.log(Level.FINE, "client " + session.id() + " of " + pub.streamId(), e));
        protocol.sendHello(pub, session);
        pub.add(session);
    }
}
