package org.intravis.capture.ffmpeg;

import org.intravis.capture.FrameSources;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.FrameSource.Read;
import org.intravis.pipeline.SourceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code v4l2:} without a capture card (there is none on the build machines): a missing device is reported, not
 * thrown, and retried; a path that is not a video device goes through FFmpeg's real v4l2 input and its error is
 * reported. Recovery after unplugging a real card is not tested here.
 */
class V4l2SourceTest {
    @TempDir
    Path dir;

    @Test
    void missingDeviceIsReportedAndRetriedNotThrown() throws Exception {
        Path device = dir.resolve("video97");
        try (FrameSource s = FrameSources.create("v4l2:" + device + "?width=1280&height=720&fps=30&reconnectInitialMs=20")) {
            s.open();
            assertThat(s.live()).isTrue();
            assertThat(s.status()).isEqualTo(SourceStatus.RECONNECTING);
            assertThat(s.statusDetail()).isEqualTo("reconnecting in 20 ms, attempt 1: device " + device
                    + " does not exist (is the capture card plugged in?)");
            assertThat(s.geometry().maxWidth()).isEqualTo(1280);
            assertThat(s.geometry().maxHeight()).isEqualTo(720);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!s.statusDetail().contains("attempt 3")) {
                assertThat(s.readInto(slot)).isEqualTo(Read.NONE);
                assertThat(System.nanoTime() - deadline).isNegative();
            }
            assertThat(s.statusDetail()).startsWith("reconnecting in 80 ms, attempt 3: device");
        }
    }

    @Test
    void aFileThatIsNotADeviceIsRejectedByFfmpegsV4l2Input() throws Exception {
        Path notADevice = Files.writeString(dir.resolve("video0"), "not a device");
        try (LiveSource s = (LiveSource) FrameSources.create("v4l2:" + notADevice + "?inputFormat=mjpeg&timeoutMs=1000")) {
            assertThat(s.ffmpegOptions()).containsEntry("input_format", "mjpeg");
            s.open();
            assertThat(s.status()).isEqualTo(SourceStatus.RECONNECTING);
            assertThat(s.statusDetail()).startsWith("reconnecting in 250 ms, attempt 1: cannot open capture device "
                    + notADevice + ": ");
            assertThat(s.geometry().maxWidth()).isEqualTo(1920); // not known: the default
        }
    }

    @Test
    void unknownOptionsAndBadPathsAreRejectedWhenCreated() {
        assertThatThrownBy(() -> FrameSources.create("v4l2:/dev/video0?fsp=30"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'fsp'");
        assertThatThrownBy(() -> FrameSources.create("v4l2:video0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("v4l2:/dev/video0");
        assertThat(FrameSources.create("v4l2:/dev/video0?av.use_libv4l2=1")).isNotNull();
    }
}
