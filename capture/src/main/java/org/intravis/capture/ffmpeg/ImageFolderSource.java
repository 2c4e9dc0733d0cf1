package org.intravis.capture.ffmpeg;

import org.intravis.capture.CloseGuard;
import org.intravis.capture.FramePacer;
import org.intravis.capture.Playback;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.NaturalOrder;
import org.intravis.pipeline.SourceStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A folder of still images played as a video: {@code images:DIR?fps=30&loop=false&pace=realtime|fast&format=gray|bgr
 * &maxWidth=W&maxHeight=H}. PNG and JPEG (also BMP and TIFF), in name order with numbers compared by value
 * ({@code frame2.png} before {@code frame10.png}), decoded by FFmpeg.
 * <p>
 * A missing or empty folder, or one where no image can be read, fails at {@link #open()}. An unreadable image in
 * between is skipped and counted ({@link #statusDetail()}). The frame size is the first readable image's (capped
 * by maxWidth/maxHeight); larger images are scaled down to fit, keeping their aspect ratio.
 */
public final class ImageFolderSource implements FrameSource {
    private static final Logger LOG = Logger.getLogger(ImageFolderSource.class.getName());
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff");
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final SourceUri uri;
    private final Path dir;
    private final Playback playback;
    private final double fps;
    private final int maxWidth;
    private final int maxHeight;
    private final CloseGuard guard = new CloseGuard(this::release);
    private final FramePacer pacer = new FramePacer();

    private List<Path> images = List.of();
    private FrameGeometry geometry;
    private SlotConverter converter;
    private FfmpegInput current;
    private int next;
    private long frameNumber;
    private int failuresInARow;
    private volatile long delivered;
    private volatile long skipped;
    private volatile String lastSkip = "";
    private volatile SourceStatus status = SourceStatus.IDLE;
    private volatile String failure = "";

    public ImageFolderSource(SourceUri uri) {
        this.uri = uri;
        if (uri.location().isBlank()) {
            throw new IllegalArgumentException("image folder source needs a folder, e.g. images:/data/frames");
        }
        this.dir = Paths.get(uri.location());
        this.playback = Playback.from(uri);
        this.fps = uri.doubleOption("fps", 30);
        if (!(fps > 0)) {
            throw new IllegalArgumentException("source option fps must be positive (in " + uri.raw() + ")");
        }
        this.maxWidth = uri.intOption("maxWidth", 0);
        this.maxHeight = uri.intOption("maxHeight", 0);
    }

    @Override
    public String uri() {
        return uri.raw();
    }

    @Override
    public void open() throws CaptureException {
        if (!Files.exists(dir)) {
            throw fail("image folder " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw fail(dir + " is not a folder (images: takes a folder of PNG or JPEG frames)");
        }
        try (Stream<Path> files = Files.list(dir)) {
            images = files.filter(p -> Files.isRegularFile(p) && EXTENSIONS.contains(extension(p)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString(), NaturalOrder.NAMES))
                    .toList();
        } catch (IOException e) {
            throw fail("cannot list image folder " + dir + ": " + e.getMessage());
        }
        if (images.isEmpty()) {
            throw fail("image folder " + dir + " has no PNG or JPEG images");
        }
        if (!guard.enter()) {
            throw fail("image folder " + dir + ": the source is closed");
        }
        try {
            while (current == null && next < images.size()) {
                current = load(images.get(next++));
            }
            if (current == null) {
                throw fail("none of the " + images.size() + " images in folder " + dir + " could be read ("
                        + lastSkip + ")");
            }
            int w = current.frame().width();
            int h = current.frame().height();
            long fitted = SlotConverter.fit(w, h, maxWidth > 0 ? maxWidth : w, maxHeight > 0 ? maxHeight : h);
            geometry = new FrameGeometry(SlotConverter.fittedWidth(fitted), SlotConverter.fittedHeight(fitted),
                    playback.format());
            converter = new SlotConverter(geometry);
            status = SourceStatus.STREAMING;
            LOG.info(() -> "opened image folder " + dir + ": " + images.size() + " images, " + w + "x" + h
                    + ", delivered as " + geometry.maxWidth() + "x" + geometry.maxHeight() + " " + geometry.format());
        } finally {
            guard.exit();
        }
    }

    /** Decodes one image; null (counted as skipped) when it cannot be read. */
    private FfmpegInput load(Path image) {
        FfmpegInput in = new FfmpegInput("image " + image, guard);
        try {
            in.open("file:" + image.toAbsolutePath(), null, Map.of(), 0, false, 1, false);
        } catch (FfmpegException e) {
            return skip(image, e.getMessage());
        }
        if (in.decodeNext(0) != FfmpegInput.Result.FRAME) {
            String why = in.lastError() != 0 ? in.lastErrorText() : "no picture decoded";
            in.close();
            return skip(image, "image " + image + ": " + why);
        }
        failuresInARow = 0;
        return in;
    }

    private FfmpegInput skip(Path image, String why) {
        skipped++;
        failuresInARow++;
        lastSkip = why;
        LOG.warning(() -> "skipping unreadable " + why);
        return null;
    }

    private CaptureException fail(String message) {
        status = SourceStatus.FAILED;
        failure = message;
        return new CaptureException(message);
    }

    @Override
    public FrameGeometry geometry() {
        if (geometry == null) {
            throw new IllegalStateException("open() the source first: " + uri.raw());
        }
        return geometry;
    }

    @Override
    public double nominalFps() {
        return fps;
    }

    @Override
    public Read readInto(FrameSlot slot) throws CaptureException {
        if (!guard.enter()) {
            return Read.END;
        }
        try {
            if (images.isEmpty() || status == SourceStatus.ENDED) {
                return Read.END;
            }
            while (current == null) {
                if (failuresInARow >= images.size()) {
                    throw fail("none of the " + images.size() + " images in folder " + dir
                            + " can be read any more (" + lastSkip + ")");
                }
                if (next >= images.size()) {
                    if (!playback.loop()) {
                        status = SourceStatus.ENDED;
                        return Read.END;
                    }
                    next = 0;
                }
                current = load(images.get(next++));
            }
            long ptsMicros = Math.round(frameNumber * 1_000_000.0 / fps);
            if (playback.realtime()) {
                long wait = pacer.nanosUntilDue(ptsMicros, System.nanoTime());
                if (wait > 0) {
                    LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS));
                    if (pacer.nanosUntilDue(ptsMicros, System.nanoTime()) > 0) {
                        return Read.NONE;
                    }
                }
            }
            converter.convert(current, slot);
            slot.sourcePtsMicros(ptsMicros);
            current.close();
            current = null;
            frameNumber++;
            delivered++;
            return Read.FRAME;
        } finally {
            guard.exit();
        }
    }

    @Override
    public SourceStatus status() {
        return status;
    }

    @Override
    public String statusDetail() {
        if (!failure.isEmpty()) {
            return failure;
        }
        String s = delivered + " frames delivered from " + images.size() + " images";
        return skipped == 0 ? s : s + ", skipped " + skipped + " unreadable (last: " + lastSkip + ")";
    }

    /** Images in the folder (valid after open; offline tools show progress against it). */
    public int imageCount() {
        return images.size();
    }

    /** Images that could not be read (each time one was tried). */
    public long skippedImages() {
        return skipped;
    }

    @Override
    public boolean live() {
        return false;
    }

    @Override
    public void close() {
        guard.close(2000);
        status = SourceStatus.CLOSED;
    }

    private void release() {
        if (current != null) {
            current.close();
            current = null;
        }
        if (converter != null) {
            converter.close();
        }
    }

    private static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
