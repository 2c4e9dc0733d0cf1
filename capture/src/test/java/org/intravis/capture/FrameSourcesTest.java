package org.intravis.capture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The providers of this module are found through the service file, and URIs they do not know fail clearly. */
class FrameSourcesTest {
    @Test
    void unknownSchemeNamesTheKnownOnes() {
        assertThatThrownBy(() -> FrameSources.create("webcam:0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown source scheme 'webcam' in 'webcam:0'; known schemes: ")
                .hasMessageContaining("file").hasMessageContaining("images").hasMessageContaining("plus")
                .hasMessageContaining("rtsp").hasMessageContaining("srt").hasMessageContaining("udp")
                .hasMessageContaining("http").hasMessageContaining("v4l2");
    }

    @Test
    void uriWithoutSchemeIsRejected() {
        assertThatThrownBy(() -> FrameSources.create("/data/case1.mp4"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no scheme");
    }

    @Test
    void everyKindIsCreatedByItsProviderAndDescribedInTheUsage() {
        assertThat(FrameSources.create("file:/x.mp4").live()).isFalse();
        assertThat(FrameSources.create("images:/frames").live()).isFalse();
        assertThat(FrameSources.create("plus:/x.igs.mha").live()).isFalse();
        assertThat(FrameSources.create("udp://0.0.0.0:5000").live()).isTrue();
        assertThat(FrameSources.create("v4l2:/dev/video0").live()).isTrue();
        assertThat(FrameSources.create("igtl://127.0.0.1:18944").live()).isTrue();
        assertThat(String.join("\n", FrameSources.usage())).contains("file:PATH").contains("images:DIR")
                .contains("plus:FILE.igs.mha").contains("rtsp|rtsps|srt|udp").contains("v4l2:/dev/videoN")
                .contains("igtl://HOST:PORT");
    }

    @Test
    void networkUriNeedsAnAuthority() {
        assertThatThrownBy(() -> FrameSources.create("udp:5000"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("udp://HOST:PORT");
    }
}
