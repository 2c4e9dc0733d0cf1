package org.intravis.streamer;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * A route of one stream (its {@code :id} in the path): finds the stream's publisher and hands the request on, or
 * answers 404 with the streams there are. On the connection's event loop.
 */
abstract class StreamEndpoint implements Handler<RoutingContext> {
    protected final StreamHub hub;

    StreamEndpoint(StreamHub hub) {
        this.hub = hub;
    }

    @Override
    public final void handle(RoutingContext rc) {
        String id = rc.pathParam("id");
        StreamPublisher pub = hub.publisher(id).orElse(null);
        if (pub == null) {
            rc.response().setStatusCode(404).putHeader("content-type", "text/plain")
                    .end("unknown stream '" + id + "'; streams: " + hub.streamIds());
            return;
        }
        handle(rc, pub);
    }

    /** Serves a request for a stream that exists. */
    abstract void handle(RoutingContext rc, StreamPublisher pub);

    /** The credential the application's access rules let this request in with (null on an open server). */
    static String credential(RoutingContext rc) {
        Object c = rc.get(StreamHub.CREDENTIAL);
        return c == null ? null : c.toString();
    }
}
