package org.intravis.ui;

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
    /** Where state that must survive restarts lives (no-go zones, recordings by default). */
    public String dataDir = "intravis-data";

    /** The HTTP/WebSocket server. */
    public static final class Server {
        public String host = "0.0.0.0";
        public int port = 8080;
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
        /** Model name (ultrasound, fluoroscopy), ground-truth (synthetic sources only) or none. Empty = by source. */
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

        /** The model to run when none is named: the fluoroscopy model for fluoroscopy, else ultrasound. */
        public String modelOrDefault() {
            if (model != null && !model.isBlank()) {
                return model;
            }
            return source != null && source.startsWith("synthetic:fluoroscopy") ? "fluoroscopy" : "ultrasound";
        }
    }

    /** The inference branch. */
    public static final class Inference {
        /** False runs the video alone (the overlay shows "AI OFF"). */
        public boolean enabled = true;
        /** cpu | cuda (falls back to the CPU with a warning when CUDA cannot start). */
        public String device = "cpu";
        /** The AI path's latency budget: a batch closes in time for its oldest frame to meet it. */
        public long budgetMs = 100;
        /** Largest batch per ONNX Runtime call. */
        public int maxBatch = 8;
    }

    /** Encoding and fan-out to the browsers. */
    public static final class Streaming {
        public int jpegQuality = 80;
        /** FFmpeg H.264 encoder: libopenh264 (bundled, CPU) or h264_nvenc on an NVIDIA GPU. */
        public String h264Encoder = "libopenh264";
        /** H.264 key frame interval: how long a joining or skipping client waits at most. */
        public long keyIntervalMs = 1000;
    }

    /** Recording of sessions. */
    public static final class Recording {
        /** Folder for recordings; relative paths are under dataDir. */
        public String dir = "recordings";
    }
}
