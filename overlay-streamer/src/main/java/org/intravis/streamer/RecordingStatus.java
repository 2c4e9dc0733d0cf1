package org.intravis.streamer;

import java.util.List;

/**
 * A stream's recording as {@code GET /api/streams/ID/recording} reports it.
 *
 * @param stream         the stream id
 * @param state          {@code idle}, {@code recording}, {@code stopping} or {@code failed}
 * @param directory      the current (or last) session's folder, empty before the first
 * @param codec          the video codec
 * @param startedUs      when the current (or last) session started, epoch microseconds (0: never)
 * @param segments       the newest closed segments of the current (or last) session (complete, playable files),
 *                       oldest first, at most {@link #NAMED_SEGMENTS}: pages poll this several times a second and an
 *                       always-on recording closes a segment a minute (the manifest lists them all)
 * @param segmentCount   how many segments of the session are closed
 * @param currentSegment the segment being written (0: none)
 * @param framesWritten  frames written in the session
 * @param framesDropped  frames the recorder dropped because its writer was behind (slow disk or encoder)
 * @param framesTorn     frames overwritten by capture before the recorder could copy them
 * @param bytes          bytes written in the session (video and annotations)
 * @param error          why the recording stopped on its own (full disk, read-only folder, ...), empty otherwise
 * @param deidentified   rectangles blanked in the recording
 */
public record RecordingStatus(String stream, String state, String directory, String codec, long startedUs,
                              List<String> segments, int segmentCount, int currentSegment, long framesWritten,
                              long framesDropped, long framesTorn, long bytes, String error,
                              List<RecordingSettings.Region> deidentified) {
    /** The most segment names a status carries. */
    public static final int NAMED_SEGMENTS = 3;
}
