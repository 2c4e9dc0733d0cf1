package org.intravis.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One entry of a stream's ring: a frame's pixels (off-heap, sized for the stream's largest frame), its metadata,
 * one monotonic timestamp per {@link Stage}, the annotations attached to it by the video branch, and the ground
 * truth of synthetic sources. Allocated once per ring entry and reused for every frame that passes through it.
 * <p>
 * Ownership (hot-path rule 4): the capture thread owns a slot from the claim until it publishes; after that the
 * video branch may write the fields it owns ({@link #annotations()}, the ENCODED/SENT stamps). Readers that do
 * not gate the ring (the inference branch, the recorder) read optimistically: they note
 * {@link #writeVersion()} before copying the pixels out and keep the copy only if {@link #unchangedSince(long)}.
 */
public final class FrameSlot {
    private static final VarHandle WRITE_VERSION;

    static {
        try {
            WRITE_VERSION = MethodHandles.lookup().findVarHandle(FrameSlot.class, "writeVersion", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int index;
    private final ByteBuffer pixels;
    private final Annotations annotations = new Annotations();
    private final GroundTruth groundTruth;
    private final long[] stamps = new long[Stage.COUNT];

    @SuppressWarnings("unused") // accessed through WRITE_VERSION
    private volatile long writeVersion;

    private int streamIndex;
    private long sequence = -1;
    private long frameId = -1;
    private int width;
    private int height;
    private int stride;
    private PixelFormat format;
    /** A presentation time not given. */
    public static final long NO_PTS = Long.MIN_VALUE;
    /**
     * Bytes allocated after a slot's largest frame for native code that writes past a picture's end: FFmpeg 8's
     * swscale writes 24 bytes beyond the last row when it converts 4:2:0 or 4:2:2 YUV to BGR24 at widths of 8 mod 16
     * (360, 1080: measured in SlotTailTest); a slot sized to the byte let that overwrite the allocator's own data
     * after it, and the process died later ("free(): invalid pointer"; first seen through the DICOM reader).
     */
    public static final int NATIVE_TAIL = 256;

    private long sourcePtsMicros = NO_PTS;
    private long captureEpochMicros;
    private long overlayAgeMillis = -1;
    private boolean overlayFresh;
    private boolean videoShown;

    /**
     * @param index          position of the slot in its ring (consumers key per-slot native views on it)
     * @param geometry       the stream's largest frame
     * @param withGroundTruth whether to allocate a ground-truth label map of the largest frame's size
     */
    public FrameSlot(int index, FrameGeometry geometry, boolean withGroundTruth) {
        this.index = index;
        this.pixels = pixelMemory(geometry.maxFrameBytes());
        this.groundTruth = new GroundTruth(withGroundTruth ? geometry.maxWidth() * geometry.maxHeight() : 0);
        this.format = geometry.format();
        this.width = geometry.maxWidth();
        this.height = geometry.maxHeight();
        this.stride = geometry.maxWidth() * geometry.format().bytesPerPixel();
    }

    /**
     * Off-heap memory for {@code bytes} of pixels that native code reads or writes (native order): the buffer shows
     * {@code bytes}, and {@link #NATIVE_TAIL} owned bytes follow it for writes past a picture's end.
     */
    public static ByteBuffer pixelMemory(int bytes) {
        return ByteBuffer.allocateDirect(bytes + NATIVE_TAIL).slice(0, bytes).order(ByteOrder.nativeOrder());
    }

    public int index() { return index; }

    /** The pixel memory (direct, capacity = largest frame). Rows are {@link #stride()} bytes apart. */
    public ByteBuffer pixels() { return pixels; }

    public Annotations annotations() { return annotations; }
    public GroundTruth groundTruth() { return groundTruth; }

    public int streamIndex() { return streamIndex; }
    /** Ring sequence the slot was last published at. */
    public long sequence() { return sequence; }
    /** The source's frame number, monotonic per stream: the frame id clients see. */
    public long frameId() { return frameId; }
    public int width() { return width; }
    public int height() { return height; }
    public int stride() { return stride; }
    public PixelFormat format() { return format; }
    public int frameBytes() { return stride * height; }
    /**
     * Presentation time reported by the source (microseconds from its start); for a source that gives none, the
     * capture agent's: capture time since the stream's first frame.
     */
    public long sourcePtsMicros() { return sourcePtsMicros; }
    /** Wall-clock capture time, epoch microseconds: the time clients measure glass-to-glass latency against. */
    public long captureEpochMicros() { return captureEpochMicros; }

    /** Sets the frame's layout; the source calls it before writing the pixels. */
    public void frame(int w, int h, int rowStride, PixelFormat pixelFormat) {
        int bytes = rowStride * h;
        if (w <= 0 || h <= 0 || rowStride < w * pixelFormat.bytesPerPixel() || bytes > pixels.capacity()) {
            throw new IllegalArgumentException("frame " + w + "x" + h + " stride " + rowStride + " " + pixelFormat
                    + " does not fit a slot of " + pixels.capacity() + " bytes");
        }
        width = w;
        height = h;
        stride = rowStride;
        format = pixelFormat;
    }

    /** A source sets its frame's presentation time ({@link #NO_PTS} before each read: not given). */
    public void sourcePtsMicros(long pts) { sourcePtsMicros = pts; }

    /** Called by the capture agent when it owns the slot: identity and the CAPTURED stamp. */
    public void captured(int stream, long seq, long id, long nanoTime) {
        streamIndex = stream;
        sequence = seq;
        frameId = id;
        stamps[Stage.CAPTURED.ordinal()] = nanoTime;
        captureEpochMicros = PipelineClock.epochMicros(nanoTime);
        for (int s = 1; s < Stage.COUNT; s++) {
            stamps[s] = 0;
        }
        // the video branch's decision is per frame: forget the one made for the slot's previous frame
        overlayAgeMillis = -1;
        overlayFresh = false;
        videoShown = false;
    }

    public long stamp(Stage stage) { return stamps[stage.ordinal()]; }
    public void stamp(Stage stage, long nanoTime) { stamps[stage.ordinal()] = nanoTime; }

    /** Age of the attached annotations relative to this frame, ms; -1 when nothing is known. */
    public long overlayAgeMillis() { return overlayAgeMillis; }
    /** Whether the attached annotations are young enough to show (within the stream's staleness budget). */
    public boolean overlayFresh() { return overlayFresh; }

    /**
     * Whether the video branch showed this frame (attached {@link #annotations()} and handed it to the sinks);
     * false for a frame it skipped to catch up. Readers that follow the video branch
     * ({@link StreamPipeline.Context#readerAfterVideo}) record this decision.
     */
    public boolean videoShown() { return videoShown; }

    void overlayAttached(long ageMillis, boolean fresh) {
        overlayAgeMillis = ageMillis;
        overlayFresh = fresh;
        videoShown = true;
    }

    // ---- optimistic reading by non-gating consumers ----

    /** The capture agent calls this before writing a slot it has claimed. */
    public void beginWrite() {
        long v = (long) WRITE_VERSION.getOpaque(this);
        WRITE_VERSION.setRelease(this, v + 1);
        VarHandle.storeStoreFence();
    }

    /** The capture agent calls this when the slot's content is complete, before publishing it. */
    public void endWrite() {
        long v = (long) WRITE_VERSION.getOpaque(this);
        WRITE_VERSION.setRelease(this, v + 1);
    }

    /** Version to note before an optimistic read; odd means a write is under way (the read will fail). */
    public long writeVersion() {
        return (long) WRITE_VERSION.getAcquire(this);
    }

    /** True when nothing was written to the slot since {@code version} was read (and it was not mid-write). */
    public boolean unchangedSince(long version) {
        VarHandle.loadLoadFence();
        return (version & 1L) == 0 && (long) WRITE_VERSION.getAcquire(this) == version;
    }
}
