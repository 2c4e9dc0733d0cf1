package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.capture.RecordedFrames;
import org.intravis.capture.SourceUri;
import org.intravis.capture.ffmpeg.RecordingSource;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.PixelFormat;
import org.intravis.streamer.DicomCineWriter;
import org.intravis.streamer.OverlayRenderer;
import org.intravis.streamer.PictureFileWriter;
import org.intravis.streamer.RecordedAnnotations;
import org.intravis.streamer.VideoCodec;
import org.intravis.streamer.VideoFileWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.LongConsumer;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * Writes a recorded session as one video file (or one DICOM cine) with the overlay burned in, frame by frame as it
 * was seen: each frame gets the overlay recorded with it, with its recorded age and freshness (a stale overlay shows
 * only its badge, as on the OR display), drawn by the same {@link OverlayRenderer} as the live burned-in variant.
 * The recording is already de-identified. Frames keep their recorded timing.
 */
final class RecordingExporter {
    /** The {@link #container} of a {@code .dcm} output. */
    static final String DICOM = "dicom";
    private static final int DICOM_JPEG_QUALITY = 92;

    /** What an export did ({@code format}: the codec's name, or the DICOM file's). */
    record Result(long frames, long bytes, double seconds, int width, int height, String format) {
        double fps() {
            return seconds > 0 ? frames / seconds : 0;
        }
    }

    private final Path recording;
    private final Path output;
    private final VideoCodec codec;
    private final long bitrate;
    private final boolean overlay;

    RecordingExporter(Path recording, Path output, VideoCodec codec, long bitrate, boolean overlay) {
        this.recording = recording;
        this.output = output;
        this.codec = codec;
        this.bitrate = bitrate;
        this.overlay = overlay;
    }

    static String container(Path output) {
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".mp4") || name.endsWith(".m4v") || name.endsWith(".mov")) {
            return "mp4";
        }
        if (name.endsWith(".mkv")) {
            return "matroska";
        }
        if (name.endsWith(".dcm")) {
            return DICOM;
        }
        throw new UserError("output " + output + ": use a .mp4, .mkv or .dcm file name");
    }

    /** The writer for the output's kind: a video, or a DICOM cine (JPEG frames) for a PACS or a teaching file. */
    private PictureFileWriter writer(String container, int w, int h, RecordingSource source) {
        if (!container.equals(DICOM)) {
            return new VideoFileWriter(output, container, codec, w, h, PixelFormat.BGR24, source.nominalFps(), bitrate,
                    Runtime.getRuntime().availableProcessors(), true);
        }
        JsonNode manifest = source.manifest();
        Instant started;
        try {
            started = Instant.parse(manifest.path("startedAt").asText());
        } catch (DateTimeParseException e) {
            started = Instant.now();
        }
        // the picture may show what the scanner burned in (names included) unless regions were masked at capture
        boolean masked = manifest.path("deidentified").size() > 0;
        String what = overlay ? "intravis replay, AI overlay burned in" : "intravis replay";
        return new DicomCineWriter(output, w, h, source.pixelSpacingMm(), started,
                what + " (" + manifest.path("stream").asText("") + ")", !masked, DICOM_JPEG_QUALITY);
    }

    /** Exports; {@code progress} gets the frames done so far, {@code total} is told the frame count first. */
    Result run(LongConsumer total, LongConsumer progress) {
        String container = container(output);
        RecordingSource source = new RecordingSource(SourceUri.parse("recording:" + recording + "?pace=fast&atEnd=end"));
        try {
            source.open();
        } catch (CaptureException e) {
            source.close();
            throw new UserError(e.getMessage(), e);
        }
        RecordedFrames frames = source.frames();
        total.accept(frames.count());
        int[] position = {-1};
        source.listener((f, p, id) -> position[0] = p);
        long t0 = System.nanoTime();
        int w = source.geometry().maxWidth();
        int h = source.geometry().maxHeight();
        FrameSlot slot = new FrameSlot(0, source.geometry(), false);
        PictureFileWriter writer;
        try {
            writer = writer(container, w, h, source);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        long written = 0;
        try (RecordedAnnotations annotations = RecordedAnnotations.open(recording);
             OverlayRenderer renderer = new OverlayRenderer(Annotations.LOW_CONFIDENCE);
             BytePointer pixels = new BytePointer(slot.pixels());
             Mat bgr = new Mat(h, w, CV_8UC3)) {
            Files.createDirectories(output.toAbsolutePath().getParent());
            writer.open();
            Annotations current = new Annotations();
            long currentId = Long.MIN_VALUE;
            long age = -1;
            boolean fresh = false;
            BytePointer bgrPixels = bgr.data();
            while (true) {
                FrameSource.Read r = source.readInto(slot);
                if (r == FrameSource.Read.END) {
                    break;
                }
                if (r != FrameSource.Read.FRAME) {
                    continue;
                }
                int p = position[0];
                try (Mat src = new Mat(slot.height(), slot.width(), slot.format() == PixelFormat.GRAY8 ? CV_8UC1 : CV_8UC3,
                        pixels, slot.stride())) {
                    if (slot.format() == PixelFormat.GRAY8) {
                        cvtColor(src, bgr, COLOR_GRAY2BGR);
                    } else {
                        src.copyTo(bgr);
                    }
                }
                if (frames.shown(p)) { // a frame the live video skipped is drawn with the overlay shown before it
                    long id = frames.overlayStatus(p) == RecordedFrames.STATUS_NONE ? -1 : frames.overlayFrameId(p);
                    if (id < 0) {
                        current.clear();
                        currentId = -1;
                    } else if (id != currentId) {
                        if (!annotations.read(id, current)) {
                            current.clear();
                            current.status(Annotations.Status.FAILED).failure("recorded overlay missing");
                        }
                        currentId = id;
                    }
                    age = frames.overlayAgeMs(p);
                    fresh = frames.overlayFresh(p);
                }
                if (overlay) {
                    renderer.render(bgr, current, age, fresh);
                }
                writer.write(bgrPixels, (int) bgr.step(), frames.tUs(p) / 1000);
                progress.accept(++written);
            }
            writer.close();
        } catch (IOException e) {
            writer.abort();
            throw new UserError("export to " + output + " failed: " + e.getMessage(), e);
        } catch (CaptureException e) {
            writer.abort();
            throw new UserError("export of " + recording + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            writer.abort();
            throw e;
        } finally {
            source.close();
        }
        long bytes;
        try {
            bytes = Files.size(output);
        } catch (IOException e) {
            bytes = -1;
        }
        return new Result(written, bytes, (System.nanoTime() - t0) / 1e9, writer.width(), writer.height(),
                container.equals(DICOM) ? "DICOM, JPEG baseline" : codec.configName());
    }
}
