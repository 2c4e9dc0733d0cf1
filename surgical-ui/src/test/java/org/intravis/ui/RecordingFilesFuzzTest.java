package org.intravis.ui;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.intravis.capture.RecordedFrames;
import org.intravis.capture.SourceUri;
import org.intravis.capture.ffmpeg.RecordingSource;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.RecordingLayout;
import org.intravis.pipeline.testing.Mutations;
import org.intravis.streamer.RecordedAnnotations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed recording files: a real recorded session with one of its text files mutated (the manifest, a segment's
 * frame lines or its overlay lines), read by everything that reads them: {@link RecordedFrames}, the recorded
 * overlays ({@link RecordedAnnotations}), the recordings list ({@link Recordings#sessions}) and a replay
 * ({@link RecordingSource}, opened and played). Each reads it, skips what is damaged (counted), or refuses with its
 * documented exception and a message; never another exception, never a hang.
 */
class RecordingFilesFuzzTest {
    static Path root;
    static Path session;
    static final List<String> names = new ArrayList<>();
    static final List<String> texts = new ArrayList<>();

    record Mutated(int file, String text) {
    }

    @BeforeContainer
    static void record() throws Exception {
        root = Files.createTempDirectory("recording-fuzz");
        session = RecordReplayTest.record(root.resolve("original"), 1.0);
        try (Stream<Path> files = Files.list(session)) {
            for (Path p : files.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.equals(RecordingLayout.MANIFEST) || n.endsWith(RecordingLayout.FRAMES_SUFFIX)
                        || n.endsWith(RecordingLayout.ANNOTATIONS_SUFFIX)) {
                    names.add(n);
                    texts.add(Files.readString(p));
                }
            }
        }
        assertThat(names).contains(RecordingLayout.MANIFEST).anyMatch(n -> n.endsWith(RecordingLayout.FRAMES_SUFFIX))
                .anyMatch(n -> n.endsWith(RecordingLayout.ANNOTATIONS_SUFFIX));
    }

    @AfterContainer
    static void remove() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Found by the property: a first segment whose frame lines were all damaged made the next one index -1. */
    @net.jqwik.api.Example
    void aFirstSegmentWithOnlyDamagedLinesIsSkipped() throws Exception {
        Path dir = Files.createDirectories(root.resolve("damaged-first"));
        Files.createFile(RecordingLayout.video(dir, 1));
        Files.createFile(RecordingLayout.video(dir, 2));
        Files.writeString(RecordingLayout.frames(dir, 1), "[[[\nnot json\n");
        Files.writeString(RecordingLayout.frames(dir, 2), "{\"frameId\":7,\"tUs\":100}\n");
        RecordedFrames f = RecordedFrames.load(dir);
        assertThat(f.count()).isEqualTo(1);
        assertThat(f.frameId(0)).isEqualTo(7);
        assertThat(f.malformedLines()).isEqualTo(2);
    }

    /** Seen in the property's output: frame lines that are not UTF-8 were refused as just "Input length = 1". */
    @net.jqwik.api.Example
    void frameLinesThatAreNotUtf8AreNamed() throws Exception {
        Path dir = Files.createDirectories(root.resolve("not-utf8"));
        Files.createFile(RecordingLayout.video(dir, 1));
        Files.write(RecordingLayout.frames(dir, 1), new byte[]{'{', (byte) 0xFF, '}', '\n'});
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RecordedFrames.load(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("segment-00001.frames.jsonl is not UTF-8 text");
    }

    /**
     * Found by the property in a clean-clone CI run: a manifest whose source width became 1e30 sized the replay's
     * slots for it (an ArithmeticException on overflow); the video's own frame size is used instead.
     */
    @net.jqwik.api.Example
    void aManifestWithAnAbsurdFrameSizeReplaysAtTheVideosSize() throws Exception {
        Path copy = Files.createDirectories(root.resolve("absurd-size").resolve(session.getFileName()));
        try (Stream<Path> files = Files.list(session)) {
            for (Path p : files.toList()) {
                Path to = copy.resolve(p.getFileName());
                if (p.getFileName().toString().equals(RecordingLayout.MANIFEST)) {
                    String m = Files.readString(p).replaceFirst("\"width\" : \\d+", "\"width\" : 1e30")
                            .replaceFirst("\"height\" : \\d+", "\"height\" : -5");
                    assertThat(m).contains("1e30").contains("-5");
                    Files.writeString(to, m);
                } else {
                    Files.createSymbolicLink(to, p);
                }
            }
        }
        try (FrameSource s = new RecordingSource(SourceUri.parse("recording:" + copy + "?pace=fast"))) {
            s.open();
            assertThat(s.geometry().maxWidth()).isEqualTo(320);
            assertThat(s.geometry().maxHeight()).isEqualTo(240);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            assertThat(s.readInto(slot)).isNotEqualTo(FrameSource.Read.END);
            assertThat(slot.width()).isEqualTo(320);
        }
    }

    @Provide
    Arbitrary<Mutated> sessions() {
        return Arbitraries.integers().between(0, names.size() - 1)
                .flatMap(i -> Mutations.withNesting(List.of(texts.get(i)), "[", "]").map(t -> new Mutated(i, t)));
    }

    @Property(tries = 120)
    void aDamagedSessionIsReadSkippedOrRefusedWithAReason(@ForAll("sessions") Mutated m) throws Exception {
        Path data = Files.createTempDirectory(root, "try");
        Path copy = Files.createDirectories(data.resolve("recordings").resolve(session.getFileName()));
        try (Stream<Path> files = Files.list(session)) {
            for (Path p : files.toList()) {
                Path to = copy.resolve(p.getFileName());
                int i = names.indexOf(p.getFileName().toString());
                if (i == m.file()) {
                    Files.write(to, m.text().getBytes(StandardCharsets.UTF_8));
                } else if (i >= 0) {
                    Files.copy(p, to);
                } else {
                    Files.createSymbolicLink(to, p); // the segments' video is not what is fuzzed here
                }
            }
        }
        String what = names.get(m.file()) + " = " + Mutations.abbreviate(m.text());
        Mutations.assertClean(what, Mutations.within(Duration.ofSeconds(5), () -> RecordedFrames.load(copy)),
                IOException.class);
        Mutations.assertClean(what, Mutations.within(Duration.ofSeconds(5), () -> {
            try (RecordedAnnotations a = RecordedAnnotations.open(copy)) {
                Annotations into = new Annotations();
                for (long id = 0; id < 40; id++) {
                    a.read(id, into);
                }
            }
            return null;
        }), IOException.class);
        IntravisConfig cfg = new IntravisConfig();
        cfg.dataDir = data.toString();
        Mutations.Outcome<List<Map<String, Object>>> listed = Mutations.within(Duration.ofSeconds(5),
                () -> new Recordings(cfg).sessions());
        Mutations.assertClean(what, listed);
        Mutations.assertClean(what, Mutations.within(Duration.ofSeconds(10), () -> {
            try (FrameSource s = new RecordingSource(SourceUri.parse("recording:" + copy + "?pace=fast"))) {
                s.open();
                FrameSlot slot = new FrameSlot(0, s.geometry(), false);
                for (int i = 0; i < 40 && s.readInto(slot) != FrameSource.Read.END; i++) {
                    // played through, as far as it goes
                }
            }
            return null;
        }), CaptureException.class);
        try (Stream<Path> all = Files.walk(data)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
