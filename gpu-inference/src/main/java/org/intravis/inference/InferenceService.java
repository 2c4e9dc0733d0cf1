package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.InferenceFeed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The application's entry to inference: loads each model once (one batching worker thread per model, shared by
 * every stream that uses it), gives each stream its {@link InferenceFeed}, and reports what it is doing.
 * <p>
 * Wiring a stream (the feed is set on the context after the pipeline exists, before it starts, because the
 * pipeline creates the exchange, counters and latency the registration needs):
 * <pre>{@code
 *   StreamPipeline p = new StreamPipeline(ctx.conclude());
 *   p.context().inferenceFeed(inference.register(new StreamRegistration(id, index, p.annotations(),
 *           p.counters(), p.latency(), spacingMm, "ultrasound")));
 *   p.start();
 * }</pre>
 * A model that fails to load does not stop anything: its streams' video flows, their annotations say FAILED with
 * the reason, and {@link #status()} lists the error.
 */
public final class InferenceService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InferenceService.class.getName());

    private final InferenceSettings settings;
    private final ZoneStore zones;
    private final Map<String, ModelWorker> workers = new LinkedHashMap<>();
    private final Map<String, String> loadErrors = new LinkedHashMap<>();
    private final Map<String, InferenceStatus.StreamStatus> streams = new LinkedHashMap<>();
    private final Map<String, Consumer<Boolean>> pausers = new LinkedHashMap<>();
    private final Map<String, Boolean> paused = new LinkedHashMap<>();
    private boolean closed;

    /** A service whose no-go zones are kept under {@code settings.dataDir()}. */
    public InferenceService(InferenceSettings settings) {
        this(settings, new ZoneStore(settings.dataDir()));
    }

    /**
     * A service reading the given zone store (the application makes one and hands it to the REST routes too, so
     * that zones drawn over HTTP are the ones the workers see).
     */
    public InferenceService(InferenceSettings settings, ZoneStore zones) {
        if (!settings.concluded()) {
            throw new IllegalStateException("conclude() the inference settings first");
        }
        this.settings = settings;
        this.zones = java.util.Objects.requireNonNull(zones, "zones");
    }

    /**
     * Registers a stream and returns its feed for {@code StreamPipeline.Context#inferenceFeed}: {@code null} when
     * the stream runs without inference ({@value StreamRegistration#NONE}).
     */
    public synchronized InferenceFeed register(StreamRegistration r) {
        if (closed) {
            throw new IllegalStateException("the inference service is closed");
        }
        if (streams.containsKey(r.streamId())) {
            throw new IllegalArgumentException("stream " + r.streamId() + " is already registered for inference");
        }
        String model = r.model();
        if (model.equals(StreamRegistration.NONE)) {
            streams.put(r.streamId(), new InferenceStatus.StreamStatus(r.streamId(), "none", model, false, ""));
            return null;
        }
        if (model.equals(StreamRegistration.GROUND_TRUTH)) {
            GroundTruthAnnotator gt = new GroundTruthAnnotator(r, settings, zones.holder(r.streamId()));
            streams.put(r.streamId(), new InferenceStatus.StreamStatus(r.streamId(), "ground-truth", model, false, ""));
            return pausable(r.streamId(), gt);
        }
        ModelWorker worker = worker(model);
        if (worker == null) {
            String reason = loadErrors.get(model);
            StreamAnnotator failed = new StreamAnnotator(r, Annotations.Origin.MODEL, model, "", "none", settings,
                    zones.holder(r.streamId()));
            streams.put(r.streamId(), new InferenceStatus.StreamStatus(r.streamId(), "failed", model, false, reason));
            return new FailedModelFeed(failed, reason);
        }
        StreamAnnotator annotator = new StreamAnnotator(r, Annotations.Origin.MODEL, worker.spec().name(),
                worker.spec().version(), worker.backend().device(), settings, zones.holder(r.streamId()));
        int slot = worker.addStream(annotator);
        ModelFeed feed = new ModelFeed(worker, slot, r.counters());
        streams.put(r.streamId(), new InferenceStatus.StreamStatus(r.streamId(), "model", model, false, ""));
        pausers.put(r.streamId(), feed::paused);
        paused.put(r.streamId(), false);
        return feed;
    }

    private InferenceFeed pausable(String streamId, GroundTruthAnnotator gt) {
        AtomicBoolean off = new AtomicBoolean();
        pausers.put(streamId, off::set);
        paused.put(streamId, false);
        return (slot, version) -> {
            if (off.get()) {
                return InferenceFeed.Offer.BUSY;
            }
            return gt.offer(slot, version);
        };
    }

    private static String describe(OrtThreads t) {
        return (t.intraOp() == 0 ? "ONNX Runtime's default threads" : t.intraOp() + (t.intraOp() == 1 ? " thread" : " threads"))
                + (t.spinning() || t.intraOp() == 1 ? "" : ", not spinning");
    }

    /** The worker of a model already loaded, or null (tests look at its post-processing threads). */
    synchronized ModelWorker loadedWorker(String model) {
        return workers.get(model);
    }

    /** The worker of a model, loading it on first use; null (and the error recorded) when it cannot be loaded. */
    private ModelWorker worker(String model) {
        ModelWorker w = workers.get(model);
        if (w != null || loadErrors.containsKey(model)) {
            return w;
        }
        InferenceBackend backend = null;
        try {
            ModelSource source = ModelSource.locate(model, settings.modelsDir());
            OrtThreads threads = settings.liveThreads();
            BackendOptions options = new BackendOptions(settings.device(), settings.maxBatch(), 2,
                    threads.intraOp(), settings.batchShape(), settings.convAlgoSearch(), threads.spinning());
            backend = BackendFactory.open(source, options, settings.remote(), settings.stepDown());
            w = new ModelWorker(source.spec().name(), backend, settings);
            if (settings.warmup() && backend.canWarmUp()) {
                try {
                    w.warmUp();
                } catch (InferenceException e) {
                    throw new ModelLoadException("model '" + model + "' (" + backend.location()
                            + ") loads but cannot run: " + e.getMessage(), e);
                }
            }
        } catch (ModelLoadException | RuntimeException e) {
            if (backend != null) {
                backend.close();
            }
            String reason = "model failed to load: " + e.getMessage();
            loadErrors.put(model, reason);
            LOG.severe(reason + " (its streams keep their video; their annotations say FAILED)");
            return null;
        }
        LOG.info("model " + model + " " + w.spec().version() + " loaded from " + backend.location() + " on "
                + backend.device() + (backend.deviceNote().isEmpty() ? "" : " (" + backend.deviceNote() + ")")
                + ", batches of up to " + backend.maxBatch()
                + (backend.device().startsWith("cpu") ? ", " + describe(settings.liveThreads()) : "")
                + (backend.variants() > 1 ? ", steps down to its " + backend.variantName(1) + " graph ("
                        + backend.fallback().file() + ") under load" : "")
                + (backend.fixedBatchShape() ? " (every call at " + backend.maxBatch() + " rows: one tensor shape)" : "")
                + (w.postThreads() > 1 ? ", rows post-processed on " + w.postThreads() + " threads" : ""));
        workers.put(model, w);
        w.start();
        return w;
    }

    /** Stops inference for a stream (its feed declines frames, so its overlay ages and goes stale). */
    public synchronized void pause(String streamId) {
        setPaused(streamId, true);
    }

    public synchronized void resume(String streamId) {
        setPaused(streamId, false);
    }

    private void setPaused(String streamId, boolean p) {
        Consumer<Boolean> c = pausers.get(streamId);
        if (c == null) {
            throw new IllegalArgumentException("stream " + streamId + " has no inference to pause or resume");
        }
        c.accept(p);
        paused.put(streamId, p);
    }

    /** The surgeon-drawn no-go zones (the REST routes write here; the workers read snapshots). */
    public ZoneStore zones() {
        return zones;
    }

    public InferenceSettings settings() {
        return settings;
    }

    /**
     * Paces the models that run on this machine's CPU ({@link AiPace}: the share of each stream's frames they take,
     * from the next frame); models on a GPU or an inference server are not paced (they do not take the picture's
     * CPU). Any thread.
     */
    public synchronized void pace(int step) {
        AiPace.check(step);
        for (ModelWorker w : workers.values()) {
            InferenceBackend b = w.backend();
            if ("cpu".equals(b.device()) && b.link().isEmpty()) {
                w.paceStep(step);
            }
        }
    }

    public synchronized InferenceStatus status() {
        List<InferenceStatus.ModelStatus> models = new ArrayList<>();
        String inUse = null;
        String note = "";
        for (Map.Entry<String, ModelWorker> e : workers.entrySet()) {
            ModelWorker w = e.getValue();
            InferenceBackend b = w.backend();
            if (inUse == null) {
                inUse = b.device();
                note = b.deviceNote();
            }
            long batches = w.batchesRun();
            Map<Integer, Long> sizes = new TreeMap<>();
            long[] counts = w.batchSizeCounts();
            for (int i = 1; i < counts.length; i++) {
                if (counts[i] > 0) {
                    sizes.put(i, counts[i]);
                }
            }
            Map<Integer, Double> p90 = new TreeMap<>();
            double[] ms = w.runP90Millis();
            for (int i = 1; i < ms.length; i++) {
                if (ms[i] > 0) {
                    p90.put(i, ms[i]);
                }
            }
            models.add(new InferenceStatus.ModelStatus(e.getKey(), w.spec().version(), "loaded", "", b.location(),
                    b.device(), b.maxBatch(), b.fixedBatchShape(), batches, w.rowsRun(),
                    batches == 0 ? 0 : (double) w.rowsRun() / batches,
                    w.runFailures(), w.skippedDeadline(), w.lastRunMillis(), sizes, p90, w.spec().trainingDataHash(),
                    w.spec().metrics(), new InferenceStatus.Load(w.variantName(), List.of(w.variantNames()),
                    w.stepDowns(), w.stepUps(), Math.round(w.coverage() * 1000) / 1000.0,
                    Math.round(w.busy() * 1000) / 1000.0, w.postThreads(), w.rowsPostedByHelpers()), b.link()));
        }
        for (Map.Entry<String, String> e : loadErrors.entrySet()) {
            models.add(new InferenceStatus.ModelStatus(e.getKey(), "", "failed", e.getValue(), "", "none", 0, false, 0, 0,
                    0, 0, 0, 0, Map.of(), Map.of(), "", Map.of(), InferenceStatus.Load.NONE, ""));
        }
        List<InferenceStatus.StreamStatus> s = new ArrayList<>();
        for (InferenceStatus.StreamStatus st : streams.values()) {
            s.add(new InferenceStatus.StreamStatus(st.streamId(), st.mode(), st.model(),
                    paused.getOrDefault(st.streamId(), false), st.detail()));
        }
        return new InferenceStatus(settings.device(), inUse == null ? settings.device() : inUse, note, models, s,
                settings.liveThreads().intraOp());
    }

    /** Threads of the model workers (for tests that read per-thread allocation). */
    public synchronized List<Thread> workerThreads() {
        List<Thread> out = new ArrayList<>();
        workers.values().forEach(w -> out.add(w.thread()));
        return out;
    }

    /** Threads that help the workers post-process rows ({@code inference.postThreads} above one; else none). */
    public synchronized List<Thread> postHelperThreads() {
        List<Thread> out = new ArrayList<>();
        workers.values().forEach(w -> out.addAll(w.postHelperThreads()));
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ModelWorker w : workers.values()) {
            w.stop();
            w.backend().close();
        }
    }
}
