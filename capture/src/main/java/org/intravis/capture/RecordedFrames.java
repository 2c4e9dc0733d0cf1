package org.intravis.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.pipeline.RecordingLayout;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The frame lines of a recorded session's closed segments (layout in {@link RecordingLayout}), held as primitive
 * arrays indexed by the frame's position in the session (0 .. {@link #count()}-1): its time, the overlay the video
 * showed with it, and the alert level of that overlay. Used by the {@code recording:} source for timing and
 * seeking, and by the replay API for the timeline and its alert marks.
 */
public final class RecordedFrames {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Overlay status codes, as in {@code Annotations.Status}'s order. */
    public static final byte STATUS_NONE = 0;
    public static final byte STATUS_VALID = 1;
    public static final byte STATUS_FAILED = 2;

    private final int[] segments;       // segment number of each closed segment, in order
    private final int[] segmentStart;   // first position of each segment
    private final Path[] videos;
    private int count;
    private long[] frameId = new long[1024];
    private long[] ptsMs = new long[1024];
    private long[] tUs = new long[1024];
    private long[] captureUs = new long[1024];
    private long[] overlayFrameId = new long[1024];
    private int[] overlayAgeMs = new int[1024];
    private byte[] overlayStatus = new byte[1024];
    private byte[] alertLevel = new byte[1024];
    private boolean[] shown = new boolean[1024];
    private boolean[] fresh = new boolean[1024];
    private long malformed;

    private RecordedFrames(int n) {
        segments = new int[n];
        segmentStart = new int[n + 1];
        videos = new Path[n];
    }

    /**
     * Reads the frame lines of every closed segment of {@code session}. Fails with a clear message when the folder
     * has no closed segment. A segment whose frame lines are missing is refused (its pictures could not be
     * matched to what was shown); malformed lines are skipped and counted.
     */
    public static RecordedFrames load(Path session) throws IOException {
        List<Integer> closed = new ArrayList<>();
        try (Stream<Path> s = Files.list(session)) {
            s.forEach(p -> {
                int i = RecordingLayout.segmentIndexOf(p.getFileName().toString());
                if (i > 0) {
                    closed.add(i);
                }
            });
        }
        closed.sort(null);
        if (closed.isEmpty()) {
            throw new IOException("recording " + session + " has no closed segment (no segment-NNNNN"
                    + RecordingLayout.VIDEO_SUFFIX + " file)");
        }
        RecordedFrames f = new RecordedFrames(closed.size());
        for (int k = 0; k < closed.size(); k++) {
            int seg = closed.get(k);
            f.segments[k] = seg;
            f.videos[k] = RecordingLayout.video(session, seg);
            f.segmentStart[k] = f.count;
            Path lines = RecordingLayout.frames(session, seg);
            if (!Files.isRegularFile(lines)) {
                throw new IOException("recording " + session + ": segment " + seg + " has no frame lines ("
                        + lines.getFileName() + ")");
            }
            // (an earlier segment whose lines were all damaged leaves nothing to continue from)
            f.readSegment(lines, f.count > 0 ? f.tUs(f.count - 1) : -1);
        }
        f.segmentStart[closed.size()] = f.count;
        if (f.count == 0) {
            throw new IOException("recording " + session + " has no frames");
        }
        return f;
    }

    private void readSegment(Path lines, long previousTUs) throws IOException {
        try {
            readLines(lines);
        } catch (java.nio.charset.CharacterCodingException e) { // the reader's own message is "Input length = 1"
            throw new IOException("recording " + lines.getParent() + ": " + lines.getFileName()
                    + " is not UTF-8 text (damaged)", e);
        }
    }

    private void readLines(Path lines) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(lines, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    malformed++;
                    continue;
                }
                if (n == null || !n.path("frameId").canConvertToLong()) {
                    malformed++;
                    continue;
                }
                grow();
                int i = count++;
                frameId[i] = n.path("frameId").asLong();
                ptsMs[i] = n.path("ptsMs").asLong();
                long t = n.path("tUs").asLong();
                tUs[i] = Math.max(t, i > 0 ? tUs[i - 1] : 0); // never backwards, whatever a damaged line says
                captureUs[i] = n.path("captureUs").asLong();
                shown[i] = n.path("shown").asBoolean(true);
                overlayFrameId[i] = n.path("overlayFrameId").asLong(-1);
                overlayAgeMs[i] = (int) Math.min(Integer.MAX_VALUE, n.path("overlayAgeMs").asLong(-1));
                fresh[i] = n.path("overlayFresh").asBoolean(false);
                overlayStatus[i] = switch (n.path("overlayStatus").asText("NONE")) {
                    case "VALID" -> STATUS_VALID;
                    case "FAILED" -> STATUS_FAILED;
                    default -> STATUS_NONE;
                };
                alertLevel[i] = switch (n.path("alertLevel").asText("none")) {
                    case "caution" -> 1;
                    case "warning" -> 2;
                    case "critical" -> 3;
                    default -> 0;
                };
            }
        }
    }

    private void grow() {
        if (count < frameId.length) {
            return;
        }
        int n = frameId.length * 2;
        frameId = Arrays.copyOf(frameId, n);
        ptsMs = Arrays.copyOf(ptsMs, n);
        tUs = Arrays.copyOf(tUs, n);
        captureUs = Arrays.copyOf(captureUs, n);
        overlayFrameId = Arrays.copyOf(overlayFrameId, n);
        overlayAgeMs = Arrays.copyOf(overlayAgeMs, n);
        overlayStatus = Arrays.copyOf(overlayStatus, n);
        alertLevel = Arrays.copyOf(alertLevel, n);
        shown = Arrays.copyOf(shown, n);
        fresh = Arrays.copyOf(fresh, n);
    }

    /** Frames in the closed segments. */
    public int count() { return count; }
    /** Frame lines that could not be read. */
    public long malformedLines() { return malformed; }
    public int segmentCount() { return segments.length; }
    /** The segment number (as in the file name) of the k-th closed segment. */
    public int segmentNumber(int k) { return segments[k]; }
    public Path video(int k) { return videos[k]; }
    /** Position of the k-th closed segment's first frame. */
    public int segmentStart(int k) { return segmentStart[k]; }
    public int segmentFrames(int k) { return segmentStart[k + 1] - segmentStart[k]; }

    /** The closed segment (0-based, in order) that holds position {@code i}. */
    public int segmentOf(int i) {
        int k = Arrays.binarySearch(segmentStart, 0, segments.length, i);
        if (k >= 0) {
            while (k + 1 < segments.length && segmentStart[k + 1] == i) {
                k++; // skip empty segments
            }
            return k;
        }
        return -k - 2;
    }

    /** The live frame id the frame had when it was recorded. */
    public long frameId(int i) { return frameId[i]; }
    /** Its presentation time in its segment's video, ms. */
    public long ptsMs(int i) { return ptsMs[i]; }
    /** Its time since the session started, microseconds (replay timing). */
    public long tUs(int i) { return tUs[i]; }
    /** Its capture time, epoch microseconds. */
    public long captureUs(int i) { return captureUs[i]; }
    /** Whether the live video showed it (false: skipped to catch up). */
    public boolean shown(int i) { return shown[i]; }
    /** Frame id of the overlay the video showed with it, -1 for none. */
    public long overlayFrameId(int i) { return overlayFrameId[i]; }
    /** That overlay's age relative to the frame, ms (-1: none). */
    public int overlayAgeMs(int i) { return overlayAgeMs[i]; }
    public boolean overlayFresh(int i) { return fresh[i]; }
    /** {@link #STATUS_NONE}, {@link #STATUS_VALID} or {@link #STATUS_FAILED}. */
    public byte overlayStatus(int i) { return overlayStatus[i]; }
    /** Highest alert level of that overlay: 0 none, 1 caution, 2 warning, 3 critical. */
    public byte alertLevel(int i) { return alertLevel[i]; }
    /** The session's length: the last frame's time. */
    public long durationUs() { return count == 0 ? 0 : tUs[count - 1]; }

    /** Position of the last frame at or before {@code t} microseconds (0 when {@code t} is before the first). */
    public int positionAt(long t) {
        int lo = 0;
        int hi = count - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (tUs[mid] <= t) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Position of the frame of segment {@code k} with presentation time {@code pts} ms, or -1. */
    public int positionOfPts(int k, long pts) {
        int lo = segmentStart[k];
        int hi = segmentStart[k + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ptsMs[mid] < pts) {
                lo = mid + 1;
            } else if (ptsMs[mid] > pts) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }
}
