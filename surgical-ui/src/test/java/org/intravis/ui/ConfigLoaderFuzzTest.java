package org.intravis.ui;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.intravis.pipeline.testing.Mutations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Fuzzed YAML configurations: a full valid file, mutated (cut, flipped, huge numbers, stray YAML syntax, deeply
 * nested flow collections, repeated spans such as anchors and aliases). {@link ConfigLoader#load} then
 * {@link ModuleSettings#validate} either give a configuration or a {@link UserError} that says what is wrong (the
 * command line prints it and exits 2), within a few seconds: no other exception.
 */
class ConfigLoaderFuzzTest {
    static final String FULL = """
            server:
              host: 127.0.0.1
              port: 8080
              tlsCert: ""
              tlsKey: ""
            dataDir: /tmp/intravis-fuzz
            pipeline:
              ringSize: 16
              waitStrategy: blocking
              staleAfterMs: 500
            streams:
              - id: us1
                source: synthetic:ultrasound?width=640&height=480
                model: ultrasound
                pixelSpacingMm: 0.2
                options: {seed: 3, fps: 30}
              - id: fl
                source: synthetic:fluoroscopy
            inference:
              enabled: true
              device: cpu
              intraOpThreads: 0
              budgetMs: 100
              maxBatch: 8
              batchShape: auto
              heatmapEvery: 10
              lostAfterMisses: 5
              thresholds: {vessel: 0.6}
              alerts:
                cautionMm: 10
                warningMm: 5
                criticalMm: 2
                hysteresisMm: 1.5
                holdMs: 500
            streaming:
              jpegQuality: 80
              h264Encoder: libopenh264
              keyIntervalMs: 1000
            recording:
              dir: recordings
              segmentSeconds: 60
              alwaysOn: false
              codec: ffvhuff
              bufferFrames: 16
              deidentify:
                us1:
                  - {x: 0, y: 0, width: 200, height: 40}
            """;
    static final String ALIASES = """
            streams:
              - &s {id: a, source: "synthetic:ultrasound"}
              - *s
            inference: &i {enabled: false}
            """;

    static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("config-fuzz");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** Found by the property: an empty entry in streams (or an empty section) was a NullPointerException. */
    @net.jqwik.api.Example
    void anEmptyEntryOrSectionIsAUserErrorWithItsLine() throws IOException {
        for (String yaml : List.of("streams:\n  - id: a\n    source: synthetic:ultrasound\n  -\n", "server:\n",
                "pipeline: ~\n", "streams:\n  - id: a\n    source: synthetic:ultrasound\n    options:\n")) {
            Path f = Files.writeString(dir.resolve("empty.yaml"), yaml);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModuleSettings.validate(ConfigLoader.load(f)))
                    .as(yaml).isInstanceOf(UserError.class).hasMessageContaining("(line ").hasMessageContaining("null");
        }
    }

    @Provide
    Arbitrary<String> configurations() {
        return Mutations.withNesting(List.of(FULL, FULL, ALIASES), "[", "]");
    }

    @Property(tries = 500)
    void everyFileGivesAConfigurationOrAUserError(@ForAll("configurations") String yaml) throws IOException {
        Path f = Files.createTempFile(dir, "c", ".yaml");
        try {
            byte[] bytes = yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8); // a lone surrogate becomes '?'
            if (bytes.length > 0 && Math.floorMod(yaml.hashCode(), 8) == 0) {
                bytes[Math.floorMod(yaml.hashCode() >> 3, bytes.length)] = (byte) 0xFF; // and now and then not UTF-8
            }
            Files.write(f, bytes);
            Mutations.Outcome<IntravisConfig> o = Mutations.within(Duration.ofSeconds(5),
                    () -> ModuleSettings.validate(ConfigLoader.load(f)));
            Mutations.assertClean(yaml, o, UserError.class);
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
