package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.capture.SourceUri;
import org.intravis.capture.ffmpeg.RecordingSource;
import org.intravis.pipeline.RecordingLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code intravis run} with recording always on, in its own JVM, killed with SIGKILL (no shutdown hook, no
 * trailer written) while it records: every closed segment still plays in ffprobe with all its frames, at most
 * the segment in progress is lost, and the session replays from what survived.
 */
class RecordingCrashTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void killingTheProcessLosesAtMostTheOpenSegment() throws Exception {
        Path config = dir.resolve("intravis.yaml");
        Files.writeString(config, """
                recording:
                  alwaysOn: true
                  segmentSeconds: 1
                  minFreeMb: 0
                """);
        Path data = dir.resolve("data");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "org.intravis.ui.Intravis", "run", "--source", "us1=synthetic:ultrasound?width=320&height=240&fps=30",
                "--no-inference", "--host", "127.0.0.1", "--port", "0", "--data-dir", data.toString(),
                "--config", config.toString());
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        Path session;
        try {
            session = awaitClosedSegments(data.resolve("recordings"), 3, child);
        } finally {
            child.destroyForcibly(); // SIGKILL on Linux: the JVM gets no chance to close anything
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        List<String> names;
        try (Stream<Path> s = Files.list(session)) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> closed = names.stream().filter(n -> RecordingLayout.segmentIndexOf(n) > 0).toList();
        List<String> partial = names.stream().filter(n -> n.endsWith(RecordingLayout.PARTIAL_SUFFIX)).toList();
        assertThat(closed).hasSizeGreaterThanOrEqualTo(3);
        assertThat(partial).as("at most the segment in progress is lost").hasSizeLessThanOrEqualTo(1);
        int lastClosed = closed.stream().mapToInt(RecordingLayout::segmentIndexOf).max().orElseThrow();
        for (String p : partial) {
            assertThat(p).isEqualTo(RecordingLayout.segmentBase(lastClosed + 1) + RecordingLayout.VIDEO_SUFFIX
                    + RecordingLayout.PARTIAL_SUFFIX);
        }
        long total = 0;
        for (String v : closed) {
            int index = RecordingLayout.segmentIndexOf(v);
            String[] probe = RecorderProbe.probe(session.resolve(v));
            long lines = Files.readAllLines(RecordingLayout.frames(session, index)).size();
            assertThat(probe[0]).isEqualTo("ffvhuff");
            assertThat(Long.parseLong(probe[1])).as("frames ffprobe decodes in %s", v).isEqualTo(lines).isPositive();
            total += lines;
        }
        // the manifest was kept current: it lists the segments closed before the kill (all but perhaps the last)
        JsonNode manifest = JSON.readTree(session.resolve(RecordingLayout.MANIFEST).toFile());
        assertThat(manifest.get("state").asText()).isEqualTo("recording");
        assertThat(manifest.get("segments").size()).isBetween(closed.size() - 1, closed.size());
        // and what survived replays
        RecordingSource replay = new RecordingSource(SourceUri.parse("recording:" + session + "?pace=fast"));
        try {
            replay.open();
            assertThat((long) replay.frames().count()).isEqualTo(total);
        } finally {
            replay.close();
        }
    }

    private static Path awaitClosedSegments(Path recordings, int n, Process child) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            assertThat(child.isAlive()).as("intravis run is still running").isTrue();
            if (Files.isDirectory(recordings)) {
                List<Path> sessions = new ArrayList<>();
                try (Stream<Path> s = Files.list(recordings)) {
                    s.filter(Files::isDirectory).forEach(sessions::add);
                }
                if (sessions.size() == 1) {
                    try (Stream<Path> s = Files.list(sessions.get(0))) {
                        long closed = s.filter(p -> RecordingLayout.segmentIndexOf(p.getFileName().toString()) > 0).count();
                        if (closed >= n) {
                            Thread.sleep(400); // kill it in the middle of the next segment
                            return sessions.get(0);
                        }
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + n + " closed segments within 60 s");
    }
}
