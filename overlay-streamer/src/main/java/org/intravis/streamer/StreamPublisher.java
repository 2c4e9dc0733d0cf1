package org.intravis.streamer;

import io.netty.buffer.ByteBufAllocator;
import org.intravis.pipeline.AnnotationListener;
import org.intravis.pipeline.StreamPipeline;
import org.intravis.pipeline.VideoSink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The streaming end of one stream, in two parts by thread over one {@link Subscribers} registry: the
 * {@link #video()} fan-out is the pipeline's video sink (video thread: encode once per variant, fan out), the
 * {@link #overlays()} fan-out its annotation listener (the annotating thread: overlay, alerts, heat maps). This class
 * itself runs on neither: it wires the two, takes the clients' subscriptions from their event loops, and reports.
 * <p>
 * Fan-out: a message is built once in a pooled buffer; each client gets a {@code retainedDuplicate()} in its
 * {@link Mailbox} ({@link ClientSession}) and the original is released once, so the memory is freed when the last
 * client has written it. Encoding and JSON run on the pipeline's threads; only the writes run on the clients' event
 * loops.
 */
public final class StreamPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StreamPublisher.class.getName());
    /** Without a frame for this long the source counts as having no signal. */
    static final long NO_SIGNAL_NANOS = 1_500_000_000L;

    private final String streamId;
    private final StreamerSettings settings;
    private final boolean h264Available;
    private final Subscribers subscribers = new Subscribers();
    private final VideoFanOut video;
    private final OverlayFanOut overlays;
    private volatile StreamPipeline pipeline;
    /** Clients admitted and not yet gone: counted before the upgrade, so that the cap holds under a burst. */
    private final AtomicInteger admitted = new AtomicInteger();

    public StreamPublisher(String streamId, StreamerSettings settings, ByteBufAllocator alloc) {
        if (!settings.concluded()) {
            throw new IllegalStateException("conclude() the streamer settings first");
        }
        this.streamId = streamId;
        this.settings = settings;
        this.h264Available = AvVideoEncoder.h264Available(settings.h264Encoder());
        this.video = new VideoFanOut(streamId, settings, alloc, subscribers, h264Available);
        this.overlays = new OverlayFanOut(streamId, settings, alloc, subscribers);
        overlays.encoderStep(video::rateStep);
        if (!h264Available) {
            LOG.warning("stream " + streamId + ": FFmpeg has no H.264 encoder '" + settings.h264Encoder()
                    + "'; clients get JPEG");
        }
    }

    public String streamId() { return streamId; }
    public StreamerSettings settings() { return settings; }
    /** Whether H.264 can be offered (the configured encoder exists in this FFmpeg build). */
    public boolean h264Available() { return h264Available; }

    /** The stream pipeline's video sink: the video fan-out (runs on the video thread). */
    public VideoSink video() { return video; }

    /** The stream pipeline's annotation listener: the overlay fan-out (runs on the annotating thread). */
    public AnnotationListener overlays() { return overlays; }

    /** Connects the pipeline the publisher serves: source status, frame rate and the overlay latency histogram. */
    public void attach(StreamPipeline p) {
        this.pipeline = p;
        video.fps(p.source().nominalFps());
        video.counters(p.counters());
        overlays.latency(p.latency());
    }

    /**
     * Steps the encoders' rate down under load (any thread; from the next frame): 0 encodes every frame, 1 three of
     * four, 2 two of three, 3 one of two; the frames left out are counted ({@code video_thinned}).
     */
    public void encoderStep(int step) {
        video.rateStep(step);
    }

    /** The encoders' rate step now (0: every frame). */
    public int encoderStep() {
        return video.rateStep();
    }

    /** The most a load governor may step the encoders down. */
    public static int maxEncoderStep() {
        return VideoFanOut.RATE_STEPS.length - 1;
    }

    // ======================= subscriptions (the clients' event loops) =======================

    /** Takes one of the stream's client places; false when all {@code maxClientsPerStream} are taken. */
    boolean admit() {
        while (true) {
            int n = admitted.get();
            if (n >= settings.maxClientsPerStream()) {
                return false;
            }
            if (admitted.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a place taken by {@link #admit()} (once per admitted client). */
    void leave() {
        admitted.decrementAndGet();
    }

    void add(ClientSession s) {
        subscribers.add(s);
        video.requestKeyFrame(s.variant());
    }

    void remove(ClientSession s) {
        subscribers.remove(s);
    }

    /** Moves a session to another variant; it starts on that variant's next key frame. */
    void changeVariant(ClientSession s, Variant v) {
        subscribers.changeVariant(s, v);
        video.requestKeyFrame(v);
    }

    void changeWants(ClientSession s, boolean overlay, boolean heatmap) {
        subscribers.changeWants(s, overlay, heatmap);
    }

    /** Asks for a key frame of a variant; honoured at the next frame, at most once per configured interval. */
    void requestKeyFrame(Variant v) {
        video.requestKeyFrame(v);
    }

    /** Sessions now connected (for stats). */
    List<ClientSession> sessions() {
        return List.of(subscribers.all());
    }

    // ======================= status and stats (any thread) =======================

    /** {@code ok}, {@code stale}, {@code off} (nothing known) or {@code failed}, as of the newest frame. */
    public String aiState() {
        return switch (video.overlayStatus()) {
            case 0 -> "off";
            case 2 -> "failed";
            default -> video.overlayFresh() ? "ok" : "stale";
        };
    }

    /** Whether a frame arrived recently. */
    public boolean signal() {
        long last = video.lastFrameNanos();
        return last != 0 && System.nanoTime() - last < NO_SIGNAL_NANOS;
    }

    /** The source's status when a pipeline is attached ({@code STREAMING}, {@code RECONNECTING}, ...), else empty. */
    public String sourceStatus() {
        StreamPipeline p = pipeline;
        return p == null ? "" : p.source().status().name();
    }

    public long lastFrameId() { return video.lastFrameId(); }
    public int frameWidth() { return video.frameWidth(); }
    public int frameHeight() { return video.frameHeight(); }
    public long overlayAgeMillis() { return video.overlayAgeMillis(); }
    public int alertLevel() { return overlays.alertLevel(); }
    public double fps() { return video.fps(); }

    /** The WebCodecs codec string of a variant's H.264 stream (empty before its first key frame). */
    public String codecString(Variant v) { return video.codecString(v); }

    /** One variant's encoder counters. */
    public record VariantStats(String encoding, String layer, int clients, long framesEncoded, long keyFrames,
                               long bytes, double meanEncodeMillis, String codec) {
    }

    /** The stream's streaming state for /api/streams. */
    public record Stats(String stream, boolean signal, String source, String ai, long lastFrameId, int width,
                        int height, long overlayAgeMillis, int alertLevel, long overlaysPublished,
                        long alertEvents, long heatmapsPublished, List<VariantStats> variants,
                        List<ClientStats> clients) {
    }

    public Stats stats() {
        List<VariantStats> vs = new ArrayList<>();
        ClientSession[][] byVariant = subscribers.byVariant();
        for (Variant v : Variant.values()) {
            vs.add(video.stats(v, byVariant[v.ordinal()].length));
        }
        List<ClientStats> cs = new ArrayList<>();
        for (ClientSession s : subscribers.all()) {
            cs.add(s.stats());
        }
        return new Stats(streamId, signal(), sourceStatus(), aiState(), video.lastFrameId(), video.frameWidth(),
                video.frameHeight(), video.overlayAgeMillis(), overlays.alertLevel(), overlays.overlaysPublished(),
                overlays.alertEvents(), overlays.heatmapsPublished(), vs, cs);
    }

    /**
     * Closes every client. Encoders and native views are freed with the pipeline's video thread gone (call after
     * the pipeline is closed).
     */
    @Override
    public void close() {
        overlays.close();
        for (ClientSession s : subscribers.clear()) {
            s.close(1001, "stream closed");
        }
        video.close();
    }
}
