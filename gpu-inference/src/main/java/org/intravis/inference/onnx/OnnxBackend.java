package org.intravis.inference.onnx;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.onnxruntime.ConstTensorTypeAndShapeInfo;
import org.bytedeco.onnxruntime.Env;
import org.bytedeco.onnxruntime.IoBinding;
import org.bytedeco.onnxruntime.MemoryInfo;
import org.bytedeco.onnxruntime.OrtCUDAProviderOptions;
import org.bytedeco.onnxruntime.RunOptions;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.SessionOptions;
import org.bytedeco.onnxruntime.StringVector;
import org.bytedeco.onnxruntime.TypeInfo;
import org.bytedeco.onnxruntime.Value;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.BatchShape;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceException;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.inference.ModelSpec;
import org.intravis.inference.NativeMemory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_ENABLE_ALL;
import static org.bytedeco.onnxruntime.global.onnxruntime.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_ERROR;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtArenaAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

/**
 * {@link InferenceBackend} over ONNX Runtime (bytedeco's C++ API), CPU by default, CUDA when asked and available.
 * <p>
 * Tensors are allocated once: {@code buffers} sets of an input and an output tensor for the largest batch. For
 * every batch size {@code n} an {@code IoBinding} binds tensor views of the first {@code n} rows, so a run is one
 * {@code Session::Run(RunOptions, IoBinding)} call that allocates nothing on the Java side and leaves the tensors
 * where they are between calls (with CUDA, ONNX Runtime copies the bound host tensors in and out). With a fixed
 * {@link BatchShape} (the default on CUDA) every run binds all maxBatch rows, so the graph sees one shape.
 * <p>
 * When CUDA is asked for but cannot start (the CPU build of the natives, missing CUDA libraries, no GPU visible or a
 * driver it cannot use) the model runs on the CPU, a WARNING is logged, and {@link #device()} and
 * {@link #deviceNote()} say so and why.
 */
public final class OnnxBackend implements InferenceBackend {
    private static final Logger LOG = Logger.getLogger(OnnxBackend.class.getName());
    /** ONNX Runtime's name of the CUDA execution provider. */
    public static final String CUDA_PROVIDER = "CUDAExecutionProvider";
    private static volatile Env env;

    private final ModelSource source;
    private final ModelSpec spec;
    private final String device;
    private final String deviceNote;
    private final int maxBatch;
    private final int buffers;
    private final Session session;
    /** The fallback graph's session (variant 1), or null. */
    private final Session fallbackSession;
    /** What that graph is: the sidecar's fallback, or on the CPU its {@code fallback.cpu} where it names one. */
    private final ModelSpec.Fallback fallbackGraph;
    private final SessionOptions sessionOptions;
    private final RunOptions runOptions = new RunOptions();
    private final MemoryInfo memoryInfo;
    private final FloatPointer[] inputs;
    private final FloatPointer[] outputs;
    private final FloatPointer[][] inputRows;
    private final FloatPointer[][] outputRows;
    /** [buffer][rows]: binding of the first {@code rows} rows of a set; index 0 unused (and all but maxBatch when
     *  the shape is fixed). */
    private final IoBinding[][] bindings;
    /** The same for the fallback session (null without one). */
    private final IoBinding[][] fallbackBindings;
    private final List<Pointer> keep = new ArrayList<>();
    /** Every run binds maxBatch rows (one tensor shape; see {@link BatchShape}). */
    private final boolean fixedShape;
    private boolean closed;

    private OnnxBackend(ModelSource source, boolean withFallback, BackendOptions options) throws ModelLoadException {
        this.source = source;
        this.spec = source.spec();
        this.buffers = options.buffers();
        String where = "model '" + source.name() + "' (" + source.location() + ")";

        SessionOptions opts = baseOptions(options);
        String asked = options.device().trim().toLowerCase(Locale.ROOT);
        String usedDevice = "cpu";
        String note = "";
        if (asked.startsWith("cuda")) {
            int deviceId = parseCudaDevice(asked, where);
            if (!availableProviders().contains(CUDA_PROVIDER)) {
                note = "CUDA was requested but cannot start (this ONNX Runtime build has no CUDA provider: it is the "
                        + "CPU build; -Pgpu builds the CUDA one); running on the CPU";
                LOG.warning(where + ": " + note);
            } else {
                try {
                    OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions();
                    cuda.device_id(deviceId);
                    cuda.cudnn_conv_algo_search(options.convAlgoSearch().ort);
                    opts.AppendExecutionProvider_CUDA(cuda);
                    keep.add(cuda);
                    usedDevice = "cuda:" + deviceId;
                } catch (RuntimeException e) {
                    note = "CUDA was requested but cannot start (" + firstLine(e.getMessage()) + "); running on the CPU";
                    LOG.warning(where + ": " + note);
                }
            }
        } else if (!asked.equals("cpu")) {
            throw new ModelLoadException(where + ": unknown device '" + options.device() + "' (use cpu, cuda or cuda:N)");
        }

        BytePointer bytes = new BytePointer(source.onnx());
        Session created;
        try {
            created = new Session(env(), bytes, source.onnx().length, opts);
        } catch (RuntimeException e) {
            if (usedDevice.equals("cpu")) {
                bytes.close();
                throw new ModelLoadException(where + " is not a loadable ONNX model: " + firstLine(e.getMessage()), e);
            }
            // the CUDA provider loaded but the session cannot start on the device (no GPU visible, a driver too old
            // for the CUDA libraries): the model runs on the CPU, as when the provider itself cannot load
            note = "CUDA was requested but cannot start (" + firstLine(e.getMessage()) + "); running on the CPU";
            LOG.warning(where + ": " + note);
            usedDevice = "cpu";
            opts.close();
            opts = baseOptions(options);
            try {
                created = new Session(env(), bytes, source.onnx().length, opts);
            } catch (RuntimeException onCpu) {
                bytes.close();
                throw new ModelLoadException(where + " is not a loadable ONNX model: " + firstLine(onCpu.getMessage()), onCpu);
            }
        }
        session = created;
        sessionOptions = opts;
        bytes.close();
        this.device = usedDevice;
        this.deviceNote = note;
        this.fixedShape = options.batchShape().fixedOn(usedDevice);

        boolean onCpu = usedDevice.equals("cpu"); // where CUDA could not start too: the CPU's step-down graph
        Session second = null;
        try {
            this.maxBatch = validate(session, where, options.maxBatch());
            ModelSource fallback = withFallback ? source.fallback(onCpu) : null;
            if (fallback != null) {
                String fallbackWhere = "model '" + source.name() + "' fallback (" + fallback.location() + ")";
                BytePointer fb = new BytePointer(fallback.onnx());
                try {
                    second = new Session(env(), fb, fallback.onnx().length, sessionOptions);
                } catch (RuntimeException e) {
                    throw new ModelLoadException(fallbackWhere + " is not a loadable ONNX model: "
                            + firstLine(e.getMessage()), e);
                } finally {
                    fb.close();
                }
                if (validate(second, fallbackWhere, options.maxBatch()) != maxBatch) {
                    throw new ModelLoadException(fallbackWhere + ": its batch size differs from the model's");
                }
            }
        } catch (ModelLoadException e) {
            if (second != null) {
                second.close();
            }
            session.close();
            throw e;
        }
        fallbackSession = second;
        fallbackGraph = second == null ? null : spec.fallback().on(onCpu); // the graph source.fallback(onCpu) read

        memoryInfo = MemoryInfo.CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
        long inRow = spec.inputRowFloats();
        long outRow = spec.outputRowFloats();
        inputs = new FloatPointer[buffers];
        outputs = new FloatPointer[buffers];
        inputRows = new FloatPointer[buffers][maxBatch];
        outputRows = new FloatPointer[buffers][maxBatch];
        bindings = new IoBinding[buffers][maxBatch + 1];
        fallbackBindings = fallbackSession == null ? null : new IoBinding[buffers][maxBatch + 1];
        for (int b = 0; b < buffers; b++) {
            inputs[b] = new FloatPointer(inRow * maxBatch);
            outputs[b] = new FloatPointer(outRow * maxBatch);
            Pointer.memset(inputs[b], 0, inRow * maxBatch * Float.BYTES);
            Pointer.memset(outputs[b], 0, outRow * maxBatch * Float.BYTES);
            for (int r = 0; r < maxBatch; r++) {
                inputRows[b][r] = NativeMemory.floats(inputs[b], r * inRow * Float.BYTES, inRow);
                outputRows[b][r] = NativeMemory.floats(outputs[b], r * outRow * Float.BYTES, outRow);
            }
            for (int n = fixedShape ? maxBatch : 1; n <= maxBatch; n++) { // fixed: only the full binding is used
                LongPointer inShape = new LongPointer(n, spec.channels(), spec.height(), spec.width());
                LongPointer outShape = new LongPointer(n, spec.outputChannelCount(), spec.height(), spec.width());
                Value in = Value.CreateTensorFloat(memoryInfo.asOrtMemoryInfo(), inputs[b], n * inRow, inShape, 4);
                Value out = Value.CreateTensorFloat(memoryInfo.asOrtMemoryInfo(), outputs[b], n * outRow, outShape, 4);
                IoBinding binding = new IoBinding(session);
                binding.BindInput(spec.inputName(), in);
                binding.BindOutput(spec.outputName(), out);
                keep.add(inShape);
                keep.add(outShape);
                keep.add(in);
                keep.add(out);
                bindings[b][n] = binding;
                if (fallbackSession != null) { // the same tensors: feeds write one input whichever graph runs
                    IoBinding fb = new IoBinding(fallbackSession);
                    fb.BindInput(spec.inputName(), in);
                    fb.BindOutput(spec.outputName(), out);
                    fallbackBindings[b][n] = fb;
                }
            }
        }
    }

    /** Loads a model; every failure is a {@link ModelLoadException} naming the model, its path and the cause. */
    public static OnnxBackend load(ModelSource source, BackendOptions options) throws ModelLoadException {
        return new OnnxBackend(source, false, options);
    }

    /**
     * Loads a model with its cheaper fallback graph, where its sidecar declares one, as variant 1: a second session
     * over the same tensors, with the model's input and output contract. The graph is the one for the device the model
     * got ({@link ModelSource#fallback(boolean)}: on the CPU, the sidecar's {@code fallback.cpu} where it names one).
     */
    public static OnnxBackend loadWithFallback(ModelSource source, BackendOptions options) throws ModelLoadException {
        return new OnnxBackend(source, true, options);
    }

    private static Env env() {
        Env e = env;
        if (e == null) {
            synchronized (OnnxBackend.class) {
                e = env;
                if (e == null) {
                    e = new Env(ORT_LOGGING_LEVEL_ERROR, "intravis");
                    env = e;
                }
            }
        }
        return e;
    }

    /** The session options every session starts from (graph optimisation, threads, spinning). */
    private static SessionOptions baseOptions(BackendOptions options) {
        SessionOptions o = new SessionOptions();
        o.SetGraphOptimizationLevel(ORT_ENABLE_ALL);
        o.SetInterOpNumThreads(1);
        if (options.intraOpThreads() > 0) {
            o.SetIntraOpNumThreads(options.intraOpThreads());
        }
        if (!options.spinning()) {
            o.AddConfigEntry("session.intra_op.allow_spinning", "0");
        }
        return o;
    }

    /**
     * The execution providers this build of ONNX Runtime has, e.g. {@code [CPUExecutionProvider]}; the CUDA build
     * (-Pgpu) adds {@value #CUDA_PROVIDER}. Whether a GPU is there to use is another matter.
     */
    public static List<String> availableProviders() {
        return names(org.bytedeco.onnxruntime.global.onnxruntime.GetAvailableProviders());
    }

    private static int parseCudaDevice(String asked, String where) throws ModelLoadException {
        if (asked.equals("cuda")) {
            return 0;
        }
        try {
            return Integer.parseInt(asked.substring("cuda:".length()));
        } catch (RuntimeException e) {
            throw new ModelLoadException(where + ": unknown device '" + asked + "' (use cpu, cuda or cuda:N)");
        }
    }

    /** Checks the network against its sidecar; returns the batch size it can take (at most the one asked for). */
    private int validate(Session session, String where, int askedMaxBatch) throws ModelLoadException {
        List<String> inputNames = names(session.GetInputNames());
        List<String> outputNames = names(session.GetOutputNames());
        int in = inputNames.indexOf(spec.inputName());
        if (in < 0) {
            throw new ModelLoadException(where + ": input '" + spec.inputName() + "' declared in the sidecar is not in "
                    + "the network (its inputs: " + inputNames + ")");
        }
        if (inputNames.size() != 1) {
            throw new ModelLoadException(where + ": the network has " + inputNames.size() + " inputs " + inputNames
                    + "; exactly one is supported");
        }
        int out = outputNames.indexOf(spec.outputName());
        if (out < 0) {
            throw new ModelLoadException(where + ": output '" + spec.outputName() + "' declared in the sidecar is not "
                    + "in the network (its outputs: " + outputNames + ")");
        }
        long[] inDims = dims(session.GetInputTypeInfo(in), where, "input '" + spec.inputName() + "'");
        long[] outDims = dims(session.GetOutputTypeInfo(out), where, "output '" + spec.outputName() + "'");
        expect(where, "input '" + spec.inputName() + "'", inDims,
                new long[] {-1, spec.channels(), spec.height(), spec.width()}, "[N," + spec.channels() + ","
                        + spec.height() + "," + spec.width() + "]");
        expect(where, "output '" + spec.outputName() + "'", outDims,
                new long[] {-1, spec.outputChannelCount(), spec.height(), spec.width()}, "[N,"
                        + spec.outputChannelCount() + "," + spec.height() + "," + spec.width() + "] (channels "
                        + spec.outputChannels() + ")");
        long fixedBatch = inDims[0] > 0 ? inDims[0] : outDims[0];
        if (fixedBatch > 0 && fixedBatch != askedMaxBatch) {
            if (fixedBatch > askedMaxBatch) {
                throw new ModelLoadException(where + ": the network's batch size is fixed at " + fixedBatch
                        + ", larger than maxBatch " + askedMaxBatch + "; export it with a dynamic batch axis");
            }
            LOG.warning(where + ": the network's batch size is fixed at " + fixedBatch + "; batches are limited to it");
            return (int) fixedBatch;
        }
        return askedMaxBatch;
    }

    private static void expect(String where, String what, long[] actual, long[] wanted, String wantedText)
            throws ModelLoadException {
        boolean ok = actual.length == wanted.length;
        for (int i = 0; ok && i < wanted.length; i++) {
            ok = wanted[i] < 0 || actual[i] < 0 || actual[i] == wanted[i];
        }
        if (!ok) {
            throw new ModelLoadException(where + ": " + what + " has shape " + Arrays.toString(actual).replace("-1", "N")
                    + " but the sidecar declares " + wantedText);
        }
    }

    private static long[] dims(TypeInfo info, String where, String what) throws ModelLoadException {
        ConstTensorTypeAndShapeInfo t = info.GetTensorTypeAndShapeInfo();
        if (t.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
            throw new ModelLoadException(where + ": " + what + " is not float32 (ONNX element type "
                    + t.GetElementType() + ")");
        }
        long[] d = new long[(int) t.GetDimensionsCount()];
        t.GetDimensions(d, d.length);
        return d;
    }

    private static List<String> names(StringVector v) {
        List<String> out = new ArrayList<>();
        for (long i = 0; i < v.size(); i++) {
            out.add(v.get(i).getString());
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    @Override public ModelSpec spec() { return spec; }
    @Override public String location() { return source.location(); }
    @Override public String device() { return device; }
    @Override public String deviceNote() { return deviceNote; }
    @Override public int maxBatch() { return maxBatch; }
    @Override public boolean fixedBatchShape() { return fixedShape; }
    @Override public int buffers() { return buffers; }
    @Override public FloatPointer inputRow(int buffer, int row) { return inputRows[buffer][row]; }
    @Override public FloatPointer outputRow(int buffer, int row) { return outputRows[buffer][row]; }

    @Override public int variants() { return fallbackSession == null ? 1 : 2; }

    @Override public ModelSpec.Fallback fallback() { return fallbackGraph; }

    @Override
    public void run(int buffer, int rows) throws InferenceException {
        run(buffer, rows, 0);
    }

    @Override
    public void run(int buffer, int rows, int variant) throws InferenceException {
        if (rows < 1 || rows > maxBatch) {
            throw new IllegalArgumentException("rows " + rows + " outside 1.." + maxBatch);
        }
        if (variant < 0 || variant >= variants()) {
            throw new IllegalArgumentException("variant " + variant + " outside 0.." + (variants() - 1));
        }
        try {
            (variant == 0 ? session : fallbackSession).Run(runOptions,
                    (variant == 0 ? bindings : fallbackBindings)[buffer][fixedShape ? maxBatch : rows]);
        } catch (RuntimeException e) {
            throw new InferenceException("model '" + source.name() + "' (" + variantName(variant) + ") failed on a batch of "
                    + rows + ": " + firstLine(e.getMessage()), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (IoBinding[][] all : fallbackBindings == null ? new IoBinding[][][] {bindings}
                    : new IoBinding[][][] {bindings, fallbackBindings}) {
                for (IoBinding[] set : all) {
                    for (IoBinding b : set) {
                        if (b != null) {
                            b.close();
                        }
                    }
                }
            }
            for (int i = keep.size() - 1; i >= 0; i--) {
                keep.get(i).close();
            }
            session.close();
            if (fallbackSession != null) {
                fallbackSession.close();
            }
            sessionOptions.close();
            runOptions.close();
            memoryInfo.close();
            for (int b = 0; b < buffers; b++) {
                inputs[b].close();
                outputs[b].close();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing model '" + source.name() + "'", e);
        }
    }

    @Override
    public String toString() {
        return "OnnxBackend{" + spec + " on " + device + ", maxBatch " + maxBatch + "}";
    }
}
