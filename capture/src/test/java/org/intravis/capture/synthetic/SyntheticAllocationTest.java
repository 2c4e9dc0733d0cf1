package org.intravis.capture.synthetic;

import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Hot-path rule 1: once warm, reading a 1080p phantom frame allocates nothing on the rendering thread. */
class SyntheticAllocationTest {

    @ParameterizedTest
    @ValueSource(strings = {"ultrasound", "fluoroscopy"})
    void steadyStateFramesAllocateNothing(String kind) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(mx.isThreadAllocatedMemorySupported()).isTrue();
        mx.setThreadAllocatedMemoryEnabled(true);
        try (SyntheticSource s = PhantomFrames.open("synthetic:" + kind + "?width=1920&height=1080&pace=fast")) {
            FrameSlot slot = PhantomFrames.slotFor(s);
            // warm up across a needle/wire cycle so every branch has been compiled
            for (int i = 0; i < 150; i++) {
                s.renderFrame(i * 4L, slot);
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            int frames = 0;
            for (int i = 0; i < 120; i++) {
                if (s.readInto(slot) == FrameSource.Read.FRAME) {
                    frames++;
                }
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertThat(frames).isEqualTo(120);
            assertThat(allocated).as("bytes allocated over %d frames", frames).isZero();
        }
    }
}
