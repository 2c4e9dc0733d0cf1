package org.intravis.capture.dicom;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.capture.PlayedSource;
import org.intravis.capture.SourceUri;
import org.intravis.capture.ffmpeg.FileSource;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * A DICOM file played as a stream: {@code dicom:FILE} (a multi-frame ultrasound cine loop as scanners and PACS export
 * them, or a single image), its frames in order. Pixels: native, RLE Lossless, the JPEG family, JPEG-LS or JPEG
 * 2000 ({@link DicomPictures}); or a video stream (MPEG-2, H.264, HEVC transfer syntaxes), which FFmpeg plays
 * ({@link DicomVideo}, a {@link FileSource} on the stream copied out to a temporary file, deleted at close).
 * <p>
 * Timing: {@code fps=N} when given; otherwise the file's Frame Time Vector, Frame Time, Cine Rate or Recommended
 * Display Frame Rate, the first present and plausible (0.1-1000 fps); otherwise 30 fps. Pixel spacing:
 * {@code pixelSpacingMm}, else Pixel Spacing, else the first ultrasound region's physical delta (cm), else unknown.
 * Options: {@code pace}, {@code loop}, {@code format=gray|bgr}. A frame that cannot be decoded is skipped, counted
 * and named in {@link #statusDetail()}; a file whose first frame cannot be shown fails at {@link #open()} with what
 * is wrong.
 */
public final class DicomSource extends PlayedSource {
    private static final Logger LOG = Logger.getLogger(DicomSource.class.getName());
    private static final double DEFAULT_FPS = 30;

    private final Path path;
    private final double fpsOption;
    private final double spacingOption;
    private final Map<ByteBuffer, Mat> slotViews = new IdentityHashMap<>();
    private DicomFile file;
    private DicomPictures pictures;
    /** A video transfer syntax: FFmpeg plays the stream copied out to {@link #videoStream} (pictures stays null). */
    private FileSource video;
    private Path videoStream;
    private long[] ptsMicros;
    private long periodMicros;
    private double spacingMm;
    private String timing = "";
    private String shortage = "";
    private int index;
    private long skipped;
    private volatile String lastSkip = "";

    public DicomSource(SourceUri uri) {
        super(uri);
        this.path = location("DICOM source needs a file, e.g. dicom:/data/cine.dcm");
        this.fpsOption = uri.doubleOption("fps", 0);
        this.spacingOption = uri.doubleOption("pixelSpacingMm", 0);
        if (fpsOption < 0 || spacingOption < 0) {
            throw new IllegalArgumentException("fps and pixelSpacingMm must be positive (in " + uri.redacted() + ")");
        }
    }

    /** Whether {@code file} is a DICOM Part 10 file ("DICM" after its 128-byte preamble), whatever its name. */
    public static boolean isDicomFile(Path file) {
        byte[] head = new byte[132];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, head.length) == head.length && DicomFile.looksLikeDicom(head);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    protected String description() {
        return "DICOM file " + path;
    }

    @Override
    protected void openGuarded() throws CaptureException {
        requireReadableFile(path, "DICOM file");
        try {
            file = DicomFile.read(path);
            if (DicomVideo.kind(file.transferSyntax) != null) {
                openVideo();
                return;
            }
            int declared = file.frames;
            pictures = new DicomPictures(file);
            if (file.frames < declared) {
                shortage = "the file holds pixels for " + file.frames + " of the " + declared + " frames it lists";
                LOG.warning(() -> "DICOM file " + path + ": " + shortage);
            }
            pictures.frame(0); // now: a file whose pixels cannot be shown fails here, clearly
        } catch (DicomFormatException e) {
            throw fail("DICOM file " + path + " " + e.getMessage());
        } catch (RuntimeException e) { // a damaged file this reader's checks did not foresee: still a sentence
            throw fail("DICOM file " + path + " is damaged or not one this reader understands (" + e + ")");
        } catch (IOException e) {
            throw fail("cannot read DICOM file " + path + ": " + e.getMessage());
        }
        timing();
        spacingMm = spacing();
        geometry(new FrameGeometry(file.columns, file.rows, playback.format()));
        status(SourceStatus.STREAMING);
        LOG.info(() -> "opened DICOM file " + path + ": " + file.frames + " frames of " + file.columns + "x"
                + file.rows + " " + file.photometric + ", " + syntaxName() + ", " + timing
                + (spacingMm > 0 ? String.format(", %.3f mm a pixel", spacingMm) : ""));
    }

    /**
     * A video stream (MPEG-2, H.264, HEVC) instead of a picture per frame: copied out and played by FFmpeg, at the
     * file's frame rate when it gives one (a raw stream has no timestamps), else at the stream's own.
     */
    private void openVideo() throws CaptureException {
        String kind = DicomVideo.kind(file.transferSyntax);
        try {
            videoStream = DicomVideo.extract(file);
        } catch (DicomFormatException e) {
            throw fail("DICOM file " + path + " " + e.getMessage());
        } catch (IOException e) {
            throw fail("DICOM file " + path + ": its " + kind + " stream cannot be copied out for FFmpeg: "
                    + e.getMessage());
        }
        Rate rate = rate();
        Map<String, String> options = new HashMap<>();
        for (String o : new String[] {"pace", "loop", "format"}) {
            if (uri.options().containsKey(o)) {
                options.put(o, uri.options().get(o));
            }
        }
        video = new FileSource(new SourceUri(uri.raw(), "file", videoStream.toString(), options),
                rate != null ? Map.of("framerate", String.format(Locale.ROOT, "%.6f", rate.fps())) : Map.of());
        try {
            video.open();
        } catch (CaptureException e) {
            throw fail("DICOM file " + path + " holds an " + kind + " stream that cannot be played: "
                    + e.getMessage());
        }
        timing = kind + " stream, " + (rate != null ? String.format(Locale.ROOT, "paced at %.1f fps (%s)",
                rate.fps(), rate.from()) : "paced by the stream's own timestamps");
        spacingMm = spacing();
        geometry(video.geometry());
        nominalFps(video.nominalFps());
        status(SourceStatus.STREAMING);
        LOG.info(() -> "opened DICOM file " + path + ": " + file.frames + " frames of " + file.columns + "x"
                + file.rows + ", " + timing + (spacingMm > 0 ? String.format(", %.3f mm a pixel", spacingMm) : ""));
    }

    /** A frame rate and where it came from. */
    private record Rate(double fps, String from) {
    }

    /**
     * The rate to play at (the Frame Time Vector aside): the {@code fps} option, else the file's Frame Time, Cine Rate
     * or Recommended Display Frame Rate, the first plausible; null when there is none.
     */
    private Rate rate() {
        if (fpsOption > 0) {
            return new Rate(fpsOption, "option");
        }
        if (plausible(1000 / file.frameTimeMs)) {
            return new Rate(1000 / file.frameTimeMs, "frame time " + file.frameTimeMs + " ms");
        }
        if (plausible(file.cineRate)) {
            return new Rate(file.cineRate, "cine rate");
        }
        return plausible(file.recommendedRate) ? new Rate(file.recommendedRate, "recommended display frame rate")
                : null;
    }

    /** Pixel size in mm: the option, else Pixel Spacing, else the first ultrasound region's; 0 when unknown. */
    private double spacing() {
        return spacingOption > 0 ? spacingOption
                : file.pixelSpacingMm > 0 ? file.pixelSpacingMm : file.regionSpacingMm();
    }

    /** Presentation times per the class comment. */
    private void timing() {
        int n = file.frames;
        ptsMicros = new long[n];
        double[] vector = file.frameTimeVectorMs;
        if (fpsOption <= 0 && vector != null && vector.length >= n && n > 1 && validIncrements(vector, n)) {
            double t = 0;
            for (int i = 0; i < n; i++) {
                t += i == 0 ? 0 : vector[i];
                ptsMicros[i] = Math.round(t * 1000);
            }
            periodMicros = Math.max(1, ptsMicros[n - 1] / (n - 1));
            double fps = 1e6 / periodMicros;
            timing = String.format("paced by its frame time vector (%.1f fps on average)", fps);
            nominalFps(fps);
            return;
        }
        Rate rate = rate();
        double fps = rate != null ? rate.fps() : DEFAULT_FPS;
        timing = String.format(Locale.ROOT, "paced at %.1f fps (%s)", fps,
                rate != null ? rate.from() : "the file gives no frame time");
        periodMicros = Math.round(1e6 / fps);
        for (int i = 0; i < n; i++) {
            ptsMicros[i] = i * periodMicros;
        }
        nominalFps(fps);
    }

    /** Increments (ms) a recording can have: between 1 ms and 10 s each. */
    private static boolean validIncrements(double[] v, int n) {
        for (int i = 1; i < n; i++) {
            if (!(v[i] >= 1 && v[i] <= 10_000)) {
                return false;
            }
        }
        return true;
    }

    /** A frame rate a recording can have (a damaged or odd field is passed over for the next one). */
    private static boolean plausible(double fps) {
        return fps >= 0.1 && fps <= 1000;
    }

    private String syntaxName() {
        String ts = file.transferSyntax;
        return switch (ts) {
            case DicomFile.IMPLICIT_LE -> "native (implicit VR)";
            case DicomFile.EXPLICIT_LE -> "native";
            case DicomFile.EXPLICIT_BE -> "native (big endian)";
            case DicomFile.DEFLATED -> "native (deflated)";
            case DicomFile.RLE -> "RLE";
            case "1.2.840.10008.1.2.4.50" -> "JPEG baseline";
            case "1.2.840.10008.1.2.4.51" -> "JPEG extended";
            case "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70" -> "JPEG lossless";
            case "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91" -> "JPEG 2000";
            default -> "transfer syntax " + ts;
        };
    }

    @Override
    public double pixelSpacingMm() {
        return spacingMm;
    }

    @Override
    protected Read readGuarded(FrameSlot slot) throws CaptureException {
        if (file == null || status() == SourceStatus.ENDED) {
            return Read.END;
        }
        if (video != null) {
            Read r = video.readInto(slot);
            if (r == Read.FRAME) {
                lastPts = slot.sourcePtsMicros();
                delivered++;
            } else if (r == Read.END) {
                status(SourceStatus.ENDED);
            }
            return r;
        }
        if (index >= file.frames) {
            if (skipped >= file.frames && delivered == 0) {
                throw fail("DICOM file " + path + ": no frame could be shown (" + lastSkip + ")");
            }
            if (!loopAtEnd(periodMicros)) {
                return Read.END;
            }
            index = 0;
        }
        long pts = loopBaseMicros + ptsMicros[index];
        if (!due(pts)) {
            return Read.NONE;
        }
        Mat picture;
        try {
            picture = pictures.frame(index);
        } catch (RuntimeException e) { // DicomFormatException, or damage the checks did not foresee
            skipped++;
            lastSkip = e instanceof DicomFormatException ? e.getMessage() : "frame " + index + ": " + e;
            int at = index++;
            LOG.warning(() -> "DICOM file " + path + ": skipping frame " + at + ": " + lastSkip);
            return Read.NONE;
        }
        boolean grey = playback.format() == PixelFormat.GRAY8;
        slot.frame(file.columns, file.rows, file.columns * playback.format().bytesPerPixel(), playback.format());
        Mat dst = slotView(slot.pixels(), grey);
        // compressed frames come back BGR whatever their photometric interpretation: go by the picture
        if (picture.channels() == (grey ? 1 : 3)) {
            picture.copyTo(dst);
        } else {
            cvtColor(picture, dst, grey ? COLOR_BGR2GRAY : COLOR_GRAY2BGR);
        }
        index++;
        return delivered(slot, pts);
    }

    /** An OpenCV view of a slot's memory at the stream's size, made once per slot. */
    private Mat slotView(ByteBuffer pixels, boolean grey) {
        Mat v = slotViews.get(pixels);
        if (v == null) {
            v = new Mat(file.rows, file.columns, grey ? CV_8UC1 : CV_8UC3, new BytePointer(pixels));
            slotViews.put(pixels, v);
        }
        return v;
    }

    @Override
    protected String detail() {
        if (video != null) { // the stream's own counts (loops, damage) after the file's
            return delivered + " frames delivered of " + file.frames + ", " + timing + "; the stream: "
                    + video.statusDetail();
        }
        StringBuilder s = new StringBuilder().append(delivered).append(" frames delivered of ")
                .append(file == null ? 0 : file.frames).append(loopsDetail()).append(", ").append(timing);
        if (!shortage.isEmpty()) {
            s.append("; ").append(shortage);
        }
        if (skipped > 0) {
            s.append("; skipped ").append(skipped).append(" frames that could not be decoded (last: ")
                    .append(lastSkip).append(')');
        }
        return s.toString();
    }

    /** Frames per pass (after open). */
    public int frameCount() {
        return file == null ? 0 : file.frames;
    }

    @Override
    protected void release() {
        if (video != null) {
            video.close();
            video = null;
        }
        if (videoStream != null) {
            try {
                Files.deleteIfExists(videoStream);
            } catch (IOException e) {
                LOG.warning(() -> "could not delete " + videoStream + ": " + e.getMessage());
            }
            videoStream = null;
        }
        slotViews.values().forEach(Mat::close);
        slotViews.clear();
        if (pictures != null) {
            pictures.close();
            pictures = null;
        }
        file = null; // the mapping goes with the garbage collector
    }
}
