package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeatmapWriterTest {
    @Test
    void eachChannelIsAreaAveragedToEightBits() {
        int w = 256;
        int h = 256;
        float[] probs = new float[2 * w * h];
        Masks.fillRect(probs, 0, w, 0, 0, 127, 255, 1f);          // channel 0: left half certain
        Masks.fillRect(probs, w * h, w, 0, 0, 1, 3, 1f);          // channel 1: a 2 x 4 corner of the first 4 x 4 cell
        Annotations a = new Annotations();
        new HeatmapWriter(w, h, 64).write(probs, 2, new String[] {"vessel", "tip"}, 42, a);
        assertThat(a.heatmapClasses()).isEqualTo(2);
        assertThat(a.heatmapWidth()).isEqualTo(64);
        assertThat(a.heatmapHeight()).isEqualTo(64);
        assertThat(a.heatmapFrameId()).isEqualTo(42);
        assertThat(a.heatmapClassName(1)).isEqualTo("tip");
        assertThat(a.heatmap[0] & 0xFF).isEqualTo(255);
        assertThat(a.heatmap[31] & 0xFF).isEqualTo(255);
        assertThat(a.heatmap[32] & 0xFF).isZero();
        assertThat(a.heatmap[64 * 64] & 0xFF).isEqualTo(128); // 8 of 16 pixels: 0.5 -> 127.5 rounds to 128
        assertThat(a.heatmap[64 * 64 + 1] & 0xFF).isZero();
    }
}
