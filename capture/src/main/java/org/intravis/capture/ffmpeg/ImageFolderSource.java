package org.intravis.capture.ffmpeg;

import org.intravis.capture.PlayedSource;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.NaturalOrder;
import org.intravis.pipeline.SourceStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
public final class ImageFolderSource extends PlayedSource {
    private static final Logger LOG = Logger.getLogger(ImageFolderSource.class.getName());
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "tif", "tiff");

    private final Path dir;
    private final double fps;
    private final int maxWidth;
    private final int maxHeight;

    private List<Path> images = List.of();
    private SlotConverter converter;
    private FfmpegInput current;
    private Path currentImage;
    private volatile Path deliveredImage;
    private int next;
    private int failuresInARow;
    private volatile long skipped;
    private volatile String lastSkip = "";

    public ImageFolderSource(SourceUri uri) {
        super(uri);
        this.dir = location("image folder source needs a folder, e.g. images:/data/frames");
        this.fps = uri.doubleOption("fps", 30);
        if (!(fps > 0)) {
            throw new IllegalArgumentException("source option fps must be positive (in " + uri.redacted() + ")");
        }
        this.maxWidth = uri.intOption("maxWidth", 0);
        this.maxHeight = uri.intOption("maxHeight", 0);
        nominalFps(fps);
    }

    @Override
    protected String description() {
        return "image folder " + dir;
    }

    @Override
    protected void openGuarded() throws CaptureException {
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
        while (current == null && next < images.size()) {
            currentImage = images.get(next++);
            current = load(currentImage);
        }
        if (current == null) {
            throw fail("none of the " + images.size() + " images in folder " + dir + " could be read ("
                    + lastSkip + ")");
        }
        int w = current.shownWidth(); // a JPEG's EXIF orientation turns it, as OpenCV (and evaluate) read it
        int h = current.shownHeight();
        FrameGeometry geometry = SlotConverter.fitted(w, h, maxWidth, maxHeight, playback.format());
        geometry(geometry);
        converter = new SlotConverter(geometry);
        status(SourceStatus.STREAMING);
        LOG.info(() -> "opened image folder " + dir + ": " + images.size() + " images, " + w + "x" + h
                + ", delivered as " + geometry.maxWidth() + "x" + geometry.maxHeight() + " " + geometry.format());
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

    @Override
    protected Read readGuarded(FrameSlot slot) throws CaptureException {
        if (images.isEmpty() || status() == SourceStatus.ENDED) {
            return Read.END;
        }
        while (current == null) {
            if (failuresInARow >= images.size()) {
                throw fail("none of the " + images.size() + " images in folder " + dir
                        + " can be read any more (" + lastSkip + ")");
            }
            if (next >= images.size()) {
                if (!loopAtEnd(0)) { // the times run on from the frame count, not from the loop
                    return Read.END;
                }
                next = 0;
            }
            currentImage = images.get(next++);
            current = load(currentImage);
        }
        long ptsMicros = Math.round(delivered * 1_000_000.0 / fps);
        if (!due(ptsMicros)) {
            return Read.NONE;
        }
        converter.convert(current, slot);
        current.close();
        current = null;
        deliveredImage = currentImage;
        return delivered(slot, ptsMicros);
    }

    @Override
    protected String detail() {
        String s = delivered + " frames delivered from " + images.size() + " images";
        return skipped == 0 ? s : s + ", skipped " + skipped + " unreadable (last: " + lastSkip + ")";
    }

    /** Images in the folder (valid after open; offline tools show progress against it). */
    public int imageCount() {
        return images.size();
    }

    /**
     * The image the last delivered frame came from (null before the first): offline tools name it beside the frame,
     * since a skipped unreadable image shifts every later frame's number against the folder's order.
     */
    public Path deliveredImage() {
        return deliveredImage;
    }

    /** Images that could not be read (each time one was tried). */
    public long skippedImages() {
        return skipped;
    }

    @Override
    protected void release() {
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
