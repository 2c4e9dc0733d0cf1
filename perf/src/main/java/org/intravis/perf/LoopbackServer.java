package org.intravis.perf;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.concurrent.TimeUnit;

/** A Vert.x HTTP server on 127.0.0.1 with a free port, set up as the application's server is (TCP_NODELAY). */
final class LoopbackServer implements AutoCloseable {
    private final Vertx vertx;
    private final Router router;
    private HttpServer server;

    LoopbackServer() {
        vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(4));
        router = Router.router(vertx);
    }

    Vertx vertx() { return vertx; }
    Router router() { return router; }

    /** Starts listening (after the routes are mounted); returns the port. */
    int listen() throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true));
        server.requestHandler(router);
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return server.actualPort();
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing after a run: nothing to do about a slow shutdown
        }
    }
}
