package org.intravis.inference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How many ONNX Runtime threads a live model gets ({@link InferenceSettings#liveIntraOpThreads(int, String, int)}). */
class LiveIntraOpThreadsTest {
    @Test
    void automaticLeavesTheVideoACoreOnATwoCoreCpuOnly() {
        assertThat(InferenceSettings.liveIntraOpThreads(0, "cpu", 2)).isEqualTo(1);
        assertThat(InferenceSettings.liveIntraOpThreads(0, "cpu", 1)).isEqualTo(1);
        assertThat(InferenceSettings.liveIntraOpThreads(0, "cpu", 16)).isZero(); // ONNX Runtime's default
    }

    @Test
    void aConfiguredCountOrAGpuIsLeftAsItIs() {
        assertThat(InferenceSettings.liveIntraOpThreads(2, "cpu", 2)).isEqualTo(2);
        assertThat(InferenceSettings.liveIntraOpThreads(0, "cuda", 2)).isZero();
        assertThat(InferenceSettings.liveIntraOpThreads(0, "cuda:1", 2)).isZero();
    }
}
