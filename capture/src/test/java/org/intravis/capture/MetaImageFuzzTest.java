package org.intravis.capture;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.testing.Mutations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzzed PLUS / MetaImage headers: the committed real sequence's header, mutated, in front of its real pixel data.
 * {@link MetaImageHeader#read} accepts or refuses with an {@link IOException} naming the file; a
 * {@link PlusSequenceSource} over the file opens and plays it, or refuses with a {@link CaptureException} (or an
 * {@link IllegalArgumentException} for its options): never another exception, and within a few seconds.
 */
class MetaImageFuzzTest {
    static Path dir;
    static byte[] data;
    static String header;
    /** The same header without the tracker transforms: mutations land on the fields the reader uses far more often. */
    static String essentials;

    @BeforeContainer
    static void sample() throws Exception {
        byte[] all = Files.readAllBytes(Path.of(MetaImageFuzzTest.class.getResource(
                "/plus/BoneUltrasound_L14_first5.igs.mha").toURI()));
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("ElementDataFile = LOCAL");
        end = text.indexOf('\n', end) + 1;
        header = text.substring(0, end);
        data = Arrays.copyOfRange(all, end, all.length);
        essentials = header.lines().filter(l -> !l.startsWith("Seq_Frame") || l.contains("_Timestamp"))
                .map(l -> l + "\n").collect(java.util.stream.Collectors.joining());
        dir = Files.createTempDirectory("metaimage-fuzz");
    }

    @AfterContainer
    static void removeFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Found by the property: a damaged ElementDataFile line made a file name of binary bytes, and Path.of threw. */
    @net.jqwik.api.Example
    void aBinaryDataFileNameIsAnIOException() throws Exception {
        Path f = dir.resolve("nul.mhd");
        Files.writeString(f, "NDims = 3\nDimSize = 4 4 1\nElementType = MET_UCHAR\nElementDataFile = a\u0000b.raw\n",
                StandardCharsets.ISO_8859_1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MetaImageHeader.read(f).dataFile())
                .isInstanceOf(IOException.class).hasMessageContaining("is not a file name");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
            try (FrameSource s = FrameSources.create("plus:" + f)) {
                s.open();
            }
        }).isInstanceOf(CaptureException.class).hasMessageContaining("is not a file name");
    }

    /**
     * Found by the property in CI: an ElementSpacing of thousands of values overflowed the stack in the check for
     * "all ones" (a regex group repeated over the whole line recurses once per value).
     */
    @net.jqwik.api.Example
    void aVeryLongSpacingListIsRead() throws Exception {
        String ones = " 1.0".repeat(50_000);
        String h = essentials.replaceFirst("(?m)^ElementSpacing = .*$", "ElementSpacing =" + ones);
        org.assertj.core.api.Assertions.assertThat(h).contains("ElementSpacing = 1.0 1.0 1.0");
        Path f = dir.resolve("long-spacing.igs.mha");
        byte[] head = h.getBytes(StandardCharsets.ISO_8859_1);
        byte[] file = Arrays.copyOf(head, head.length + data.length);
        System.arraycopy(data, 0, file, head.length, data.length);
        Files.write(f, file);
        try (FrameSource s = FrameSources.create("plus:" + f + "?pace=fast")) {
            s.open();
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            org.assertj.core.api.Assertions.assertThat(Slots.next(s, slot, 2000)).isNotEqualTo(FrameSource.Read.END);
        }
    }

    @Provide
    Arbitrary<String> headers() {
        return Mutations.of(List.of(header, essentials, essentials, essentials));
    }

    @Property(tries = 400)
    void aMutatedHeaderIsReadOrRefusedWithAReason(@ForAll("headers") String h) throws Exception {
        Path f = Files.createTempFile(dir, "fuzz", ".igs.mha");
        try {
            byte[] head = h.getBytes(StandardCharsets.ISO_8859_1);
            byte[] file = Arrays.copyOf(head, head.length + data.length);
            System.arraycopy(data, 0, file, head.length, data.length);
            Files.write(f, file);
            Mutations.Outcome<Object> read = Mutations.within(Duration.ofSeconds(5), () -> {
                MetaImageHeader m = MetaImageHeader.read(f);
                m.dimSize();
                m.spacingX();
                m.timestamp(0);
                m.dataFile();
                return m;
            });
            Mutations.assertClean(h, read, IOException.class);
            Mutations.Outcome<Object> played = Mutations.within(Duration.ofSeconds(10), () -> {
                try (FrameSource s = FrameSources.create("plus:" + f + "?pace=fast")) {
                    s.open();
                    FrameSlot slot = new FrameSlot(0, s.geometry(), false);
                    for (int i = 0; i < 6; i++) {
                        if (Slots.next(s, slot, 2000) == FrameSource.Read.END) {
                            break;
                        }
                    }
                }
                return null;
            });
            Mutations.assertClean(h, played, CaptureException.class, IllegalArgumentException.class);
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
