package org.intravis.perf;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.bytedeco.javacpp.BytePointer;
import org.intravis.inference.BackendFactory;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.GroundTruthAnnotator;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceException;
import org.intravis.inference.InferenceSettings;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.inference.StreamRegistration;
import org.intravis.inference.ZoneStore;
import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.Counter;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.GroundTruth;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.LatencyPoint;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.StageLatency;
import org.intravis.pipeline.StreamCounters;
import org.intravis.ui.ModuleSettings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The naive baseline: what a competent developer writes without this architecture. Per stream, a capture thread
 * copies each frame into a new array and {@code put}s it into an {@link ArrayBlockingQueue} (blocking when it is
 * full); a worker thread {@code take}s it and does everything in sequence: infer (the same ONNX model through the
 * same backend ({@link BackendFactory}), batch 1, one tensor set per stream on one shared session), the same post-processing,
 * the overlay message, then encode (the same encoder) and send, to every client of the stream over a Vert.x
 * WebSocket ({@code writeBinaryMessage}, no back-pressure). The video therefore waits for the AI.
 * <pre>
 *   ScheduledSource --capture-baseline-sN: copy, put--&gt; ArrayBlockingQueue --worker-baseline-sN: take--&gt;
 *       preprocess, infer (batch 1), post-process, overlay JSON, send --&gt; encode, send
 * </pre>
 */
final class NaiveBaseline implements SystemUnderTest {
    private static final Logger LOG = Logger.getLogger(NaiveBaseline.class.getName());

    private final BenchSettings settings;
    private final LoopbackServer server = new LoopbackServer();
    private final InferenceSettings inferenceSettings;
    private final InferenceBackend backend;
    private final String modelFailure;
    private final List<Lane> lanes = new ArrayList<>();
    private final int port;
    private volatile boolean running = true;

    NaiveBaseline(BenchSettings settings, FrameLoop loop) throws Exception {
        this.settings = settings;
        this.inferenceSettings = ModuleSettings.inference(settings.config());
        InferenceBackend b = null;
        String failure = "";
        String model = settings.model();
        if (settings.inference() && !model.equals(StreamRegistration.GROUND_TRUTH)) {
            try {
                ModelSource source = ModelSource.locate(model, settings.modelsDir());
                b = BackendFactory.open(source, new BackendOptions(settings.device(), 1, settings.streams(),
                        settings.intraOpThreads()));
                for (int round = 0; round < 2; round++) { // as the service warms up its models
                    for (int s = 0; s < settings.streams(); s++) {
                        b.run(s, 1);
                    }
                }
            } catch (ModelLoadException | InferenceException e) {
                if (b != null) {
                    b.close();
                    b = null;
                }
                failure = "model failed to load: " + e.getMessage();
                LOG.warning("baseline: " + failure);
            }
        }
        this.backend = b;
        this.modelFailure = failure;
        try {
            server.router().get("/ws/streams/:id").handler(rc -> {
                Lane lane = lane(rc.pathParam("id"));
                if (lane == null) {
                    rc.response().setStatusCode(404).end();
                    return;
                }
                rc.request().toWebSocket().onSuccess(ws -> {
                    lane.clients.add(ws);
                    ws.closeHandler(v -> lane.clients.remove(ws));
                });
            });
            for (int i = 0; i < settings.streams(); i++) {
                lanes.add(new Lane(i, loop));
            }
            port = server.listen();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private Lane lane(String id) {
        for (Lane l : lanes) {
            if (l.id.equals(id)) {
                return l;
            }
        }
        return null;
    }

    /** A frame as the capture thread hands it over: its own copy of the pixels (and ground truth). */
    private record CapturedFrame(long frameId, long capturedNanos, int width, int height, byte[] pixels,
                                 GroundTruth truth) {
    }

    /** One stream: its source, queue, two threads and the worker's tools. */
    private final class Lane {
        final int index;
        final String id;
        final ScheduledSource source;
        final BlockingQueue<CapturedFrame> queue;
        final List<ServerWebSocket> clients = new CopyOnWriteArrayList<>();
        final StreamCounters counters = new StreamCounters();
        final StageLatency latency = new StageLatency();
        final Recorder queueWait = new Recorder(600_000_000L, 3);
        final AtomicLong writeQueueFull = new AtomicLong();
        final Thread capture;
        final Thread worker;
        // owned by the worker thread
        final FrameSlot work;
        final BytePointer workPixels;
        final Annotations holder = new Annotations();
        final Annotations attached = new Annotations();
        final long[] stamps = new long[2];
        final BaselineAnnotator annotator;
        final InferenceFeed groundTruth;
        final BaselineEncoder encoder;
        final BaselineOverlayWriter overlays;
        final boolean needsTruth;

        Lane(int index, FrameLoop loop) throws Exception {
            this.index = index;
            this.id = BenchSettings.streamId(index);
            this.source = new ScheduledSource(loop.forStream(), settings.fps(), settings.bufferedFrames());
            source.open();
            this.queue = new ArrayBlockingQueue<>(settings.baselineQueue());
            this.work = new FrameSlot(0, loop.geometry(), true);
            this.workPixels = new BytePointer(work.pixels());
            this.needsTruth = settings.model().equals(StreamRegistration.GROUND_TRUTH);
            if (needsTruth) {
                AnnotationExchange exchange = new AnnotationExchange(this::sendOverlay);
                groundTruth = new GroundTruthAnnotator(new StreamRegistration(id, index, exchange, counters, latency,
                        source.pixelSpacingMm(), StreamRegistration.GROUND_TRUTH), inferenceSettings,
                        new ZoneStore(null));
                annotator = null;
            } else {
                groundTruth = null;
                annotator = backend == null ? null
                        : new BaselineAnnotator(backend, index, inferenceSettings, source.pixelSpacingMm());
            }
            holder.origin(Annotations.Origin.MODEL).streamIndex(index).pixelSpacingMm(source.pixelSpacingMm())
                    .model(backend == null ? settings.model() : backend.spec().name(),
                            backend == null ? "" : backend.spec().version(),
                            backend == null ? "none" : backend.device());
            this.encoder = new BaselineEncoder(settings.encoding(), ModuleSettings.streamer(settings.config()),
                    settings.fps());
            this.overlays = new BaselineOverlayWriter(id, 0.5);
            this.capture = new Thread(this::captureLoop, "capture-baseline-" + id);
            this.worker = new Thread(this::workLoop, "worker-baseline-" + id);
            capture.setDaemon(true);
            worker.setDaemon(true);
        }

        void captureLoop() {
            FrameSlot slot = new FrameSlot(0, source.geometry(), needsTruth);
            long frameId = 0;
            try {
                while (running) {
                    source.readInto(slot);
                    long now = System.nanoTime();
                    byte[] pixels = new byte[slot.frameBytes()];
                    slot.pixels().get(0, pixels, 0, pixels.length);
                    GroundTruth truth = null;
                    if (needsTruth) {
                        truth = new GroundTruth(slot.groundTruth().capacity());
                        truth.copyFrom(slot.groundTruth());
                    }
                    queue.put(new CapturedFrame(frameId++, now, slot.width(), slot.height(), pixels, truth));
                    counters.increment(Counter.FRAMES_IN);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void workLoop() {
            try {
                while (running) {
                    CapturedFrame f = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (f == null) {
                        continue;
                    }
                    queueWait.recordValue(Math.max(0, (System.nanoTime() - f.capturedNanos) / 1000));
                    work.beginWrite();
                    work.frame(f.width, f.height, f.width, PixelFormat.GRAY8);
                    work.pixels().put(0, f.pixels, 0, f.pixels.length);
                    if (f.truth != null) {
                        work.groundTruth().copyFrom(f.truth);
                    }
                    work.captured(index, f.frameId, f.frameId, f.capturedNanos);
                    work.endWrite();
                    if (settings.inference()) {
                        annotate();
                    }
                    sendVideo();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "baseline worker " + id + " failed", e);
            } finally {
                encoder.close();
            }
        }

        private void annotate() {
            if (groundTruth != null) {
                groundTruth.offer(work, work.writeVersion()); // publishes: sendOverlay runs in here
                return;
            }
            long captured = work.stamp(org.intravis.pipeline.Stage.CAPTURED);
            holder.clearResults();
            holder.status(Annotations.Status.VALID).failure("").frameId(work.frameId())
                    .captureEpochMicros(work.captureEpochMicros()).capturedNanos(captured).preprocessedNanos(0)
                    .inferredNanos(0).frameSize(work.width(), work.height()).batchSize(1);
            if (annotator == null) {
                holder.clearHeatmap();
                holder.status(Annotations.Status.FAILED).failure(modelFailure).publishedNanos(System.nanoTime());
                sendOverlay(holder);
                return;
            }
            try {
                annotator.annotate(work, holder, stamps);
            } catch (InferenceException | RuntimeException e) {
                holder.clearResults();
                holder.clearHeatmap();
                holder.status(Annotations.Status.FAILED).failure("inference failed");
                counters.increment(Counter.INFERENCE_FAILED);
            }
            long published = System.nanoTime();
            holder.publishedNanos(published);
            if (holder.status() == Annotations.Status.VALID) {
                latency.record(LatencyPoint.CAPTURE_TO_PREPROCESSED, captured, stamps[0]);
                latency.record(LatencyPoint.PREPROCESSED_TO_INFERRED, stamps[0], stamps[1]);
                latency.record(LatencyPoint.INFERRED_TO_PUBLISHED, stamps[1], published);
                counters.increment(Counter.INFERENCE_DONE);
            }
            sendOverlay(holder);
        }

        private void sendOverlay(Annotations a) {
            String text = overlays.overlay(a);
            for (ServerWebSocket ws : clients) {
                if (ws.writeQueueFull()) {
                    writeQueueFull.incrementAndGet(); // counted only: straightforward code writes anyway
                }
                ws.writeTextMessage(text);
            }
            latency.record(LatencyPoint.CAPTURE_TO_OVERLAY_SENT, a.capturedNanos(), System.nanoTime());
            attached.copyFrom(a);
        }

        private void sendVideo() {
            byte[] msg = encoder.encode(work, workPixels, attached);
            if (msg == null) {
                return;
            }
            long encoded = System.nanoTime();
            for (ServerWebSocket ws : clients) {
                if (ws.writeQueueFull()) {
                    writeQueueFull.incrementAndGet();
                }
                ws.writeBinaryMessage(Buffer.buffer(msg));
            }
            long sent = System.nanoTime();
            long captured = work.stamp(org.intravis.pipeline.Stage.CAPTURED);
            latency.record(LatencyPoint.CAPTURE_TO_ENCODED, captured, encoded);
            latency.record(LatencyPoint.ENCODED_TO_SENT, encoded, sent);
            latency.record(LatencyPoint.CAPTURE_TO_VIDEO_SENT, captured, sent);
            counters.increment(Counter.VIDEO_OUT);
        }
    }

    @Override public String name() { return "baseline"; }
    @Override public int port() { return port; }

    @Override
    public String path(int stream) {
        return "/ws/streams/" + BenchSettings.streamId(stream);
    }

    @Override public ScheduledSource source(int stream) { return lanes.get(stream).source; }

    @Override
    public void start() {
        for (Lane l : lanes) {
            l.worker.start();
            l.capture.start();
        }
    }

    @Override
    public List<Thread> pipelineThreads() {
        List<Thread> out = new ArrayList<>();
        for (Lane l : lanes) {
            out.add(l.capture);
            out.add(l.worker);
        }
        return out;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("source_overrun", lanes.stream().mapToLong(l -> l.source.overruns()).sum());
        for (Counter k : new Counter[] {Counter.FRAMES_IN, Counter.VIDEO_OUT, Counter.INFERENCE_DONE,
                Counter.INFERENCE_FAILED}) {
            c.put(k.metricName(), lanes.stream().mapToLong(l -> l.counters.get(k)).sum());
        }
        c.put("queued_now", lanes.stream().mapToLong(l -> l.queue.size()).sum());
        c.put("websocket_write_queue_full", lanes.stream().mapToLong(l -> l.writeQueueFull.get()).sum());
        return c;
    }

    @Override
    public void resetStages() {
        for (Lane l : lanes) {
            l.latency.reset();
            l.queueWait.reset();
        }
    }

    @Override
    public Map<String, Histogram> stages() {
        Map<String, Histogram> out = new LinkedHashMap<>();
        Histogram queued = new Histogram(600_000_000L, 3);
        lanes.forEach(l -> queued.add(l.queueWait.getIntervalHistogram()));
        out.put("queue_wait", queued);
        SystemUnderTest.addStages(lanes.stream().map(l -> l.latency.snapshot()).toList(), out);
        return out;
    }

    @Override
    public String deviceUsed() {
        if (!settings.inference()) {
            return "none";
        }
        if (settings.model().equals(StreamRegistration.GROUND_TRUTH)) {
            return "cpu";
        }
        return backend == null ? "none" : backend.device();
    }

    @Override
    public String note() {
        String n = backend == null ? "" : backend.deviceNote();
        return modelFailure.isEmpty() ? n : (n.isEmpty() ? modelFailure : n + "; " + modelFailure);
    }

    @Override
    public void close() {
        running = false;
        for (Lane l : lanes) {
            l.capture.interrupt();
            l.worker.interrupt();
        }
        for (Lane l : lanes) {
            try {
                if (l.capture.isAlive() || l.capture.getState() != Thread.State.NEW) {
                    l.capture.join(2000);
                }
                if (l.worker.getState() != Thread.State.NEW) {
                    l.worker.join(5000);
                } else {
                    l.encoder.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (backend != null) {
            backend.close();
        }
        server.close();
    }
}
