package org.intravis.ui;

import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The HTTP stills' copy of a stream's newest frame: readers never wait on the video thread for ever. */
class FrameSnapshotsTest {
    @Test
    void aCopyThatFailsHalfWayDoesNotLeaveReadersWaiting() {
        FrameSnapshots snapshots = new FrameSnapshots(64 * 10, 0); // room for 10 rows of a 48-row frame
        FrameSlot slot = new FrameSlot(0, new FrameGeometry(64, 48, PixelFormat.GRAY8), false);
        slot.frame(64, 48, 64, PixelFormat.GRAY8);
        assertThatThrownBy(() -> snapshots.onFrame(slot)).isInstanceOf(IndexOutOfBoundsException.class);
        // before: the sequence lock stayed odd and every read spun for ever (an HTTP still that never answered)
        assertTimeoutPreemptively(Duration.ofSeconds(5), snapshots::read);
    }

    @Test
    void aReaderGetsTheNewestFrame() {
        FrameSnapshots snapshots = new FrameSnapshots(64 * 48, 0);
        assertThat(snapshots.read()).as("nothing before the first frame").isNull();
        FrameSlot slot = new FrameSlot(0, new FrameGeometry(64, 48, PixelFormat.GRAY8), false);
        slot.frame(64, 48, 64, PixelFormat.GRAY8);
        slot.pixels().put(64 * 47 + 63, (byte) 200);
        snapshots.onFrame(slot);
        FrameSnapshots.Snapshot s = snapshots.read();
        assertThat(s.width()).isEqualTo(64);
        assertThat(s.height()).isEqualTo(48);
        assertThat(s.pixels()[64 * 47 + 63]).isEqualTo((byte) 200);
    }
}
