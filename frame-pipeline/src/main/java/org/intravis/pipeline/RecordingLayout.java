package org.intravis.pipeline;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The on-disk layout of a recorded session, shared by the writer (overlay-streamer's recorder) and the readers
 * (capture's {@code recording:} source, the exporter): one folder per session,
 *
 * <pre>
 *   manifest.json                       what, when, from where, with which models and settings; the segments
 *   segment-00001.mkv                   video of a closed segment (Matroska; ".mkv.partial" while it is written)
 *   segment-00001.frames.jsonl          one line per video frame, in order: which overlay the video showed with it
 *   segment-00001.annotations.jsonl     the overlays (docs/protocol.md "overlay" messages) those lines refer to
 * </pre>
 *
 * A frame line: {@code {"i":0,"frameId":812,"ptsMs":0,"tUs":0,"captureUs":1764...,"shown":true,
 * "overlayFrameId":810,"overlayAgeMs":66,"overlayFresh":true,"overlayStatus":"VALID","alertLevel":"warning"}}:
 * {@code i} counts the segment's video frames from 0 (the i-th picture of the .mkv), {@code ptsMs} is its
 * presentation time in the .mkv, {@code tUs} its time since the session started (replay timing), {@code shown}
 * whether the live video branch showed it (false: skipped to catch up), and the overlay fields the video branch's
 * decision for it. Only closed segments ({@code .mkv}) are complete; a segment still {@code .partial} after a
 * crash is what was lost.
 */
public final class RecordingLayout {
    public static final String FORMAT = "intravis-recording";
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "manifest.json";
    public static final String VIDEO_SUFFIX = ".mkv";
    public static final String PARTIAL_SUFFIX = ".partial";
    public static final String FRAMES_SUFFIX = ".frames.jsonl";
    public static final String ANNOTATIONS_SUFFIX = ".annotations.jsonl";

    private RecordingLayout() {
    }

    /** {@code segment-00001} for index 1. */
    public static String segmentBase(int index) {
        return String.format(Locale.ROOT, "segment-%05d", index);
    }

    public static Path video(Path session, int index) {
        return session.resolve(segmentBase(index) + VIDEO_SUFFIX);
    }

    public static Path partialVideo(Path session, int index) {
        return session.resolve(segmentBase(index) + VIDEO_SUFFIX + PARTIAL_SUFFIX);
    }

    public static Path frames(Path session, int index) {
        return session.resolve(segmentBase(index) + FRAMES_SUFFIX);
    }

    public static Path annotations(Path session, int index) {
        return session.resolve(segmentBase(index) + ANNOTATIONS_SUFFIX);
    }

    /** The segment index of a closed segment's video file name, or -1 when the name is not one. */
    public static int segmentIndexOf(String fileName) {
        if (!fileName.startsWith("segment-") || !fileName.endsWith(VIDEO_SUFFIX)) {
            return -1;
        }
        String digits = fileName.substring("segment-".length(), fileName.length() - VIDEO_SUFFIX.length());
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(digits);
    }
}
