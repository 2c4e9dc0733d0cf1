package org.intravis.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.capture.FrameSources;
import org.intravis.capture.PlusSequenceSource;
import org.intravis.capture.SourceUri;
import org.intravis.capture.dicom.DicomSource;
import org.intravis.capture.ffmpeg.FileSource;
import org.intravis.capture.ffmpeg.ImageFolderSource;
import org.intravis.capture.ffmpeg.RecordingSource;
import org.intravis.inference.InferenceService;
import org.intravis.inference.InferenceSettings;
import org.intravis.inference.InferenceStatus;
import org.intravis.inference.StreamRegistration;
import org.intravis.inference.ZoneStore;
import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.StageLatency;
import org.intravis.pipeline.StreamCounters;
import org.intravis.streamer.OverlayJson;
import org.intravis.streamer.OverlayRenderer;
import org.intravis.streamer.VideoCodec;
import org.intravis.streamer.VideoFileWriter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * Runs every frame of a video, a PLUS sequence, an image folder or a recording through a model as fast as the
 * machine allows, writing the overlay of every frame as JSON Lines (the live overlay's schema) and optionally a
 * video with the overlay burned in.
 * <p>
 * It uses the live {@link InferenceService} and its batching, configured for offline work: a stream may fill a
 * whole batch ({@code rowsPerStream = maxBatch}, so no frame is ever replaced by a newer one), the latency budget is
 * minutes (no frame is skipped as stale), and the source is read at {@code pace=fast}. When every batch row is
 * taken the reader waits and offers the frame again: offline, nothing is dropped. A frame the model failed on gets
 * a FAILED line; a frame that got no result at all makes the run fail. Damage in the input (an undecodable stretch
 * of a video, an unreadable image) is read past, as the live path does, and reported ({@link Result#inputDamage()},
 * summary.json's {@code inputDamage}); each frame's line in frames.jsonl says where in the input it came from.
 */
final class OfflineAnalyzer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String STREAM = "analyze";
    /** Offline: a frame may wait this long for its batch without being skipped as stale. */
    static final long OFFLINE_BUDGET_MS = 600_000;

    /** {@code inputDamage}: what the input lost to damage (skipped images, undecodable packets), empty if nothing. */
    record Result(long frames, long failed, double seconds, String model, String version, String device,
                  Path annotations, Path video, String inputDamage) {
        double fps() {
            return seconds > 0 ? frames / seconds : 0;
        }
    }

    /** One frame waiting for its annotations (and, with a video, its picture). */
    private static final class Pending {
        final Annotations annotations = new Annotations();
        ByteBuffer pixels;
        int width;
        int height;
        int stride;
        PixelFormat format;
        long ptsUs;
        /** The image file the frame came from, when the input is an image folder. */
        String image;
    }

    private final SourceUri input;
    private final Path output;
    private final String model;
    private final boolean video;
    private final InferenceSettings settings;
    private final long maxFrames;

    OfflineAnalyzer(SourceUri input, Path output, String model, boolean video, InferenceSettings settings, long maxFrames) {
        this.input = input;
        this.output = output;
        this.model = model;
        this.video = video;
        this.settings = settings;
        this.maxFrames = maxFrames;
    }

    /**
     * The source URI for {@code --input}: a URI with a scheme is used as given; a path becomes {@code plus:} for
     * {@code .mha}/{@code .mhd}, {@code dicom:} for a DICOM file, {@code recording:} for a folder with a manifest,
     * {@code images:} for another folder and {@code file:} otherwise. Recorded kinds are read at {@code pace=fast}
     * and do not loop.
     */
    static SourceUri inputUri(String in) {
        Path p = Path.of(in);
        String uri;
        if (in.matches("^[A-Za-z][A-Za-z0-9+.-]+:.*") && !Files.exists(p)) {
            uri = in; // a source URI (a file whose name has a colon wins)
        } else {
            String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
            if (Files.isDirectory(p)) {
                uri = (Files.isRegularFile(p.resolve("manifest.json")) ? "recording:" : "images:") + p.toAbsolutePath();
            } else if (name.endsWith(".mha") || name.endsWith(".mhd")) {
                uri = "plus:" + p.toAbsolutePath();
            } else if (name.endsWith(".dcm") || name.endsWith(".dicom") || DicomSource.isDicomFile(p)) {
                uri = "dicom:" + p.toAbsolutePath(); // by its content too: files from a PACS often have no extension
            } else {
                uri = "file:" + p.toAbsolutePath();
            }
        }
        SourceUri u = SourceUri.parse(uri);
        return switch (u.scheme()) {
            case "file", "images", "plus", "dicom", "recording" ->
                    u.withDefaults(Map.of("pace", "fast", "loop", "false"));
            case "synthetic" -> u.withDefaults(Map.of("pace", "fast"));
            default -> u;
        };
    }

    Result run(LongConsumer total, LongConsumer progress) {
        FrameSource source;
        try {
            source = FrameSources.create(input);
        } catch (IllegalArgumentException e) {
            throw new UserError("input " + input.redacted() + ": " + e.getMessage(), e);
        }
        try {
            source.open();
        } catch (CaptureException e) {
            source.close();
            throw new UserError(e.getMessage(), e);
        }
        long expectedFrames = expectedFrames(source);
        long expected = maxFrames <= 0 ? expectedFrames
                : expectedFrames < 0 ? maxFrames : Math.min(expectedFrames, maxFrames);
        try {
            Files.createDirectories(output);
        } catch (IOException e) {
            source.close();
            throw new UserError("cannot create " + output + ": " + e.getMessage(), e);
        }
        int pool = settings.maxBatch() * 4 + 2;
        Pending[] pending = new Pending[pool];
        for (int i = 0; i < pool; i++) {
            pending[i] = new Pending();
        }
        AtomicLong annotatedUpTo = new AtomicLong(-1);
        AtomicLong missing = new AtomicLong();
        // the model's worker publishes in frame order (one stream, rows in order, batches in turn)
        AnnotationExchange exchange = new AnnotationExchange(a -> {
            long f = a.frameId();
            if (f > annotatedUpTo.get() + 1) {
                missing.addAndGet(f - annotatedUpTo.get() - 1);
            }
            pending[(int) (f % pool)].annotations.copyFrom(a);
            annotatedUpTo.set(f);
        });
        StreamCounters counters = new StreamCounters();
        Path annotationsFile = output.resolve("annotations.jsonl");
        Path framesFile = output.resolve("frames.jsonl");
        Path videoFile = video ? output.resolve("annotated.mp4") : null;
        long t0 = System.nanoTime();
        long read = 0;
        long written = 0;
        long failed = 0;
        InferenceService service = new InferenceService(settings, new ZoneStore(null));
        VideoFileWriter writer = null;
        OverlayRenderer renderer = null;
        Mat bgr = null;
        try (OutputStream annotationsOut = new BufferedOutputStream(Files.newOutputStream(annotationsFile), 1 << 16);
             OutputStream framesOut = new BufferedOutputStream(Files.newOutputStream(framesFile), 1 << 16)) {
            InferenceFeed feed = service.register(new StreamRegistration(STREAM, 0, exchange, counters,
                    new StageLatency(), source.pixelSpacingMm(), model));
            InferenceStatus status = service.status();
            for (InferenceStatus.ModelStatus m : status.models()) {
                if (m.state().equals("failed")) {
                    throw new UserError(m.error());
                }
            }
            if (feed == null) {
                throw new UserError("model '" + model + "' runs nothing: give a model to analyze with (--model)");
            }
            total.accept(expected); // the model is loaded: frames start now
            t0 = System.nanoTime();
            String modelName = status.models().isEmpty() ? model : status.models().get(0).name();
            String version = status.models().isEmpty() ? "" : status.models().get(0).version();
            String device = status.deviceInUse();
            FrameSlot slot = new FrameSlot(0, source.geometry(), source.providesGroundTruth());
            OverlayJson json = new OverlayJson(STREAM, Annotations.LOW_CONFIDENCE);
            ByteBuf line = Unpooled.buffer(1 << 16);
            if (video) {
                writer = new VideoFileWriter(videoFile, "mp4", VideoCodec.H264, source.geometry().maxWidth(),
                        source.geometry().maxHeight(), PixelFormat.BGR24, source.nominalFps(), 0,
                        Runtime.getRuntime().availableProcessors(), true);
                writer.open();
                renderer = new OverlayRenderer(Annotations.LOW_CONFIDENCE);
                bgr = new Mat(source.geometry().maxHeight(), source.geometry().maxWidth(), CV_8UC3);
            }
            boolean ended = false;
            long lastProgress = System.nanoTime();
            while (true) {
                boolean didRead = false;
                if (!ended && (maxFrames <= 0 || read < maxFrames) && read - written < pool) {
                    didRead = true;
                    slot.beginWrite();
                    FrameSource.Read r;
                    try {
                        r = source.readInto(slot);
                        if (r == FrameSource.Read.FRAME) {
                            slot.captured(0, read, read, System.nanoTime());
                        }
                    } finally {
                        slot.endWrite();
                    }
                    if (r == FrameSource.Read.END) {
                        ended = true;
                        service.pause(STREAM); // the last, partly filled batch closes at once
                    } else if (r == FrameSource.Read.FRAME) {
                        Pending p = pending[(int) (read % pool)];
                        p.ptsUs = slot.sourcePtsMicros();
                        p.image = source instanceof ImageFolderSource folder
                                ? folder.deliveredImage().getFileName().toString() : null;
                        if (video) {
                            keepPicture(p, slot);
                        }
                        offer(feed, slot, written, annotatedUpTo);
                        read++;
                    }
                } else if (!ended && maxFrames > 0 && read >= maxFrames) {
                    ended = true;
                    service.pause(STREAM);
                }
                // write every frame whose annotations are in, in order
                long upTo = annotatedUpTo.get();
                boolean progressed = false;
                while (written <= upTo && written < read) {
                    Pending p = pending[(int) (written % pool)];
                    Annotations a = p.annotations;
                    if (a.frameId() != written) { // skipped by the model worker: never expected offline
                        a.clear();
                        a.status(Annotations.Status.FAILED).frameId(written).failure("not inferred");
                    }
                    if (a.status() != Annotations.Status.VALID) {
                        failed++;
                    }
                    line.clear();
                    json.writeOverlay(line, a);
                    line.writeByte('\n');
                    annotationsOut.write(line.array(), line.arrayOffset(), line.readableBytes());
                    framesOut.write(String.format(Locale.ROOT, "{\"frameId\":%d,\"ptsUs\":%d,%s\"status\":\"%s\"}%n",
                            written, p.ptsUs, p.image == null ? "" : "\"image\":" + JSON.writeValueAsString(p.image) + ",",
                            a.status().name()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    if (video) {
                        burnIn(p, a, renderer, bgr, writer);
                    }
                    written++;
                    progressed = true;
                    progress.accept(written);
                }
                if (ended && written >= read) {
                    break;
                }
                if (progressed) {
                    lastProgress = System.nanoTime();
                } else if (!ended && !didRead) {
                    LockSupport.parkNanos(200_000L); // every pooled frame waits for the model
                } else if (ended) {
                    if (System.nanoTime() - lastProgress > 120_000_000_000L) {
                        throw new IllegalStateException("no result from the model for frames " + written + " to "
                                + (read - 1) + " within 120 s");
                    }
                    LockSupport.parkNanos(1_000_000L);
                }
            }
            if (writer != null) {
                writer.close();
            }
            long skipped = missing.get() + counters.get(Counter.INFERENCE_SKIPPED_DEADLINE);
            if (skipped > 0) {
                throw new IllegalStateException(skipped + " frame(s) got no result from the model (see inference status)");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            String damage = damage(source, read, expected);
            writeSummary(modelName, version, device, read, failed, seconds, videoFile, service.status(), damage);
            return new Result(written, failed, seconds, modelName, version, device, annotationsFile, videoFile, damage);
        } catch (IOException e) {
            throw new UserError("analyze: cannot write to " + output + ": " + e.getMessage(), e);
        } catch (CaptureException e) {
            throw new UserError("analyze: reading " + input.redacted() + " failed: " + e.getMessage(), e);
        } finally {
            if (writer != null) {
                writer.abort();
            }
            if (renderer != null) {
                renderer.close();
            }
            if (bgr != null) {
                bgr.close();
            }
            service.close();
            source.close();
        }
    }

    /** Offers until a batch row takes the frame: offline, a busy model means wait, not drop. */
    private static void offer(InferenceFeed feed, FrameSlot slot, long written, AtomicLong annotatedUpTo) {
        long deadline = System.nanoTime() + OFFLINE_BUDGET_MS * 1_000_000L;
        while (true) {
            InferenceFeed.Offer o = feed.offer(slot, slot.writeVersion());
            if (o == InferenceFeed.Offer.ACCEPTED) {
                return;
            }
            if (o == InferenceFeed.Offer.TORN) {
                throw new IllegalStateException("frame " + slot.frameId() + " could not be read for inference");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the model took no frame for " + OFFLINE_BUDGET_MS / 1000 + " s");
            }
            LockSupport.parkNanos(200_000L);
        }
    }

    private static void keepPicture(Pending p, FrameSlot slot) {
        int bytes = slot.frameBytes();
        if (p.pixels == null || p.pixels.capacity() < bytes) {
            p.pixels = ByteBuffer.allocateDirect(slot.pixels().capacity()).order(ByteOrder.nativeOrder());
        }
        p.pixels.put(0, slot.pixels(), 0, bytes);
        p.width = slot.width();
        p.height = slot.height();
        p.stride = slot.stride();
        p.format = slot.format();
    }

    private static void burnIn(Pending p, Annotations a, OverlayRenderer renderer, Mat bgr, VideoFileWriter writer)
            throws IOException {
        try (BytePointer px = new BytePointer(p.pixels);
             Mat src = new Mat(p.height, p.width, p.format == PixelFormat.GRAY8 ? CV_8UC1 : CV_8UC3, px, p.stride)) {
            if (p.format == PixelFormat.GRAY8) {
                cvtColor(src, bgr, COLOR_GRAY2BGR);
            } else {
                src.copyTo(bgr);
            }
        }
        renderer.render(bgr, a, 0, a.status() == Annotations.Status.VALID); // offline: the overlay of this very frame
        writer.write(bgr.data(), (int) bgr.step(), p.ptsUs / 1000);
    }

    private static long expectedFrames(FrameSource s) {
        if (s instanceof PlusSequenceSource plus) {
            return plus.frameCount();
        }
        if (s instanceof DicomSource dicom) {
            return dicom.frameCount();
        }
        if (s instanceof ImageFolderSource images) {
            return images.imageCount();
        }
        if (s instanceof FileSource file) {
            return file.declaredFrameCount();
        }
        if (s instanceof RecordingSource recording) {
            return recording.frames().count();
        }
        return -1;
    }

    /**
     * What the input lost to damage, in its source's words (frames delivered, packets or images skipped, frames
     * missing from the timestamps); empty when nothing was lost. Reading goes on past damage, so without this an
     * analysis of a damaged file would look whole, only shorter.
     */
    private static String damage(FrameSource s, long read, long expected) {
        boolean lost;
        if (s instanceof FileSource file) {
            lost = file.damageCount() > 0;
        } else if (s instanceof ImageFolderSource images) {
            lost = images.skippedImages() > 0;
        } else { // DICOM, PLUS, recordings: fewer frames than the file holds
            lost = expected > 0 && read < expected;
        }
        return lost ? s.statusDetail() : "";
    }

    private void writeSummary(String modelName, String version, String device, long frames, long failed,
                              double seconds, Path videoFile, InferenceStatus status, String damage) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", input.redacted());
        m.put("frames", frames);
        m.put("annotated", frames - failed);
        m.put("failed", failed);
        m.put("model", modelName);
        m.put("modelVersion", version);
        m.put("device", device);
        m.put("seconds", seconds);
        m.put("framesPerSecond", seconds > 0 ? frames / seconds : 0);
        m.put("batches", status.models().isEmpty() ? Map.of() : service(status));
        m.put("annotations", "annotations.jsonl");
        m.put("frameIndex", "frames.jsonl (frameId = position among the frames read, from 0; ptsUs = its time in the "
                + "input; image = its file, for an image folder)");
        if (!damage.isEmpty()) {
            m.put("inputDamage", damage);
        }
        if (videoFile != null) {
            m.put("video", videoFile.getFileName().toString());
        }
        m.put("software", "intravis " + Intravis.version());
        Files.write(output.resolve("summary.json"), JSON.writeValueAsBytes(m));
    }

    private static Object service(InferenceStatus status) {
        return status.models().get(0).batchSizes();
    }
}
