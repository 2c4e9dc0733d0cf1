package org.intravis.streamer;

import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;

/**
 * H.264 with libx264, which only FFmpeg's GPL build has ({@code -Pgpl}, README "Codec"). Surefire runs this class
 * alone in its own execution with that build's natives on the class path (overlay-streamer's pom, {@code gpl-ffmpeg}),
 * and never in the default one, whose natives lack the encoder: there it would only fall back to libopenh264.
 */
class X264EncoderTest {
    @Test
    void theGplBuildsFfmpegHasLibx264() {
        assertThat(avcodec_find_encoder_by_name("libx264")).as("FFmpeg's GPL natives on the class path").isNotNull();
    }

    @Test
    void theDefaultH264EncoderIsLibx264WhereFfmpegHasIt() {
        assertThat(new StreamerSettings().conclude().h264Encoder()).isEqualTo("libx264");
        assertThat(new StreamerSettings().h264Encoder("libopenh264").conclude().h264Encoder())
                .as("named, it is kept").isEqualTo("libopenh264");
    }

    @Test
    void libx264GivesTheLowLatencyStreamThePageDecodes() {
        AvVideoEncoderTest.assertLowLatencyH264ThatDecodes("libx264");
    }

    @Test
    void libx264KeepsToTheConfiguredBitrate() {
        int w = 640;
        int h = 480;
        int fps = 30;
        StreamerSettings s = new StreamerSettings().h264Encoder("libx264").keyIntervalMillis(1000).conclude();
        long bitrate = s.h264BitrateFor(w, h, fps);
        long bytes = 0;
        int frames = 90; // three seconds, three key frames
        try (AvVideoEncoder enc = new AvVideoEncoder(Encoding.H264, s, fps)) {
            for (int t = 0; t < frames; t++) {
                int n = enc.encode(new BytePointer(AvVideoEncoderTest.grayFrame(t, w, h)), w, h, w, AV_PIX_FMT_GRAY8,
                        false);
                assertThat(n).as("frame %d", t).isPositive();
                bytes += n;
            }
        }
        double bps = bytes * 8.0 * fps / frames;
        // a simple moving picture needs less than the budget; what must not happen is a stream far over it
        assertThat(bps).as("bit/s against %d configured", bitrate).isLessThan(1.3 * bitrate);
    }

    @Test
    void h264FilesAreWrittenWithLibx264AndDecode(@TempDir Path dir) throws Exception {
        VideoFileWriterTest.assertH264FileThatDecodes(dir, "libx264");
    }
}
