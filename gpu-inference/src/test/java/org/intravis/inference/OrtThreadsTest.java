package org.intravis.inference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How many ONNX Runtime threads a live model gets, and whether they spin ({@link OrtThreads#live}). */
class OrtThreadsTest {
    @Test
    void oneStreamOnATwoCoreCpuGetsOneThreadAndLeavesTheVideoACore() {
        assertThat(OrtThreads.live(0, "cpu", 2, 1)).isEqualTo(new OrtThreads(1, true));
        assertThat(OrtThreads.live(0, "cpu", 1, 1)).isEqualTo(new OrtThreads(1, true));
        assertThat(OrtThreads.live(0, "cpu", 2, 0)).isEqualTo(new OrtThreads(1, true));
    }

    @Test
    void severalStreamsOnATwoCoreCpuGetEveryProcessorWithoutSpinning() {
        assertThat(OrtThreads.live(0, "cpu", 2, 4)).isEqualTo(new OrtThreads(2, false));
        assertThat(OrtThreads.live(0, "cpu", 1, 2)).isEqualTo(new OrtThreads(1, false));
    }

    @Test
    void aLargerCpuAConfiguredCountOrAGpuKeepOnnxRuntimesWays() {
        assertThat(OrtThreads.live(0, "cpu", 16, 4)).isEqualTo(new OrtThreads(0, true));
        assertThat(OrtThreads.live(2, "cpu", 2, 4)).isEqualTo(new OrtThreads(2, true));
        assertThat(OrtThreads.live(0, "cuda", 2, 4)).isEqualTo(new OrtThreads(0, true));
        assertThat(OrtThreads.live(0, "cuda:1", 2, 1)).isEqualTo(new OrtThreads(0, true));
    }
}
