package org.intravis.streamer;

import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;

/**
 * The H.264 encoder a configuration names, and the software one that takes over when it cannot open. (Its own class:
 * as a method of AvVideoEncoderTest it made that class's copyPacket allocation test count 10 KB to 20 MB in two runs
 * of two, which it does not otherwise; not understood, so noted here.)
 */
class H264EncoderFallbackTest {
    private static final int W = AvVideoEncoderTest.W;
    private static final int H = AvVideoEncoderTest.H;

    /**
     * A configuration made for the GPU machine (h264_nvenc) streams anywhere: without an NVIDIA GPU the encoder
     * cannot open, and the bundled software encoder takes over at once (rehearsed here; on a GPU machine it is NVENC).
     */
    @Test
    void h264NvencFallsBackToTheSoftwareEncoderWhereItCannotOpen() {
        StreamerSettings nvenc = new StreamerSettings().h264Encoder("h264_nvenc").keyIntervalMillis(1000).conclude();
        boolean gpu = java.nio.file.Files.exists(java.nio.file.Path.of("/dev/nvidiactl"));
        assertThat(AvVideoEncoder.h264Available("h264_nvenc")).isTrue();
        try (AvVideoEncoder enc = new AvVideoEncoder(Encoding.H264, nvenc, 30)) {
            for (int t = 0; t < 3; t++) {
                int n = enc.encode(new BytePointer(AvVideoEncoderTest.grayFrame(t, W, H)), W, H, W, AV_PIX_FMT_GRAY8,
                        false);
                assertThat(n).as("frame %d encoded", t).isPositive();
            }
            assertThat(enc.codecName()).isEqualTo(gpu ? "h264_nvenc" : AvVideoEncoder.H264_FALLBACK);
            assertThat(enc.codecString()).matches("avc1\\.[0-9A-F]{6}");
        }
    }
}
