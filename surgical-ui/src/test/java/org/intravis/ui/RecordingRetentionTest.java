package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.pipeline.RecordingLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code recording.keepGb} and {@code keepDays} on real folders: the oldest sessions go first, whole; sessions being
 * recorded or replayed, just written, or without a manifest stay; and in the running application each removal is in
 * the audit trail.
 */
class RecordingRetentionTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    @TempDir
    Path root;

    /** A session of {@code megabytes} MB started {@code hoursAgo} before NOW, its files last written then too. */
    private Path session(String name, double hoursAgo, int megabytes) throws Exception {
        Path d = Files.createDirectories(root.resolve(name));
        Instant started = NOW.minusSeconds(Math.round(hoursAgo * 3600));
        Files.writeString(d.resolve(RecordingLayout.MANIFEST), "{\"stream\":\"us1\",\"startedAt\":\"" + started
                + "\",\"state\":\"stopped\"}");
        Files.write(d.resolve("segment-00000.mkv"), new byte[megabytes * 1_000_000]);
        for (Path f : List.of(d.resolve(RecordingLayout.MANIFEST), d.resolve("segment-00000.mkv"), d)) {
            Files.setLastModifiedTime(f, FileTime.from(started));
        }
        return d;
    }

    private List<String> left() throws Exception {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void overTheSizeBoundTheOldestSessionsGoFirstWhole() throws Exception {
        session("us1-c", 1, 2);
        session("us1-a", 30, 2); // the oldest, though not first by name
        session("us1-b", 20, 2);
        List<RecordingRetention.Removed> removed = new RecordingRetention(root, 0.005, 0).sweep(Set.of(), NOW);
        assertThat(removed).extracting(r -> r.dir().getFileName().toString()).containsExactly("us1-a");
        assertThat(removed.get(0).bytes()).isGreaterThan(2_000_000);
        assertThat(removed.get(0).stream()).isEqualTo("us1");
        assertThat(removed.get(0).why()).contains("keepGb");
        assertThat(left()).containsExactly("us1-b", "us1-c");
        assertThat(new RecordingRetention(root, 0.001, 0).sweep(Set.of(), NOW)).as("down to the bound: all go")
                .hasSize(2);
        assertThat(left()).isEmpty();
    }

    @Test
    void aSessionRecordedOrReplayedOrJustWrittenStays() throws Exception {
        Path oldest = session("us1-a", 30, 2);
        session("us1-b", 20, 2);
        Path newest = session("us1-c", 0.01, 2); // written 36 s ago: a recording that began after the list was taken
        Files.setLastModifiedTime(newest.resolve("segment-00000.mkv"), FileTime.from(NOW.minusSeconds(36)));
        List<RecordingRetention.Removed> removed = new RecordingRetention(root, 0.001, 0).sweep(Set.of(oldest), NOW);
        assertThat(removed).extracting(r -> r.dir().getFileName().toString()).containsExactly("us1-b");
        assertThat(left()).containsExactly("us1-a", "us1-c");
        assertThat(RecordingRetention.QUIET).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void sessionsOlderThanTheAgeBoundGoAndTheRestStay() throws Exception {
        session("us1-old", 24 * 10, 1);
        Path kept = session("us1-kept", 24 * 30, 1); // a teaching case the site keeps
        Files.writeString(kept.resolve(KeptCase.FILE), "");
        Files.setLastModifiedTime(kept.resolve(KeptCase.FILE), FileTime.from(NOW.minus(Duration.ofDays(30))));
        Files.setLastModifiedTime(kept, FileTime.from(NOW.minus(Duration.ofDays(30))));
        session("us1-recent", 24 * 3, 1);
        Files.createDirectories(root.resolve("notes")); // no manifest: not a session of ours
        Files.setLastModifiedTime(root.resolve("notes"), FileTime.from(NOW.minus(Duration.ofDays(400))));
        List<RecordingRetention.Removed> removed = new RecordingRetention(root, 0, 7).sweep(Set.of(), NOW);
        assertThat(removed).extracting(r -> r.dir().getFileName().toString()).containsExactly("us1-old");
        assertThat(removed.get(0).why()).contains("keepDays");
        assertThat(left()).containsExactly("notes", "us1-kept", "us1-recent");
    }

    @Test
    void offByDefaultAndBadBoundsAreErrors() throws Exception {
        session("us1-a", 24 * 1000, 1);
        RecordingRetention off = new RecordingRetention(root, 0, 0);
        assertThat(off.active()).isFalse();
        assertThat(off.sweep(Set.of(), NOW)).isEmpty();
        assertThat(left()).containsExactly("us1-a");
        assertThatThrownBy(() -> new RecordingRetention(root, -1, 0)).hasMessageContaining("keepGb");
        IntravisConfig c = TestApps.config(root, "us1", "synthetic:ultrasound", "none");
        c.recording.keepDays = -3;
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessage("recording.keepDays must be 0 (keep everything) or a number of days, was -3.0");
        c.recording.keepDays = 0;
        c.recording.keepGb = Double.NaN;
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessageStartingWith("recording.keepGb must be 0");
        assertThatThrownBy(() -> new RecordingRetention(root, 0, Double.NaN)).hasMessageContaining("keepDays");
    }

    /**
     * The application with {@code recording.keepDays} and an always-on recording: a session of last month is removed
     * at start, with a line in the audit trail, while the session being recorded stays.
     */
    @Test
    void theApplicationRemovesAnOldSessionAndSaysSoInTheAuditTrail(@TempDir Path dir) throws Exception {
        IntravisConfig c = TestApps.config(dir, "us1", "synthetic:ultrasound?width=160&height=120&fps=30", "none");
        c.recording.alwaysOn = true;
        c.recording.minFreeMb = 0;
        c.recording.keepDays = 7;
        root = Files.createDirectories(dir.resolve("recordings"));
        Path old = Files.createDirectories(root.resolve("us1-20261101T080000Z"));
        Files.writeString(old.resolve(RecordingLayout.MANIFEST),
                "{\"stream\":\"us1\",\"startedAt\":\"2026-11-01T08:00:00Z\",\"state\":\"stopped\"}");
        for (Path f : List.of(old.resolve(RecordingLayout.MANIFEST), old)) {
            Files.setLastModifiedTime(f, FileTime.from(Instant.now().minus(Duration.ofDays(36))));
        }
        Application app = TestApps.start(c);
        try {
            org.awaitility.Awaitility.await("the old session removed").atMost(Duration.ofSeconds(20))
                    .until(() -> !Files.exists(old));
            org.awaitility.Awaitility.await("its removal in the audit trail").atMost(Duration.ofSeconds(10))
                    .until(() -> auditActions(dir).contains("recording.removed"));
            assertThat(app.engine().recordings().recorder("us1").orElseThrow().recording()).isTrue();
            assertThat(left()).as("the session being recorded stays").hasSize(1);
        } finally {
            app.close();
        }
        JsonNode entry = null;
        for (String line : Files.readAllLines(dir.resolve(AuditTrail.FILE))) {
            JsonNode n = new ObjectMapper().readTree(line);
            if (n.path("action").asText().equals("recording.removed")) {
                entry = n;
            }
        }
        assertThat(entry).isNotNull();
        assertThat(entry.toString()).contains("us1-20261101T080000Z").contains("keepDays").contains("system");
        assertThat(new AuditTrail(dir).verify().intact()).isTrue();
    }

    private static List<String> auditActions(Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        Path f = dir.resolve(AuditTrail.FILE); // the data folder is the test's
        if (Files.exists(f)) {
            for (String line : Files.readAllLines(f)) {
                out.add(new ObjectMapper().readTree(line).path("action").asText());
            }
        }
        return out;
    }
}
