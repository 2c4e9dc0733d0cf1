package org.intravis.capture.ffmpeg;

import org.intravis.capture.FrameSources;
import org.intravis.pipeline.FrameSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live source whose URI holds credentials gives FFmpeg the URI whole, and shows it masked everywhere else: its
 * status detail (which the API serves and the log repeats) while it tries to connect to a closed port.
 */
class LiveSourceRedactionTest {

    @Test
    void credentialsReachFfmpegButNotTheStatus() throws Exception {
        try (FrameSource s = FrameSources.create("rtsp://admin:hunter2@127.0.0.1:1/cam?timeoutMs=300&width=64&height=48"
                + "&av.passphrase=pp9")) {
            LiveSource live = (LiveSource) s;
            assertThat(live.ffmpegUrl()).isEqualTo("rtsp://admin:hunter2@127.0.0.1:1/cam");
            assertThat(live.ffmpegOptions()).containsEntry("passphrase", "pp9");
            s.open(); // the port is closed: it reports RECONNECTING with FFmpeg's reason, and keeps trying
            assertThat(s.statusDetail()).contains("rtsp://***@127.0.0.1:1/cam").doesNotContain("hunter2")
                    .doesNotContain("pp9");
        }
    }
}
