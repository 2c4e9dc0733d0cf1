package org.intravis.streamer;

import org.intravis.pipeline.Annotations;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of the recorder (the application's {@code recording:} section): fluent setters with defaults, validated
 * once by {@link #conclude()}.
 */
public final class RecordingSettings {
    private Path dir;
    private int segmentSeconds = 60;
    private VideoCodec codec = VideoCodec.FFVHUFF;
    private int bufferFrames = 16;
    private long minFreeBytes = 256L << 20;
    private int encoderThreads = 1;
    private long h264BitrateBps;
    private double lowConfidence = Annotations.LOW_CONFIDENCE;
    private final Map<String, List<Region>> deidentify = new LinkedHashMap<>();
    private boolean concluded;

    /** A rectangle in frame pixels (origin top left) blanked in what is recorded, e.g. where a scanner burns in a name. */
    public record Region(int x, int y, int width, int height) {
        public Region {
            if (x < 0 || y < 0 || width <= 0 || height <= 0) {
                throw new IllegalArgumentException("de-identification rectangle needs x, y >= 0 and width, height > 0, was "
                        + x + "," + y + " " + width + "x" + height);
            }
        }
    }

    /** Where sessions are written: one folder per session (created when needed). */
    public RecordingSettings dir(Path d) { this.dir = d; return this; }
    /** Length of a segment: a crash loses at most the segment being written (60 s by default). */
    public RecordingSettings segmentSeconds(int s) { this.segmentSeconds = s; return this; }
    public RecordingSettings codec(VideoCodec c) { this.codec = c; return this; }
    /** Frames the recorder can hold while its writer is behind (beyond that it drops and counts). */
    public RecordingSettings bufferFrames(int n) { this.bufferFrames = n; return this; }
    /**
     * Recording stops cleanly (closing its segment while there is still room) when the disk has less than this
     * free; a full disk met anyway stops it too, losing the open segment.
     */
    public RecordingSettings minFreeBytes(long b) { this.minFreeBytes = b; return this; }
    /** Encoder threads per recording (slice threads; ffv1 only benefits). */
    public RecordingSettings encoderThreads(int n) { this.encoderThreads = n; return this; }
    /** H.264 bit rate (0: about 0.3 bits per pixel per frame). */
    public RecordingSettings h264BitrateBps(long bps) { this.h264BitrateBps = bps; return this; }
    /** The overlay's low-confidence threshold written into recorded annotations. */
    public RecordingSettings lowConfidence(double c) { this.lowConfidence = c; return this; }
    /** Rectangles of a stream blanked in the recording (and so in exports), not in the live view. */
    public RecordingSettings deidentify(String streamId, List<Region> regions) {
        deidentify.put(streamId, List.copyOf(regions));
        return this;
    }

    public Path dir() { return dir; }
    public int segmentSeconds() { return segmentSeconds; }
    public VideoCodec codec() { return codec; }
    public int bufferFrames() { return bufferFrames; }
    public long minFreeBytes() { return minFreeBytes; }
    public int encoderThreads() { return encoderThreads; }
    public long h264BitrateBps() { return h264BitrateBps; }
    public double lowConfidence() { return lowConfidence; }
    public List<Region> deidentify(String streamId) { return deidentify.getOrDefault(streamId, List.of()); }

    boolean concluded() { return concluded; }

    public RecordingSettings conclude() {
        if (dir == null) {
            throw new IllegalArgumentException("recording: a directory is required");
        }
        if (segmentSeconds < 1 || segmentSeconds > 3600) {
            throw new IllegalArgumentException("recording: segmentSeconds must be 1..3600, was " + segmentSeconds);
        }
        if (bufferFrames < 2 || bufferFrames > 1024) {
            throw new IllegalArgumentException("recording: bufferFrames must be 2..1024, was " + bufferFrames);
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("recording: minFreeMb must not be negative");
        }
        if (encoderThreads < 1 || encoderThreads > 16) {
            throw new IllegalArgumentException("recording: encoderThreads must be 1..16, was " + encoderThreads);
        }
        if (codec == null) {
            throw new IllegalArgumentException("recording: a codec is required");
        }
        concluded = true;
        return this;
    }
}
