package org.intravis.ui;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A recorded session kept as a teaching case: a file named {@link #FILE} in its folder, which
 * {@link RecordingRetention} never removes. A trainer sets it from the replay view (the replay's {@code keep} action);
 * a site can also put the file there by hand. The file says who kept the case and when, for whoever finds it on disk;
 * the audit trail has the same.
 */
final class KeptCase {
    /** The file that keeps a session whatever {@code recording.keepGb} and {@code keepDays} say. */
    static final String FILE = "KEEP";

    private KeptCase() {
    }

    /** Whether {@code session} is kept. */
    static boolean kept(Path session) {
        return Files.exists(session.resolve(FILE));
    }

    /**
     * Keeps {@code session} (or lets retention have it again). File work: call it off the event loop.
     *
     * @throws IllegalStateException when the folder cannot be written (a read-only archive), with what to do
     */
    static void set(Path session, boolean keep, String user, Instant now) {
        Path f = session.resolve(FILE);
        try {
            if (keep) {
                if (!Files.exists(f)) {
                    Files.writeString(f, "Kept as a teaching case by " + user + " at " + now
                            + ": recording retention never removes this session while this file is here.\n");
                }
            } else {
                Files.deleteIfExists(f);
            }
        } catch (AccessDeniedException e) {
            throw new IllegalStateException(what(keep) + ": the recording's folder " + session + " is read-only here");
        } catch (IOException e) {
            throw new IllegalStateException(what(keep) + ": " + e);
        }
    }

    private static String what(boolean keep) {
        return "cannot " + (keep ? "keep" : "release") + " this case";
    }
}
