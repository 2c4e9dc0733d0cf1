package org.intravis.streamer;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The streamer's face to the application's Vert.x HTTP server: one {@link StreamPublisher} per stream
 * ({@link #register}), and the routes the application mounts ({@link #mount}): the {@link WebSocketEndpoint}
 * ({@code /ws/streams/:id}, speaking the {@link ClientProtocol}) and the {@link MjpegEndpoint}s
 * ({@code /streams/:id/burned.mjpeg}, {@code /streams/:id/video.mjpeg}), plus the periodic per-client stats message.
 * Client messages are small control messages handled on the event loop; everything heavy (encoding, JSON of
 * overlays) happens on the pipeline's threads inside the publishers.
 */
public final class StreamHub implements AutoCloseable {
    /**
     * Where the application's access rules leave, in a request's context, the credential it was let in with (a
     * token's id): the stream's clients remember it, so that revoking the token can close them.
     */
    public static final String CREDENTIAL = "intravis.credential";

    private final StreamerSettings settings;
    private final ByteBufAllocator alloc;
    private final ClientProtocol protocol;
    private final Map<String, StreamPublisher> publishers = new ConcurrentHashMap<>();
    private final AtomicLong clientIds = new AtomicLong();
    private Vertx vertx;
    private long statsTimer = -1;

    public StreamHub(StreamerSettings settings) {
        this(settings, PooledByteBufAllocator.DEFAULT);
    }

    public StreamHub(StreamerSettings settings, ByteBufAllocator alloc) {
        this.settings = settings.concluded() ? settings : settings.conclude();
        this.alloc = alloc;
        this.protocol = new ClientProtocol(this.settings, alloc);
    }

    public StreamerSettings settings() { return settings; }

    /**
     * Creates the publisher of a stream: pass its {@link StreamPublisher#video()} and
     * {@link StreamPublisher#overlays()} to the stream's pipeline as video sink and annotation listener, then
     * {@link StreamPublisher#attach} the pipeline to it.
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
     * Mounts the WebSocket and MJPEG routes and starts the periodic per-client stats messages. Streams may be
     * registered before or after.
     */
    public synchronized void mount(Vertx vertx, Router router) {
        if (this.vertx != null) {
            throw new IllegalStateException("the stream hub is already mounted");
        }
        this.vertx = vertx;
        this.statsTimer = vertx.setPeriodic(settings.statsIntervalMillis(), t -> sendStats());
        router.get("/ws/streams/:id").handler(new WebSocketEndpoint(this, protocol));
        router.get("/streams/:id/burned.mjpeg").handler(new MjpegEndpoint(this, true));
        router.get("/streams/:id/video.mjpeg").handler(new MjpegEndpoint(this, false));
    }

    long nextClientId() {
        return clientIds.incrementAndGet();
    }

    /**
     * Closes every client let in with a credential that {@code revoked} says no longer holds (policy violation,
     * with {@code reason}); returns how many. Any thread.
     */
    public int closeClients(Predicate<String> revoked, String reason) {
        int n = 0;
        for (StreamPublisher pub : publishers.values()) {
            for (ClientSession s : pub.sessions()) {
                String c = s.credential();
                if (c != null && !s.closed() && revoked.test(c)) {
                    s.close(ClientSession.CLOSE_POLICY, reason);
                    n++;
                }
            }
        }
        return n;
    }

    private void sendStats() {
        for (StreamPublisher pub : publishers.values()) {
            for (ClientSession s : pub.sessions()) {
                if (s.transport().carriesText() && !s.closed()) {
                    s.transport().executor().execute(() -> protocol.sendStats(pub, s));
                }
            }
        }
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
