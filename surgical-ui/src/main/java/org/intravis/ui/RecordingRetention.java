package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.pipeline.RecordingLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keeps the recordings folder within {@code recording.keepGb} and {@code recording.keepDays}: an always-on lossless
 * recording writes tens of GB an hour a stream, and once the disk is full the next case is not recorded at all, so a
 * site may rather lose its oldest sessions. A sweep removes whole sessions, oldest first (by their manifests' start),
 * those older than the age bound and then as many as the size bound needs; never a session being recorded or
 * replayed, nor one written to in the last {@link #QUIET} (a recording that began after the list of those in use was
 * taken), nor one kept as a teaching case ({@link KeptCase}), nor a folder without a manifest
 * (nothing of ours). Off (0) by default: removing clinical recordings is the site's decision.
 */
final class RecordingRetention {
    private static final Logger LOG = Logger.getLogger(RecordingRetention.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A session written to this recently is spared whatever the list of sessions in use says. */
    static final Duration QUIET = Duration.ofMinutes(2);
    /** The largest bounds taken (GB, days): beyond them a setting is a typo, not a bound. */
    static final double MAX_GB = 1e6;
    static final double MAX_DAYS = 36_500;

    /** A session removed: its folder, its stream, its size and start, and which bound removed it. */
    record Removed(Path dir, String stream, long bytes, Instant startedAt, String why) {
    }

    private final Path root;
    private final long keepBytes;
    private final Duration keepFor;

    /**
     * @param keepGb   the most the sessions may hold in all, GB (10^9 bytes); 0: no bound
     * @param keepDays how long a session is kept after its start, days; 0: no bound
     */
    RecordingRetention(Path root, double keepGb, double keepDays) {
        if (!(keepGb >= 0) || !(keepDays >= 0) || keepGb > MAX_GB || keepDays > MAX_DAYS) {
            throw new IllegalArgumentException("recording: keepGb and keepDays must be 0 (keep everything) or "
                    + "positive, were " + keepGb + " and " + keepDays);
        }
        this.root = root;
        this.keepBytes = Math.round(keepGb * 1e9);
        this.keepFor = Duration.ofSeconds(Math.round(keepDays * 86_400));
    }

    /** Whether either bound is set. */
    boolean active() {
        return keepBytes > 0 || !keepFor.isZero();
    }

    private record Session(Path dir, String stream, Instant startedAt, long bytes, Instant lastWritten) {
    }

    /**
     * Removes what the bounds say, sparing the sessions in {@code inUse} (folders being recorded or replayed).
     * File work: call it off the event loop.
     */
    List<Removed> sweep(Set<Path> inUse, Instant now) {
        List<Removed> removed = new ArrayList<>();
        if (!active() || !Files.isDirectory(root)) {
            return removed;
        }
        List<Session> sessions = sessions();
        long total = sessions.stream().mapToLong(Session::bytes).sum();
        Set<Path> spared = inUse.stream().map(p -> p.toAbsolutePath().normalize()).collect(Collectors.toSet());
        for (Session s : sessions) { // oldest first
            if (spared.contains(s.dir().toAbsolutePath().normalize()) || s.lastWritten().plus(QUIET).isAfter(now)
                    || KeptCase.kept(s.dir())) {
                continue;
            }
            String why = null;
            if (!keepFor.isZero() && s.startedAt().plus(keepFor).isBefore(now)) {
                why = "older than recording.keepDays";
            } else if (keepBytes > 0 && total > keepBytes) {
                why = "recordings over recording.keepGb";
            }
            if (why != null && delete(s.dir())) {
                total -= s.bytes();
                removed.add(new Removed(s.dir(), s.stream(), s.bytes(), s.startedAt(), why));
                String reason = why;
                LOG.info(() -> "removed recording " + s.dir() + " (" + (s.bytes() >> 20) + " MB, started "
                        + s.startedAt() + "): " + reason);
            }
        }
        return removed;
    }

    /** The sessions under the root (folders with a manifest), oldest first. */
    private List<Session> sessions() {
        List<Session> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                Path manifest = d.resolve(RecordingLayout.MANIFEST);
                if (!Files.isRegularFile(manifest)) {
                    continue;
                }
                String stream = "";
                Instant started;
                try {
                    JsonNode m = JSON.readTree(manifest.toFile());
                    stream = m.path("stream").asText("");
                    started = Instant.parse(m.path("startedAt").asText());
                } catch (IOException | DateTimeParseException e) { // unreadable: its folder's time stands in
                    started = Files.getLastModifiedTime(d).toInstant();
                }
                long[] sizeAndTime = sizeAndLastWritten(d);
                out.add(new Session(d, stream, started, sizeAndTime[0], Instant.ofEpochMilli(sizeAndTime[1])));
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warning("recording retention: cannot list " + root + ": " + e.getMessage());
        }
        out.sort(Comparator.comparing(Session::startedAt));
        return out;
    }

    /** The bytes of a session's files, and when the newest of them was written (epoch ms). */
    private static long[] sizeAndLastWritten(Path dir) throws IOException {
        long[] out = {0, Files.getLastModifiedTime(dir).toMillis()};
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try {
                    out[0] += Files.size(f);
                    out[1] = Math.max(out[1], Files.getLastModifiedTime(f).toMillis());
                } catch (IOException e) { // removed meanwhile
                }
            }
        }
        return out;
    }

    /** Deletes a session's folder; false (and said) when any of it stays. */
    private static boolean delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) { // files before their folders
                Files.delete(p);
            }
            return true;
        } catch (IOException | UncheckedIOException e) {
            LOG.warning("recording retention: cannot remove " + dir + ": " + e.getMessage());
            return false;
        }
    }
}
