package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.StreamCounters;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PipelineClock;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.Stage;
import org.intravis.pipeline.VideoSink;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * The video half of a stream's publisher, on the stream's video thread: each frame is encoded once per variant some
 * client wants (lazily: a variant nobody watches costs nothing), framed with its header (docs/protocol.md, type 1)
 * in one pooled buffer, and fanned out as a {@code retainedDuplicate()} to each of the variant's clients; the
 * original is released once. A client that joined since the last frame gets the overlay this frame carries, so it
 * need not wait for the next inference.
 * <p>
 * Key frames are asked for from the clients' event loops ({@link #requestKeyFrame}) and honoured here at the next
 * frame, at most once per configured interval per variant. What the newest frame showed (its id, size, overlay
 * status and age) is published in volatile fields for the stats.
 */
final class VideoFanOut implements VideoSink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VideoFanOut.class.getName());
    private static final Variant[] VARIANTS = Variant.values(); // values() clones: not per frame

    private final String streamId;
    private final StreamerSettings settings;
    private final ByteBufAllocator alloc;
    private final Subscribers subscribers;
    private final boolean h264Available;

    // ---- video thread ----
    private final AvVideoEncoder[] encoders = new AvVideoEncoder[Variant.COUNT];
    private final long[] sequence = new long[Variant.COUNT];
    private final long[] lastForcedKeyNanos = new long[Variant.COUNT];
    private final SlotViews views = new SlotViews();
    private final OverlayJson json;
    private OverlayRenderer renderer;
    private Mat burned;
    private BytePointer burnedPixels;
    private long burnedAddress;
    private long encodeErrors;
    private long framesSeen;
    private StreamCounters counters;

    // ---- written here, read by the clients' event loops and the stats ----
    private final AtomicBoolean[] keyRequested = new AtomicBoolean[Variant.COUNT];
    private final AtomicLong[] framesEncoded = new AtomicLong[Variant.COUNT];
    private final AtomicLong[] keyFramesEncoded = new AtomicLong[Variant.COUNT];
    private final AtomicLong[] bytesEncoded = new AtomicLong[Variant.COUNT];
    private final AtomicLong[] encodeMicros = new AtomicLong[Variant.COUNT];
    private volatile String[] codecStrings = new String[Variant.COUNT];
    private volatile double fps;
    private volatile long lastFrameNanos;
    private volatile long lastFrameId = -1;
    private volatile int frameWidth;
    private volatile int frameHeight;
    private volatile int overlayStatus;
    private volatile long overlayAgeMillis = -1;
    private volatile boolean overlayFresh;
    private volatile boolean closed;
    /** The encoders' rate step under load (0: every frame; see {@link #RATE_STEPS}); set by the load governor. */
    private volatile int rateStep;

    /**
     * Frames left out per step: step s encodes all but one frame in {@code RATE_STEPS[s]} (4: three of four, 3: two
     * of three, 2: one of two), the same frames for every variant, so one encode per variant stays.
     */
    static final int[] RATE_STEPS = {0, 4, 3, 2};

    VideoFanOut(String streamId, StreamerSettings settings, ByteBufAllocator alloc, Subscribers subscribers,
                boolean h264Available) {
        this.streamId = streamId;
        this.settings = settings;
        this.alloc = alloc;
        this.subscribers = subscribers;
        this.h264Available = h264Available;
        this.json = new OverlayJson(streamId, settings.lowConfidence()).encoderStep(this::rateStep);
        for (int v = 0; v < Variant.COUNT; v++) {
            keyRequested[v] = new AtomicBoolean();
            framesEncoded[v] = new AtomicLong();
            keyFramesEncoded[v] = new AtomicLong();
            bytesEncoded[v] = new AtomicLong();
            encodeMicros[v] = new AtomicLong();
            codecStrings[v] = "";
        }
    }

    /** The encoders' frame rate (the source's nominal rate); set before the first frame. */
    void fps(double f) {
        this.fps = f;
    }

    /** Where the frames left out under load are counted ({@link Counter#VIDEO_THINNED}); set before the first frame. */
    void counters(StreamCounters c) {
        this.counters = c;
    }

    /** Sets the rate step (any thread; from the next frame): 0 encodes every frame, higher steps fewer. */
    void rateStep(int step) {
        if (step < 0 || step >= RATE_STEPS.length) {
            throw new IllegalArgumentException("rate step " + step + " outside 0.." + (RATE_STEPS.length - 1));
        }
        this.rateStep = step;
    }

    int rateStep() {
        return rateStep;
    }

    /** Asks for a key frame of a variant (any thread); honoured at the next frame, at most once per interval. */
    void requestKeyFrame(Variant v) {
        keyRequested[v.ordinal()].set(true);
    }

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
        overlayStatus = FrameHeader.overlayStatus(attached.status());
        overlayAgeMillis = slot.overlayAgeMillis();
        overlayFresh = slot.overlayFresh();

        ClientSession joiner;
        while ((joiner = subscribers.pollJoiner()) != null) {
            if (joiner.wantsOverlay() && !joiner.closed()) { // the current overlay, so it need not wait for the next
                ByteBuf o = alloc.directBuffer(1024);
                json.writeOverlay(o, attached);
                joiner.offerOverlay(o);
            }
        }

        ClientSession[][] byVariant = subscribers.byVariant();
        boolean stampedEncoded = false;
        boolean burnedReady = false;
        int every = RATE_STEPS[rateStep];
        boolean thin = every > 0 && framesSeen % every == every - 1; // under load: this frame is left out
        framesSeen++;
        boolean thinned = false;
        for (int v = 0; v < Variant.COUNT; v++) {
            ClientSession[] clients = byVariant[v];
            if (clients.length == 0) {
                continue; // lazy: nobody wants this variant now
            }
            if (thin) {
                thinned = true;
                continue;
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
                        ? enc.encode(burnedPixels, burned.cols(), burned.rows(), (int) burned.step(), AvVideoEncoder.avPixelFormat(PixelFormat.BGR24), forceKey)
                        : enc.encode(views.pixels(slot), slot.width(), slot.height(), slot.stride(),
                        AvVideoEncoder.avPixelFormat(slot.format()), forceKey);
                if (n < 0) {
                    continue;
                }
                long now = System.nanoTime();
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
                fanOut(clients, msg);
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
        if (thinned && counters != null) {
            counters.increment(Counter.VIDEO_THINNED);
        }
    }

    private static void fanOut(ClientSession[] clients, ByteBuf msg) {
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

    // ======== the newest frame, for the stats (any thread) ========

    long lastFrameNanos() { return lastFrameNanos; }
    long lastFrameId() { return lastFrameId; }
    int frameWidth() { return frameWidth; }
    int frameHeight() { return frameHeight; }
    long overlayAgeMillis() { return overlayAgeMillis; }
    int overlayStatus() { return overlayStatus; }
    boolean overlayFresh() { return overlayFresh; }
    double fps() { return fps; }
    String codecString(Variant v) { return codecStrings[v.ordinal()]; }

    /** One variant's encoder counters, with the number of clients watching it now. */
    StreamPublisher.VariantStats stats(Variant v, int clients) {
        int i = v.ordinal();
        long frames = framesEncoded[i].get();
        return new StreamPublisher.VariantStats(v.encoding().wireName(), v.layerName(), clients, frames,
                keyFramesEncoded[i].get(), bytesEncoded[i].get(),
                frames == 0 ? 0 : encodeMicros[i].get() / 1000.0 / frames, codecStrings[i]);
    }

    /** Stops fanning out; frees the encoders and native views (call with the video thread gone). */
    @Override
    public void close() {
        closed = true;
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
