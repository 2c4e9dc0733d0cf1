package org.intravis.streamer;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /streams/:id/burned.mjpeg} and {@code /streams/:id/video.mjpeg}: the burned-in or the clean picture
 * as {@code multipart/x-mixed-replace} JPEG, for displays that cannot run the page. Each request becomes a session
 * of the stream's JPEG variant over an {@link MjpegTransport} (video only, newest frame wins like every client).
 */
final class MjpegEndpoint extends StreamEndpoint {
    private final boolean burned;

    MjpegEndpoint(StreamHub hub, boolean burned) {
        super(hub);
        this.burned = burned;
    }

    @Override
    void handle(RoutingContext rc, StreamPublisher pub) {
        HttpServerResponse resp = rc.response();
        if (!pub.admit()) {
            resp.setStatusCode(503).putHeader("content-type", "text/plain").end("stream " + pub.streamId()
                    + " has its maximum of " + hub.settings().maxClientsPerStream()
                    + " clients (streaming.maxClientsPerStream)");
            return;
        }
        resp.setChunked(true)
                .putHeader("content-type", "multipart/x-mixed-replace; boundary=" + MjpegTransport.BOUNDARY)
                .putHeader("cache-control", "no-cache, no-store")
                .putHeader("pragma", "no-cache");
        Context context = Vertx.currentContext();
        String remote = String.valueOf(rc.request().remoteAddress());
        ClientSession[] holder = new ClientSession[1];
        MjpegTransport transport = new MjpegTransport(resp, context, remote, () -> {
            pub.leave();
            if (holder[0] != null) {
                pub.remove(holder[0]);
                holder[0].closedByPeer();
            }
        });
        ClientSession session = new ClientSession(hub.nextClientId(), "mjpeg", transport, hub.settings(),
                Variant.of(Encoding.JPEG, burned), false, false, pub::requestKeyFrame);
        session.credential(credential(rc));
        holder[0] = session;
        pub.add(session);
    }
}
