package org.intravis.capture.synthetic;

import org.intravis.capture.FrameSources;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.Modality;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The provider is found through ServiceLoader, reads its options, and rejects what it cannot make sense of. */
class SyntheticSourceProviderTest {

    @Test
    void createsBothKindsThroughTheServiceRegistry() throws Exception {
        for (String kind : new String[] {"ultrasound", "fluoroscopy"}) {
            try (FrameSource s = FrameSources.create("synthetic:" + kind + "?pace=fast&width=320&height=240")) {
                assertThat(s).isInstanceOf(SyntheticSource.class);
                assertThat(s.status()).isEqualTo(SourceStatus.IDLE);
                assertThat(s.providesGroundTruth()).isTrue();
                assertThat(s.live()).isFalse();
                s.open();
                assertThat(s.status()).isEqualTo(SourceStatus.STREAMING);
                assertThat(s.geometry().maxWidth()).isEqualTo(320);
                assertThat(s.geometry().maxHeight()).isEqualTo(240);
                assertThat(s.geometry().format()).isEqualTo(PixelFormat.GRAY8);
            }
        }
        assertThat(FrameSources.usage()).anyMatch(l -> l.startsWith("synthetic:ultrasound|fluoroscopy"));
    }

    /** The modality picks a stream's default model: a phantom declares its own, a file cannot tell. */
    @Test
    void aPhantomDeclaresItsModality() {
        try (FrameSource us = FrameSources.create("synthetic:ultrasound");
             FrameSource fluoro = FrameSources.create("synthetic:fluoroscopy?fps=15");
             FrameSource file = FrameSources.create("file:/no/such/clip.mp4")) {
            assertThat(us.modality()).isEqualTo(Modality.ULTRASOUND);
            assertThat(fluoro.modality()).isEqualTo(Modality.FLUOROSCOPY);
            assertThat(file.modality()).isEqualTo(Modality.UNKNOWN);
        }
    }

    @Test
    void defaultsAre720pAt30FpsRealtimeUnlimited() {
        SyntheticSource s = (SyntheticSource) FrameSources.create("synthetic:ultrasound");
        SyntheticOptions o = s.options();
        assertThat(o.width()).isEqualTo(1280);
        assertThat(o.height()).isEqualTo(720);
        assertThat(o.fps()).isEqualTo(30.0);
        assertThat(o.realtime()).isTrue();
        assertThat(o.frames()).isEqualTo(-1);
        assertThat(s.nominalFps()).isEqualTo(30.0);
    }

    @Test
    void pixelSpacingHasAPlausibleDefaultAndCanBeSet() throws Exception {
        try (SyntheticSource us = PhantomFrames.open("synthetic:ultrasound?pace=fast&width=640&height=360")) {
            // a linear probe's picture of ~41 mm depth over the picture's height
            assertThat(us.pixelSpacingMm()).isBetween(0.08, 0.16);
        }
        try (SyntheticSource fl = PhantomFrames.open("synthetic:fluoroscopy?pace=fast&width=640&height=360")) {
            assertThat(fl.pixelSpacingMm()).isBetween(0.3, 1.0);
        }
        try (SyntheticSource us = PhantomFrames.open("synthetic:ultrasound?pace=fast&width=320&height=240&pixelSpacingMm=0.25")) {
            assertThat(us.pixelSpacingMm()).isCloseTo(0.25, within(1e-12));
        }
    }

    @Test
    void rejectsUnknownKindsAndBadOptionsWithClearMessages() {
        assertThatThrownBy(() -> FrameSources.create("synthetic:endoscopy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ultrasound, fluoroscopy");
        assertThatThrownBy(() -> FrameSources.create("synthetic:ultrasound?widht=640"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("widht").hasMessageContaining("width");
        assertThatThrownBy(() -> FrameSources.create("synthetic:ultrasound?width=10"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10x720");
        assertThatThrownBy(() -> FrameSources.create("synthetic:ultrasound?width=abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width=abc");
        assertThatThrownBy(() -> FrameSources.create("synthetic:fluoroscopy?pace=slow"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("realtime or fast");
        assertThatThrownBy(() -> FrameSources.create("synthetic:fluoroscopy?frames=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frames=0");
        assertThatThrownBy(() -> FrameSources.create("synthetic:fluoroscopy?fps=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fps");
        assertThatThrownBy(() -> FrameSources.create("synthetic:fluoroscopy?seed=x1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seed=x1");
    }
}
