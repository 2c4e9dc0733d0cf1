package org.intravis.capture;

import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.logging.Logger;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A PLUS toolkit ultrasound sequence: {@code plus:FILE.igs.mha} (header and pixels in one file) or
 * {@code plus:FILE.igs.mhd} (pixels in the {@code .raw} file it names), raw or zlib-compressed
 * ({@code CompressedData = True}) 8-bit grey frames, played in order.
 * <p>
 * Timing: {@code fps=N} when given; otherwise the frames' {@code Seq_FrameNNNN_Timestamp} fields when every frame
 * has one (gaps in the recording are kept); otherwise the median spacing of the timestamps there are; otherwise
 * 30 fps. Options: {@code pace=realtime|fast}, {@code loop}, {@code pixelSpacingMm} (else the header's
 * {@code ElementSpacing}, except MetaImage's default {@code 1 1 1}, which PLUS writes for uncalibrated images
 * and is reported as unknown).
 * <p>
 * Frames are read straight into the slot (positional reads, or inflating into it): nothing is allocated per frame.
 * A data file shorter than the header says, or compressed data damaged part-way, plays the complete frames it
 * has and says so in {@link #statusDetail()}; a file with no readable frame fails at {@link #open()}.
 */
public final class PlusSequenceSource extends PlayedSource {
    private static final Logger LOG = Logger.getLogger(PlusSequenceSource.class.getName());
    private static final double DEFAULT_FPS = 30;

    private final Path path;
    private final double fpsOption;
    private final double spacingOption;
    private final Map<ByteBuffer, ByteBuffer> views = new IdentityHashMap<>();

    private int width;
    private int height;
    private int declaredFrames;
    private int frames;
    private boolean compressed;
    private long dataStart;
    private FileChannel channel;
    private Inflater inflater;
    private ByteBuffer compressedChunk;
    private long[] ptsMicros;
    private long periodMicros;
    private double spacingMm;
    private String timing = "";

    private int index;
    private volatile String damage = "";

    public PlusSequenceSource(SourceUri uri) {
        super(uri);
        this.path = location("PLUS source needs a file, e.g. plus:/data/scan.igs.mha");
        if (playback.format() != PixelFormat.GRAY8) {
            throw new IllegalArgumentException("PLUS sequences are grey: format=gray only (in " + uri.redacted() + ")");
        }
        this.fpsOption = uri.doubleOption("fps", 0);
        this.spacingOption = uri.doubleOption("pixelSpacingMm", 0);
        if (fpsOption < 0 || spacingOption < 0) {
            throw new IllegalArgumentException("fps and pixelSpacingMm must be positive (in " + uri.redacted() + ")");
        }
    }

    @Override
    protected String description() {
        return "PLUS sequence " + path;
    }

    @Override
    protected void openGuarded() throws CaptureException {
        requireReadableFile(path, "PLUS sequence");
        MetaImageHeader header;
        try {
            header = MetaImageHeader.read(path);
        } catch (IOException e) {
            throw fail(e.getMessage());
        }
        try {
            describe(header);
            openData(header);
            rewind();
            // read the first frame now: a sequence whose pixels cannot be read fails here, clearly
            if (!readFrame(scratchView()) || frames == 0) {
                throw fail("PLUS sequence " + path + " has no readable frame" + (damage.isEmpty() ? "" : ": " + damage));
            }
            rewind();
        } catch (IOException e) {
            throw fail("cannot read PLUS sequence " + path + ": " + e.getMessage());
        }
        geometry(new FrameGeometry(width, height, PixelFormat.GRAY8));
        status(SourceStatus.STREAMING);
        LOG.info(() -> "opened PLUS sequence " + path + ": " + frames + " frames of " + width + "x" + height
                + (compressed ? " (zlib)" : " (raw)") + ", " + timing);
    }

    private void describe(MetaImageHeader h) throws IOException, CaptureException {
        int[] dims = h.dimSize();
        if (dims.length < 2 || dims.length > 3 || Arrays.stream(dims).anyMatch(d -> d <= 0)) {
            throw fail("PLUS sequence " + path + ": DimSize " + Arrays.toString(dims)
                    + " is not WIDTH HEIGHT FRAMES");
        }
        String type = h.get("ElementType", "");
        if (!type.equals("MET_UCHAR")) {
            throw fail("PLUS sequence " + path + " has " + (type.isEmpty() ? "no ElementType" : type)
                    + " pixels; only 8-bit grey (MET_UCHAR) sequences are supported");
        }
        String channels = h.get("ElementNumberOfChannels", "1");
        if (!channels.equals("1")) {
            throw fail("PLUS sequence " + path + " has " + channels + " channels per pixel; only grey (1) is supported");
        }
        width = dims[0];
        height = dims[1];
        declaredFrames = dims.length == 3 ? dims[2] : 1;
        frames = declaredFrames;
        compressed = h.compressed();
        spacingMm = spacingOption > 0 ? spacingOption : headerSpacing(h);
        timing(h);
    }

    private static double headerSpacing(MetaImageHeader h) {
        String v = h.get("ElementSpacing", "").trim();
        double x = h.spacingX();
        if (v.isEmpty() || allOnes(v) || !(x > 0)) {
            return 0; // MetaImage's default: not calibrated
        }
        return x;
    }

    /**
     * Whether every value is written as 1 ("1", "1.0", "1.000"). Token by token: a repeated regex group over the
     * whole line recursed once per value, and a damaged header with thousands of them overflowed the stack.
     */
    private static boolean allOnes(String values) {
        for (String token : values.split("\\s+")) {
            if (!token.matches("1(\\.0*)?")) {
                return false;
            }
        }
        return true;
    }

    /** Presentation times of the frames, per the class comment. */
    private void timing(MetaImageHeader h) {
        ptsMicros = new long[declaredFrames];
        double[] t = new double[declaredFrames];
        int present = 0;
        boolean ordered = true;
        for (int i = 0; i < declaredFrames; i++) {
            t[i] = h.timestamp(i);
            if (!Double.isNaN(t[i])) {
                present++;
                if (i > 0 && !Double.isNaN(t[i - 1]) && t[i] < t[i - 1]) {
                    ordered = false;
                }
            }
        }
        double fps;
        if (fpsOption > 0) {
            fps = fpsOption;
            timing = "paced at " + fps + " fps (option)";
        } else if (present == declaredFrames && ordered && declaredFrames > 1 && t[declaredFrames - 1] > t[0]) {
            for (int i = 0; i < declaredFrames; i++) {
                ptsMicros[i] = Math.round((t[i] - t[0]) * 1e6);
            }
            fps = (declaredFrames - 1) / (t[declaredFrames - 1] - t[0]);
            periodMicros = Math.max(1, ptsMicros[declaredFrames - 1] / (declaredFrames - 1));
            timing = "paced by the frames' timestamps (" + String.format("%.1f", fps) + " fps on average)";
            nominalFps(fps);
            return;
        } else {
            double median = medianSpacing(t);
            fps = median > 0 ? 1 / median : DEFAULT_FPS;
            timing = median > 0 ? "paced at " + String.format("%.1f", fps) + " fps (median timestamp spacing; "
                    + (declaredFrames - present) + " frames have no timestamp)" : "paced at " + fps + " fps (default)";
        }
        periodMicros = Math.round(1e6 / fps);
        for (int i = 0; i < declaredFrames; i++) {
            ptsMicros[i] = i * periodMicros;
        }
        nominalFps(fps);
    }

    private static double medianSpacing(double[] t) {
        double[] d = new double[t.length];
        int n = 0;
        int prev = -1;
        for (int i = 0; i < t.length; i++) {
            if (Double.isNaN(t[i])) {
                continue;
            }
            if (prev >= 0 && t[i] > t[prev]) {
                d[n++] = (t[i] - t[prev]) / (i - prev);
            }
            prev = i;
        }
        if (n == 0) {
            return 0;
        }
        Arrays.sort(d, 0, n);
        return d[n / 2];
    }

    private void openData(MetaImageHeader h) throws IOException, CaptureException {
        Path data = h.dataFile();
        if (!Files.isRegularFile(data)) {
            throw fail("PLUS sequence " + path + ": its data file " + data + " does not exist");
        }
        dataStart = h.local() ? h.dataOffset() : 0;
        channel = FileChannel.open(data, StandardOpenOption.READ);
        long frameBytes = (long) width * height;
        if (compressed) {
            inflater = new Inflater();
            compressedChunk = ByteBuffer.allocateDirect(1 << 16);
        } else {
            long available = (channel.size() - dataStart) / frameBytes;
            if (available < declaredFrames) {
                frames = (int) Math.max(0, available);
                damage = "the data file holds only " + frames + " of the " + declaredFrames + " frames the header lists";
                LOG.warning(() -> "PLUS sequence " + path + ": " + damage);
            }
        }
    }

    private ByteBuffer scratchView() {
        return ByteBuffer.allocateDirect(width * height);
    }

    /** Back to the first frame. */
    private void rewind() throws IOException {
        index = 0;
        if (compressed) {
            inflater.reset();
            compressedChunk.clear().flip();
            channel.position(dataStart);
        }
    }

    /** Reads frame {@link #index} into {@code dst} (its first width*height bytes); false when there is none. */
    private boolean readFrame(ByteBuffer dst) throws IOException {
        if (index >= frames) {
            return false;
        }
        int frameBytes = width * height;
        dst.clear().limit(frameBytes);
        if (!compressed) {
            long pos = dataStart + (long) index * frameBytes;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n < 0) {
                    return endedEarly("the data file ends inside frame " + index);
                }
                pos += n;
            }
            index++;
            return true;
        }
        try {
            while (dst.hasRemaining()) {
                int n = inflater.inflate(dst);
                if (n > 0) {
                    continue;
                }
                if (inflater.finished()) {
                    return endedEarly("the compressed data ends after " + index + " of " + declaredFrames + " frames");
                }
                if (inflater.needsDictionary()) {
                    return endedEarly("the compressed data asks for a preset dictionary at frame " + index);
                }
                if (inflater.needsInput()) {
                    compressedChunk.clear();
                    if (channel.read(compressedChunk) < 0) {
                        return endedEarly("the compressed data is cut off inside frame " + index);
                    }
                    compressedChunk.flip();
                    inflater.setInput(compressedChunk);
                }
            }
        } catch (DataFormatException e) {
            return endedEarly("the compressed data is damaged in frame " + index + " (" + e.getMessage() + ")");
        }
        index++;
        return true;
    }

    /** The data stops before the header says: play the frames before it, and say so. */
    private boolean endedEarly(String why) {
        if (frames != index) {
            frames = index;
            damage = why;
            LOG.warning(() -> "PLUS sequence " + path + ": " + why + "; playing the " + index + " complete frames");
        }
        return false;
    }

    @Override
    public double pixelSpacingMm() {
        return spacingMm;
    }

    @Override
    protected Read readGuarded(FrameSlot slot) throws CaptureException {
        try {
            if (channel == null || status() == SourceStatus.ENDED) {
                return Read.END;
            }
            if (index >= frames) {
                if (!loopAtEnd(periodMicros)) {
                    return Read.END;
                }
                rewind();
            }
            long pts = loopBaseMicros + ptsMicros[index];
            if (!due(pts)) {
                return Read.NONE;
            }
            if (!readFrame(viewOf(slot.pixels()))) {
                return Read.NONE; // the data stopped early: the next call ends or loops
            }
            slot.frame(width, height, width, PixelFormat.GRAY8);
            return delivered(slot, pts);
        } catch (IOException e) {
            throw fail("cannot read PLUS sequence " + path + ": " + e.getMessage());
        }
    }

    /** A view of a slot's pixels made once per slot, so that reading moves no position the slot's users see. */
    private ByteBuffer viewOf(ByteBuffer pixels) {
        ByteBuffer v = views.get(pixels);
        if (v == null) {
            v = pixels.duplicate();
            views.put(pixels, v);
        }
        return v;
    }

    @Override
    protected String detail() {
        StringBuilder s = new StringBuilder().append(delivered).append(" frames delivered of ").append(frames)
                .append(loopsDetail());
        s.append(", ").append(timing);
        if (!damage.isEmpty()) {
            s.append("; ").append(damage);
        }
        return s.toString();
    }

    /** Frames the source will play per pass (fewer than the header lists when the data stops early). */
    public int frameCount() {
        return frames;
    }

    @Override
    protected void release() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.fine(() -> "closing " + path + ": " + e.getMessage());
        }
        channel = null;
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
        views.clear();
    }
}
