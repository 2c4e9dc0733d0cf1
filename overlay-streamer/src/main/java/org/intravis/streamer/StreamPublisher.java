package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.AnnotationListener;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.LatencyPoint;
import org.intravis.pipeline.PipelineClock;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.Stage;
import org.intravis.pipeline.StreamPipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * The streaming end of one stream: a {@link org.intravis.pipeline.VideoSink} that encodes each frame once per
 * variant some client wants and fans the message out, and an {@link AnnotationListener} that turns each completed
 * set of annotations into an overlay message, alert events and (at a lower rate) a heat map, fanned out the same
 * way.
 * <p>
 * Fan-out: a message is built once in a pooled buffer; each client gets a {@code retainedDuplicate()} in its
 * mailbox ({@link ClientSession}) and the original is released once, so the memory is freed when the last client
 * has written it. Encoding and JSON run on the pipeline's threads (video thread, inference worker); only the
 * writes run on the clients' event loops.
 */
public final class StreamPublisher implements org.intravis.pipeline.VideoSink, AnnotationListener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StreamPublisher.class.getName());
    private static final ClientSession[] NONE = new ClientSession[0];
    private static final Variant[] VARIANTS = Variant.values(); // values() clones: not per frame
    /** Without a frame for this long the source counts as having no signal. */
    static final long NO_SIGNAL_NANOS = 1_500_000_000L;

    private final String streamId;
    private final StreamerSettings settings;
    private final ByteBufAllocator alloc;
    private final boolean h264Available;

    // ---- subscribers: copy-on-write arrays, changed under the lock (rare), read without it ----
    private final Object subscribersLock = new Object();
    private volatile ClientSession[][] byVariant = new ClientSession[Variant.COUNT][];
    private volatile ClientSession[] textClients = NONE;
    private volatile ClientSession[] allClients = NONE;
    private final ConcurrentLinkedQueue<ClientSession> joiners = new ConcurrentLinkedQueue<>();

    // ---- video thread ----
    private final AvVideoEncoder[] encoders = new AvVideoEncoder[Variant.COUNT];
    private final long[] sequence = new long[Variant.COUNT];
    private final long[] lastForcedKeyNanos = new long[Variant.COUNT];
    private final SlotViews views = new SlotViews();
    private final OverlayJson videoJson;
    private OverlayRenderer renderer;
    private Mat burned;
    private BytePointer burnedPixels;
    private long burnedAddress;
    private long encodeErrors;

    // ---- inference thread ----
    private final OverlayJson inferenceJson;
    private final AlertTracker alertTracker = new AlertTracker();
    private final AlertTracker.Emitter alertEmitter = this::emitAlert;
    private long alertSeq;
    private long lastHeatmapFrameId = Long.MIN_VALUE;
    private long lastHeatmapNanos;

    // ---- shared state ----
    private final AtomicBoolean[] keyRequested = new AtomicBoolean[Variant.COUNT];
    private final AtomicLong[] framesEncoded = new AtomicLong[Variant.COUNT];
    private final AtomicLong[] keyFramesEncoded = new AtomicLong[Variant.COUNT];
    private final AtomicLong[] bytesEncoded = new AtomicLong[Variant.COUNT];
    private final AtomicLong[] encodeMicros = new AtomicLong[Variant.COUNT];
    private final AtomicLong overlaysPublished = new AtomicLong();
    private final AtomicLong alertEvents = new AtomicLong();
    private final AtomicLong heatmapsPublished = new AtomicLong();
    private volatile String[] codecStrings = new String[Variant.COUNT];
    private volatile StreamPipeline pipeline;
    private volatile double fps;
    private volatile long lastFrameNanos;
    private volatile long lastFrameId = -1;
    private volatile int frameWidth;
    private volatile int frameHeight;
    private volatile int overlayStatus;
    private volatile long overlayAgeMillis = -1;
    private volatile boolean overlayFresh;
    private volatile int alertLevel;
    private volatile boolean closed;

    public StreamPublisher(String streamId, StreamerSettings settings, ByteBufAllocator alloc) {
        if (!settings.concluded()) {
            throw new IllegalStateException("conclude() the streamer settings first");
        }
        this.streamId = streamId;
        this.settings = settings;
        this.alloc = alloc;
        this.videoJson = new OverlayJson(streamId, settings.lowConfidence());
        this.inferenceJson = new OverlayJson(streamId, settings.lowConfidence());
        this.h264Available = org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name(settings.h264Encoder()) != null;
        for (int v = 0; v < Variant.COUNT; v++) {
            byVariant[v] = NONE;
            keyRequested[v] = new AtomicBoolean();
            framesEncoded[v] = new AtomicLong();
            keyFramesEncoded[v] = new AtomicLong();
            bytesEncoded[v] = new AtomicLong();
            encodeMicros[v] = new AtomicLong();
            codecStrings[v] = "";
        }
        if (!h264Available) {
            LOG.warning("stream " + streamId + ": FFmpeg has no H.264 encoder '" + settings.h264Encoder()
                    + "'; clients get JPEG");
        }
    }

    public String streamId() { return streamId; }
    public StreamerSettings settings() { return settings; }
    /** Whether H.264 can be offered (the configured encoder exists in this FFmpeg build). */
    public boolean h264Available() { return h264Available; }

    /** Connects the pipeline the publisher serves: source status, frame rate and the overlay latency histogram. */
    public void attach(StreamPipeline p) {
        this.pipeline = p;
        this.fps = p.source().nominalFps();
    }

    // ======================= subscribers =======================

    void add(ClientSession s) {
        synchronized (subscribersLock) {
            rebuild(s, null);
        }
        joiners.add(s);
        requestKeyFrame(s.variant());
    }

    void remove(ClientSession s) {
        synchronized (subscribersLock) {
            rebuild(null, s);
        }
    }

    /** Moves a session to another variant (event loop of the session). */
    void changeVariant(ClientSession s, Variant v) {
        synchronized (subscribersLock) {
            s.changeVariant(v);
            rebuild(null, null);
        }
        requestKeyFrame(v);
    }

    void changeWants(ClientSession s, boolean overlay, boolean heatmap) {
        synchronized (subscribersLock) {
            s.wants(overlay, heatmap);
            rebuild(null, null);
        }
    }

    private void rebuild(ClientSession added, ClientSession removed) {
        List<ClientSession> all = new ArrayList<>(Arrays.asList(allClients));
        if (added != null) {
            all.add(added);
        }
        if (removed != null) {
            all.remove(removed);
        }
        ClientSession[][] nv = new ClientSession[Variant.COUNT][];
        for (Variant v : Variant.values()) {
            nv[v.ordinal()] = all.stream().filter(c -> c.variant() == v).toArray(ClientSession[]::new);
        }
        textClients = all.stream().filter(c -> c.transport().carriesText()).toArray(ClientSession[]::new);
        byVariant = nv;
        allClients = all.toArray(NONE);
    }

    /** Sessions now connected (for stats). */
    List<ClientSession> sessions() {
        return List.of(allClients);
    }

    /** Asks for a key frame of a variant; honoured at the next frame, at most once per configured interval. */
    void requestKeyFrame(Variant v) {
        keyRequested[v.ordinal()].set(true);
    }

    // ======================= video thread =======================

    @Override
    public void onFrame(FrameSlot slot) {
        if (closed) {
            return;
        }
        Annotations attached = slot.annotations();
        lastFrameNanos = slot.stamp(Stage.CAPTURED);
        lastFrameId = slot.frameId();
        frameWidth = slot.width();
        frameHeight = slot.height();
        overlayStatus = statusCode(attached.status());
        overlayAgeMillis = slot.overlayAgeMillis();
        overlayFresh = slot.overlayFresh();

        ClientSession joiner;
        while ((joiner = joiners.poll()) != null) {
            if (joiner.wantsOverlay() && !joiner.closed()) { // the current overlay, so it need not wait for the next
                ByteBuf o = alloc.directBuffer(1024);
                videoJson.writeOverlay(o, attached);
                joiner.offerOverlay(o);
            }
        }

        ClientSession[][] subscribers = byVariant;
        boolean stampedEncoded = false;
        boolean burnedReady = false;
        long now = 0;
        for (int v = 0; v < Variant.COUNT; v++) {
            ClientSession[] clients = subscribers[v];
            if (clients.length == 0) {
                continue; // lazy: nobody wants this variant now
            }
            Variant variant = VARIANTS[v];
            if (variant.encoding() == Encoding.H264 && !h264Available) {
                continue;
            }
            try {
                long t0 = System.nanoTime();
                if (variant.burned() && !burnedReady) {
                    renderBurned(slot);
                    burnedReady = true;
                }
                AvVideoEncoder enc = encoder(variant);
                boolean forceKey = false;
                if (keyRequested[v].get() && t0 - lastForcedKeyNanos[v] >= settings.minForcedKeyIntervalMillis() * 1_000_000L) {
                    keyRequested[v].set(false);
                    lastForcedKeyNanos[v] = t0;
                    forceKey = true;
                }
                int n = variant.burned()
                        ? enc.encode(burnedPixels, burned.cols(), burned.rows(), (int) burned.step(), SlotViews.avPixelFormat(PixelFormat.BGR24), forceKey)
                        : enc.encode(views.pixels(slot), slot.width(), slot.height(), slot.stride(),
                        SlotViews.avPixelFormat(slot.format()), forceKey);
                if (n < 0) {
                    continue;
                }
                now = System.nanoTime();
                if (!stampedEncoded) {
                    slot.stamp(Stage.ENCODED, now);
                    stampedEncoded = true;
                }
                boolean key = enc.packetKey();
                ByteBuf msg = alloc.directBuffer(FrameHeader.LENGTH + n, FrameHeader.LENGTH + n);
                int flags = (key ? FrameHeader.FLAG_KEY : 0) | (variant.burned() ? FrameHeader.FLAG_BURNED : 0)
                        | (slot.overlayFresh() ? FrameHeader.FLAG_OVERLAY_FRESH : 0);
                boolean known = attached.status() != Annotations.Status.NONE;
                FrameHeader.write(msg, variant.encoding(), flags, slot.frameId(), slot.captureEpochMicros(),
                        PipelineClock.epochMicros(now), sequence[v]++, enc.width(), enc.height(),
                        known ? attached.frameId() : -1, slot.overlayAgeMillis(), overlayStatus,
                        known ? attached.alertLevel() : 0);
                enc.copyPacket(msg);
                fanOutVideo(clients, msg);
                framesEncoded[v].incrementAndGet();
                if (key) {
                    keyFramesEncoded[v].incrementAndGet();
                }
                bytesEncoded[v].addAndGet(n);
                encodeMicros[v].addAndGet((now - t0) / 1000);
                if (variant.encoding() == Encoding.H264 && codecStrings[v].isEmpty() && !enc.codecString().isEmpty()) {
                    String[] cs = codecStrings.clone();
                    cs[v] = enc.codecString();
                    codecStrings = cs;
                }
            } catch (RuntimeException e) {
                if (encodeErrors++ < 5 || encodeErrors % 1000 == 0) {
                    LOG.log(Level.WARNING, "stream " + streamId + ": encoding " + variant + " failed ("
                            + encodeErrors + " so far)", e);
                }
            }
        }
        if (stampedEncoded) {
            slot.stamp(Stage.SENT, System.nanoTime());
        }
    }

    private static void fanOutVideo(ClientSession[] clients, ByteBuf msg) {
        try {
            for (ClientSession c : clients) {
                c.offerVideo(msg.retainedDuplicate());
            }
        } finally {
            msg.release();
        }
    }

    private AvVideoEncoder encoder(Variant v) {
        AvVideoEncoder e = encoders[v.ordinal()];
        if (e == null) {
            e = new AvVideoEncoder(v.encoding(), settings, fps);
            encoders[v.ordinal()] = e;
        }
        return e;
    }

    private void renderBurned(FrameSlot slot) {
        if (renderer == null) {
            renderer = new OverlayRenderer(settings.lowConfidence());
            burned = new Mat();
        }
        Mat src = views.mat(slot);
        if (slot.format() == PixelFormat.GRAY8) {
            cvtColor(src, burned, COLOR_GRAY2BGR);
        } else {
            src.copyTo(burned);
        }
        renderer.render(burned, slot.annotations(), slot.overlayAgeMillis(), slot.overlayFresh());
        long address = burned.data().address();
        if (burnedPixels == null || address != burnedAddress) {
            burnedPixels = burned.data();
            burnedAddress = address;
        }
    }

    // ======================= inference thread =======================

    @Override
    public void onAnnotations(Annotations a) {
        if (closed) {
            return;
        }
        ClientSession[] clients = textClients;
        boolean anyOverlay = false;
        boolean anyHeatmap = false;
        for (ClientSession c : clients) {
            anyOverlay |= c.wantsOverlay();
            anyHeatmap |= c.wantsHeatmap();
        }
        if (anyOverlay) {
            ByteBuf msg = alloc.directBuffer(1024);
            inferenceJson.writeOverlay(msg, a);
            try {
                for (ClientSession c : clients) {
                    if (c.wantsOverlay()) {
                        c.offerOverlay(msg.retainedDuplicate());
                    }
                }
            } finally {
                msg.release();
            }
            overlaysPublished.incrementAndGet();
        }
        alertTracker.update(a, alertEmitter); // always, so the event sequence has no gaps
        alertLevel = a.status() == Annotations.Status.VALID ? a.alertLevel() : 0;

        long now = System.nanoTime();
        if (anyHeatmap && a.status() == Annotations.Status.VALID && a.heatmapClasses() > 0
                && a.heatmapFrameId() != lastHeatmapFrameId
                && now - lastHeatmapNanos >= (long) (1e9 / settings.heatmapMaxHz())) {
            lastHeatmapFrameId = a.heatmapFrameId();
            lastHeatmapNanos = now;
            int size = HeatmapMessage.size(a);
            ByteBuf msg = alloc.directBuffer(size, size);
            HeatmapMessage.write(msg, a);
            try {
                for (ClientSession c : clients) {
                    if (c.wantsHeatmap()) {
                        c.offerHeatmap(msg.retainedDuplicate());
                    }
                }
            } finally {
                msg.release();
            }
            heatmapsPublished.incrementAndGet();
        }
        StreamPipeline p = pipeline;
        if (p != null && anyOverlay) {
            p.latency().record(LatencyPoint.CAPTURE_TO_OVERLAY_SENT, a.capturedNanos(), System.nanoTime());
        }
    }

    private void emitAlert(String event, String reason, long id, int level, int kind, int tip, int zoneId,
                           int zoneIndex, int zoneClass, float mm, float px, long frameId, long captureUs) {
        long seq = ++alertSeq;
        alertEvents.incrementAndGet();
        ClientSession[] clients = textClients;
        if (clients.length == 0) {
            return;
        }
        ByteBuf msg = alloc.directBuffer(384);
        inferenceJson.writeAlertEvent(msg, seq, event, reason, id, level, kind, tip, zoneId, zoneIndex, zoneClass,
                mm, px, frameId, captureUs);
        try {
            for (ClientSession c : clients) {
                c.offerAlert(msg.retainedDuplicate());
            }
        } finally {
            msg.release();
        }
    }

    // ======================= status and stats =======================

    static int statusCode(Annotations.Status s) {
        return switch (s) {
            case NONE -> 0;
            case VALID -> 1;
            case FAILED -> 2;
        };
    }

    /** {@code ok}, {@code stale}, {@code off} (nothing known) or {@code failed}, as of the newest frame. */
    public String aiState() {
        return switch (overlayStatus) {
            case 0 -> "off";
            case 2 -> "failed";
            default -> overlayFresh ? "ok" : "stale";
        };
    }

    /** Whether a frame arrived recently. */
    public boolean signal() {
        long last = lastFrameNanos;
        return last != 0 && System.nanoTime() - last < NO_SIGNAL_NANOS;
    }

    /** The source's status when a pipeline is attached ({@code STREAMING}, {@code RECONNECTING}, ...), else empty. */
    public String sourceStatus() {
        StreamPipeline p = pipeline;
        return p == null ? "" : p.source().status().name();
    }

    public long lastFrameId() { return lastFrameId; }
    public int frameWidth() { return frameWidth; }
    public int frameHeight() { return frameHeight; }
    public long overlayAgeMillis() { return overlayAgeMillis; }
    public int alertLevel() { return alertLevel; }
    public double fps() { return fps; }

    /** The WebCodecs codec string of a variant's H.264 stream (empty before its first key frame). */
    public String codecString(Variant v) { return codecStrings[v.ordinal()]; }

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
        ClientSession[][] subs = byVariant;
        for (Variant v : Variant.values()) {
            int i = v.ordinal();
            long frames = framesEncoded[i].get();
            vs.add(new VariantStats(v.encoding().wireName(), v.layerName(), subs[i].length, frames,
                    keyFramesEncoded[i].get(), bytesEncoded[i].get(),
                    frames == 0 ? 0 : encodeMicros[i].get() / 1000.0 / frames, codecStrings[i]));
        }
        List<ClientStats> cs = new ArrayList<>();
        for (ClientSession s : allClients) {
            cs.add(s.stats());
        }
        return new Stats(streamId, signal(), sourceStatus(), aiState(), lastFrameId, frameWidth, frameHeight,
                overlayAgeMillis, alertLevel, overlaysPublished.get(), alertEvents.get(), heatmapsPublished.get(),
                vs, cs);
    }

    /**
     * Closes every client. Encoders and native views are freed with the pipeline's video thread gone (call after
     * the pipeline is closed).
     */
    @Override
    public void close() {
        closed = true;
        for (ClientSession s : allClients) {
            s.close(1001, "stream closed");
        }
        synchronized (subscribersLock) {
            allClients = NONE;
            textClients = NONE;
            ClientSession[][] nv = new ClientSession[Variant.COUNT][];
            Arrays.fill(nv, NONE);
            byVariant = nv;
        }
        for (int v = 0; v < Variant.COUNT; v++) {
            if (encoders[v] != null) {
                encoders[v].close();
                encoders[v] = null;
            }
        }
        views.close();
        if (renderer != null) {
            renderer.close();
            burned.close();
        }
    }
}
