package org.intravis.capture;

/**
 * Where a replay is, as {@code GET /api/streams/ID/replay} reports it.
 *
 * @param paused          whether playback is paused (frame by frame with step)
 * @param ended           whether it stopped at the end of the recording (play starts it again from the top)
 * @param speed           playback speed (1 = the original timing)
 * @param position        position of the frame on screen, 0 .. frames-1
 * @param frames          frames in the recording's closed segments
 * @param recordedFrameId the live frame id that frame had when it was recorded
 * @param timeUs          its time since the session started, microseconds
 * @param durationUs      the session's length, microseconds
 * @param segment         the segment number it is in
 */
public record ReplayState(boolean paused, boolean ended, double speed, long position, long frames,
                          long recordedFrameId, long timeUs, long durationUs, int segment) {
}
