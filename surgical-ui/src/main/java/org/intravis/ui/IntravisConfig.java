package org.intravis.ui;

import org.intravis.inference.AlertSettings;
import org.intravis.inference.ModelSource;
import org.intravis.inference.ZoneSmoother;
import org.intravis.pipeline.Modality;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application's configuration: one section per stage, as read from YAML ({@code --config FILE}) and then
 * overridden from the command line. Every field has a default, so an empty file (or none) runs the embedded
 * default: one synthetic ultrasound stream, the bundled model on the CPU, port 8080.
 * Unknown keys are rejected with their location, so that a typo never silently falls back to a default.
 */
public final class IntravisConfig {
    public Server server = new Server();
    public Pipeline pipeline = new Pipeline();
    public List<Stream> streams = new ArrayList<>(List.of(Stream.defaultUltrasound()));
    public Inference inference = new Inference();
    public Streaming streaming = new Streaming();
    public Recording recording = new Recording();
    public OpenIgtLink openigtlink = new OpenIgtLink();
    /** Where state that must survive restarts lives (no-go zones, recordings by default). */
    public String dataDir = "intravis-data";

    /** The HTTP/WebSocket server. */
    public static final class Server {
        /**
         * Address to listen on; empty: loopback while no token exists, every interface once one does. Anything but
         * loopback without tokens is refused (docs/security.md).
         */
        public String host = "";
        public int port = 8080;
        /** Other sites' origins (https://host[:port]) whose pages may call this server; its own is always allowed. */
        public List<String> allowedOrigins = new ArrayList<>();
        /** PEM certificate (chain) for HTTPS and WSS; empty = plain HTTP. Needs {@link #tlsKey} too. */
        public String tlsCert = "";
        /** PEM private key of {@link #tlsCert}. */
        public String tlsKey = "";
    }

    /** The frame pipeline of every stream. */
    public static final class Pipeline {
        /** Ring entries per stream (power of two). */
        public int ringSize = 16;
        /** blocking | sleeping | yielding | busy-spin. */
        public String waitStrategy = "blocking";
        /** Overlays older than this, relative to the frame shown, are hidden and flagged stale. */
        public long staleAfterMs = 500;
    }

    /** One input stream. */
    public static final class Stream {
        /** Short id used in URLs (/display?stream=ID, /ws/streams/ID). */
        public String id;
        /** Source URI, e.g. synthetic:ultrasound, file:case.mp4?loop=true, udp://0.0.0.0:5000. */
        public String source;
        /**
         * Model name (ultrasound, fluoroscopy), ground-truth (synthetic sources only) or none. Empty = by the modality
         * the source declares.
         */
        public String model = "";
        /** Millimetres per pixel; 0 = from the source's metadata (unknown if it has none). */
        public double pixelSpacingMm = 0;
        /** Extra source options merged under those in the URI. */
        public Map<String, Object> options = new LinkedHashMap<>();

        static Stream defaultUltrasound() {
            Stream s = new Stream();
            s.id = "us1";
            s.source = "synthetic:ultrasound";
            return s;
        }

        /** The model to run: the one named, else the default for the modality its source declares. */
        public String modelFor(Modality sourceModality) {
            if (model != null && !model.isBlank()) {
                return model;
            }
            return ModelSource.defaultFor(sourceModality);
        }
    }

    /** The inference branch. */
    public static final class Inference {
        /** False runs the video alone (the overlay shows "AI OFF"). */
        public boolean enabled = true;
        /** cpu | cuda | cuda:N (falls back to the CPU with a warning when CUDA cannot start). */
        public String device = "cpu";
        /** ONNX Runtime intra-op threads per model; 0 = automatic (1 on a CPU of at most 2 logical processors, else its default). */
        public int intraOpThreads = 0;
        /** The AI path's latency budget: a batch closes in time for its oldest frame to meet it. */
        public long budgetMs = 100;
        /** Whether a model with a cheaper fallback graph steps down to it when its worker cannot keep up. */
        public boolean stepDown = true;
        /**
         * Whether a model on this CPU takes fewer frames while the CPU is saturated (AiPacer: two of three, one of
         * two, one of three), never under streaming.overlayFloorHz, so that the picture keeps its CPU.
         */
        public boolean yieldToVideo = true;
        /** Largest batch per ONNX Runtime call (frames across the streams that share a model). */
        public int maxBatch = 8;
        /**
         * auto | fixed | exact: whether a partial batch runs padded to maxBatch (one tensor shape) or at its size;
         * auto pads on CUDA, where ONNX Runtime re-plans its convolutions at every shape change, not on the CPU.
         */
        public String batchShape = "auto";
        /**
         * Threads that post-process a batch's rows (decoding, zones, the needle's tip): 0 = automatic (1 under 8
         * logical processors, else a quarter of them, at most 4); more than one is for many streams on a GPU.
         */
        public int postThreads = 0;
        /** exhaustive | heuristic | default: how ONNX Runtime's CUDA provider picks cuDNN convolution algorithms. */
        public String cudnnConvAlgoSearch = "exhaustive";
        /** A folder searched for NAME/NAME.onnx before the models bundled in the jar; empty = bundled only. */
        public String modelsDir = "";
        /** Per-class probability thresholds overriding the model's sidecar, e.g. {vessel: 0.6}. */
        public Map<String, Double> thresholds = new LinkedHashMap<>();
        /** Explainability heat map every N inferences (0 = never). */
        public int heatmapEvery = 10;
        /** Tip tracks are lost after this many frames without a detection. */
        public int lostAfterMisses = 5;
        public ZoneSmoothing zoneSmoothing = new ZoneSmoothing();
        public Alerts alerts = new Alerts();
        /** local: ONNX Runtime in this process; remote: on the inference server of {@code remote} (docs/remote-inference.md). */
        public String backend = "local";
        public Remote remote = new Remote();
    }

    /** The inference server the models run on with {@code inference.backend: remote} (Open Inference Protocol). */
    public static final class Remote {
        /** grpcs://HOST:PORT (TLS), or grpc://HOST:PORT on loopback only. */
        public String url = "";
        /** The models that run there; empty: every model. */
        public List<String> models = new ArrayList<>();
        /** The model's name on the server; empty: the local name. */
        public String model = "";
        /** PEM certificate (or CA) the server's must chain to; empty: the JVM's trusted authorities. */
        public String trustCert = "";
        /** A file holding the token sent on every call (intravis token create on the node); empty: the environment
         *  variable INTRAVIS_INFERENCE_TOKEN, or none. */
        public String tokenFile = "";
        /** Calls in flight on the link at one time. */
        public int maxInFlight = 4;
        /** Connecting, and the first answer (the model's metadata) at start. */
        public long connectTimeoutMs = 5000;
        /** Run the model locally (ONNX Runtime, inference.device) while the server cannot be reached. */
        public boolean fallback = false;
        public long reconnectInitialMs = 250;
        /** Probing a down server is one small call: half a second at most, so overlays come back soon after it does. */
        public long reconnectMaxMs = 500;
    }

    /**
     * Smoothing of the vessel and nerve maps over time per stream (on the inference thread, not the video's): an
     * average in which the newest frame weighs {@code weight}, started again on a big change or a gap, and a zone
     * in view kept down to half the smallest area a new one needs.
     */
    public static final class ZoneSmoothing {
        public boolean enabled = true;
        /** Weight of the newest frame, (0, 1]: lower is steadier and later (about (1 - w) / w inferences). */
        public double weight = ZoneSmoother.Config.defaults().weight();
        /** Overlap (soft IoU) of a frame's maps with the average below which the average starts again. */
        public double resetBelowOverlap = ZoneSmoother.Config.defaults().resetBelowOverlap();
        /** Frames further apart than this start the average again (0: never). */
        public long maxGapMs = ZoneSmoother.Config.defaults().maxGapMs();
    }

    /**
     * When a tip near a risk zone raises an alert (millimetres when the stream's pixel spacing is known, else
     * pixels). A level is entered at its threshold and left only above threshold + hysteresis, after holdMs.
     */
    public static final class Alerts {
        public double cautionMm = 10;
        public double warningMm = 5;
        public double criticalMm = 2;
        public double hysteresisMm = 1.5;
        public double cautionPx = 60;
        public double warningPx = 30;
        public double criticalPx = 12;
        public double hysteresisPx = 8;
        public long holdMs = 500;
        /** A trajectory entering a zone within this look-ahead raises a WARNING. */
        public double lookAheadMs = 500;
        /** Tips below this confidence (drawn as low confidence) raise no alert; their distances are still shown. */
        public double minTipConfidence = AlertSettings.DEFAULT_MIN_TIP_CONFIDENCE;
    }

    /** Encoding and fan-out to the browsers. */
    public static final class Streaming {
        public int jpegQuality = 80;
        /**
         * FFmpeg H.264 encoder: auto (libx264 where FFmpeg has it, the -Pgpl build, else libopenh264), libopenh264,
         * libx264 or h264_nvenc (NVIDIA GPU).
         */
        public String h264Encoder = "auto";
        /** H.264 key frame interval: how long a joining or skipping client waits at most. */
        public long keyIntervalMs = 1000;
        /**
         * How far the encoders may step their frame rate down when the CPU is saturated (EncoderGovernor): 0 never,
         * 1 three of four frames, 2 two of three, 3 one of two.
         */
        public int encoderStepDown = 2;
        /**
         * Overlays a second each stream that runs a model should get before its encoders take every frame: below it,
         * with the model busy on its cheapest graph, the encoders step down (at most half a stream's frame rate; 0:
         * no floor, the encoders step down only for stale overlays or a video that falls behind).
         */
        public double overlayFloorHz = 10;
        /** Clients (WebSocket and MJPEG) per stream; one more is refused with a close reason saying so. */
        public int maxClientsPerStream = 16;
    }

    /** Recording of sessions (raw video, the overlays shown, a manifest), for training and review. */
    public static final class Recording {
        /** Folder for recordings; relative paths are under dataDir. */
        public String dir = "recordings";
        /** Segment length: a crash or power loss loses at most the segment being written. */
        public int segmentSeconds = 60;
        /** Record every stream from the start (otherwise on demand: API or the surgeon's page). */
        public boolean alwaysOn = false;
        /** ffvhuff (lossless, default), ffv1 (lossless, smaller, slower), mjpeg (visually lossless), h264. */
        public String codec = "ffvhuff";
        /** Frames buffered for a writer that is behind; beyond that the recording drops (counted), never the live path. */
        public int bufferFrames = 16;
        /** Recording stops cleanly when the disk has less free than this (so the last segment still closes). */
        public long minFreeMb = 256;
        /** The most the recorded sessions may hold, GB; beyond it the oldest are removed (0: keep everything). */
        public double keepGb = 0;
        /** Sessions started longer ago than this many days are removed (0: keep everything). */
        public double keepDays = 0;
        /** Encoder threads per recording (ffv1 uses slices). */
        public int encoderThreads = 1;
        /** H.264 bit rate in kbit/s (0: about 0.3 bits per pixel per frame). */
        public long h264BitrateKbps = 0;
        /** Rectangles blanked in what is recorded and exported (burnt-in patient name, ID), by stream id. */
        public Map<String, List<Rect>> deidentify = new LinkedHashMap<>();
    }

    /** A rectangle in frame pixels, origin top left. */
    public static final class Rect {
        public int x;
        public int y;
        public int width;
        public int height;
    }

    /** The OpenIGTLink server (3D Slicer, PLUS, navigation systems; docs/interop.md). Off unless a port is given. */
    public static final class OpenIgtLink {
        /** Loopback by default: the protocol has no authentication. */
        public String host = "127.0.0.1";
        /** -1 = off (default); 18944 is the usual one; 0 picks a free one. */
        public int port = -1;
        /** 2: header version 1, every peer reads it; 3: extended header with metadata (frame id, model, confidence, times). */
        public int protocol = 2;
        /** Peers (IP addresses) that may connect besides this machine; required with a host beyond loopback. */
        public java.util.List<String> allowedClients = new java.util.ArrayList<>();
    }
}
