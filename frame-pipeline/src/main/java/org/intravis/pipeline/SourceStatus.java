package org.intravis.pipeline;

/** State of a stream's source, as reported in the stream's status. */
public enum SourceStatus {
    /** Not opened yet. */
    IDLE,
    /** Opening or connecting for the first time. */
    CONNECTING,
    /** Delivering frames. */
    STREAMING,
    /** The live stream dropped; the source is reconnecting with back-off. */
    RECONNECTING,
    /** Paused by the user (replay). */
    PAUSED,
    /** Finished (end of a file that does not loop). */
    ENDED,
    /** Failed for good (for example a corrupt file); the detail says why. */
    FAILED,
    /** Closed. */
    CLOSED
}
