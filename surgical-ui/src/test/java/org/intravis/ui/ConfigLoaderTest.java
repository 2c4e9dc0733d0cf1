package org.intravis.ui;

import org.intravis.capture.FrameSources;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.Modality;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void noFileMeansTheEmbeddedDefault() {
        IntravisConfig c = ModuleSettings.validate(ConfigLoader.load(null));
        assertThat(c.streams).hasSize(1);
        assertThat(c.streams.get(0).source).isEqualTo("synthetic:ultrasound");
        assertThat(c.streams.get(0).modelFor(modalityOf(c.streams.get(0)))).isEqualTo("ultrasound");
        assertThat(c.server.port).isEqualTo(8080);
        assertThat(c.inference.device).isEqualTo("cpu");
    }

    @Test
    void readsOneSectionPerStage() throws Exception {
        IntravisConfig c = TestApps.fromYaml(dir, """
                server:
                  port: 9090
                pipeline:
                  ringSize: 32
                  staleAfterMs: 300
                streams:
                  - id: fluoro
                    source: synthetic:fluoroscopy?fps=15
                  - id: us
                    source: synthetic:ultrasound
                    model: none
                    pixelSpacingMm: 0.08
                inference:
                  device: cuda
                  budgetMs: 80
                """);
        assertThat(c.server.port).isEqualTo(9090);
        assertThat(c.pipeline.ringSize).isEqualTo(32);
        assertThat(c.streams).extracting(s -> s.id).containsExactly("fluoro", "us");
        assertThat(c.streams.get(0).modelFor(modalityOf(c.streams.get(0)))).isEqualTo("fluoroscopy");
        assertThat(c.streams.get(1).modelFor(modalityOf(c.streams.get(1)))).isEqualTo("none");
        assertThat(c.streams.get(1).pixelSpacingMm).isEqualTo(0.08);
        assertThat(c.inference.budgetMs).isEqualTo(80);
    }

    @Test
    void aTypoIsAnErrorThatSaysWhere() throws Exception {
        Path f = dir.resolve("typo.yaml");
        Files.writeString(f, "pipeline:\n  ringSzie: 32\n");
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(UserError.class)
                .hasMessageContaining("ringSzie").hasMessageContaining("line 2");
    }

    @Test
    void invalidValuesAreRejected() {
        IntravisConfig c = new IntravisConfig();
        c.pipeline.ringSize = 12;
        assertThatThrownBy(() -> ModuleSettings.validate(c)).hasMessageContaining("power of two");
        IntravisConfig d = new IntravisConfig();
        d.streams.add(d.streams.get(0));
        assertThatThrownBy(() -> ModuleSettings.validate(d)).hasMessageContaining("used twice");
    }

    @Test
    void batchShapeAndCudnnSearchAreReadAndCheckedWhereTheServiceIsConfigured() {
        IntravisConfig c = ModuleSettings.validate(new IntravisConfig());
        c.inference.batchShape = "fixed";
        c.inference.cudnnConvAlgoSearch = "heuristic";
        assertThat(ModuleSettings.inference(c).batchShape())
                .isEqualTo(org.intravis.inference.BatchShape.FIXED);
        assertThat(ModuleSettings.inference(c).convAlgoSearch())
                .isEqualTo(org.intravis.inference.ConvAlgoSearch.HEURISTIC);
        c.inference.batchShape = "sideways";
        assertThatThrownBy(() -> ModuleSettings.inference(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("inference: batch shape must be auto, fixed or exact, was 'sideways'");
    }

    @Test
    void postThreadsAreReadAndCheckedWhereTheServiceIsConfigured() {
        IntravisConfig c = ModuleSettings.validate(new IntravisConfig());
        c.inference.postThreads = 3;
        assertThat(ModuleSettings.inference(c).postThreads()).isEqualTo(3);
        c.inference.postThreads = -1;
        assertThatThrownBy(() -> ModuleSettings.inference(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("postThreads must be 0 (automatic) to 16, was -1");
    }

    @Test
    void missingFileIsAClearError() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml")))
                .isInstanceOf(UserError.class).hasMessageContaining("not found");
    }

    /** The modality the stream's source declares (created, not opened). */
    private static Modality modalityOf(IntravisConfig.Stream s) {
        try (FrameSource source = FrameSources.create(s.source)) {
            return source.modality();
        }
    }
}
