package org.intravis.streamer;

import org.bytedeco.javacpp.BytePointer;
import org.intravis.pipeline.PixelFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * H.264 files (recordings with {@code codec: h264}, exports, {@code analyze}'s annotated video) are written by the
 * best software encoder this FFmpeg has: libopenh264 in the default build; {@link X264EncoderTest} checks libx264 in
 * the -Pgpl one with {@link #assertH264FileThatDecodes}.
 */
class VideoFileWriterTest {
    static final int W = 320;
    static final int H = 240;
    static final int FRAMES = 45;

    @Test
    void h264FilesAreLibopenh264WhereFfmpegHasNoLibx264(@TempDir Path dir) throws Exception {
        assertH264FileThatDecodes(dir, "libopenh264");
    }

    /**
     * Exports and {@code analyze}'s video are written from colour pictures (the overlays burned in): a grey picture
     * in colour must come back with its own greys, black as black (a video-range picture flagged as full range shows
     * black as dark grey and loses a seventh of its contrast).
     */
    @ParameterizedTest
    @EnumSource(value = VideoCodec.class, names = {"H264", "MJPEG"})
    void colourPicturesKeepTheirGreys(VideoCodec codec, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("colour.mp4");
        ByteBuffer grey = AvVideoEncoderTest.grayFrame(3, W, H);
        ByteBuffer bgr = ByteBuffer.allocateDirect(W * H * 3);
        for (int i = 0; i < W * H; i++) {
            byte v = grey.get(i);
            bgr.put(3 * i, v).put(3 * i + 1, v).put(3 * i + 2, v);
        }
        try (VideoFileWriter w = new VideoFileWriter(file, "mp4", codec, W, H, PixelFormat.BGR24, 30, 0, 1, true)) {
            w.open();
            for (int t = 0; t < 5; t++) {
                w.write(new BytePointer(bgr), W * 3, t * 33L);
            }
        }
        byte[] back = decodeGrey(file, 1);
        double error = 0;
        for (int i = 0; i < W * H; i++) {
            error += Math.abs((back[i] & 0xff) - (grey.get(i) & 0xff));
        }
        assertThat(error / (W * H)).as("mean grey error, %s from BGR", codec).isLessThan(2.0);
    }

    static byte[] decodeGrey(Path file, int frames) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-i", file.toString(), "-frames:v",
                String.valueOf(frames), "-f", "rawvideo", "-pix_fmt", "gray", "-").start();
        byte[] all = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(all).hasSize(frames * W * H);
        return all;
    }

    /** Writes {@link #FRAMES} moving grey pictures as H.264 into an MP4 and checks what a player gets back. */
    static void assertH264FileThatDecodes(Path dir, String expectedEncoder) throws Exception {
        assertThat(VideoCodec.H264.encoderName()).isEqualTo(expectedEncoder);
        assertThat(VideoCodec.byName("libx264")).isEqualTo(VideoCodec.H264);
        assertThat(VideoCodec.byName("libopenh264")).isEqualTo(VideoCodec.H264);
        Path file = dir.resolve("h264.mp4");
        byte[] last;
        try (VideoFileWriter w = new VideoFileWriter(file, "mp4", VideoCodec.H264, W, H, PixelFormat.GRAY8, 30, 0, 1,
                true)) {
            w.open();
            assertThat(w.encoderName()).isEqualTo(expectedEncoder);
            ByteBuffer frame = null;
            for (int t = 0; t < FRAMES; t++) {
                frame = AvVideoEncoderTest.grayFrame(t, W, H);
                w.write(new BytePointer(frame), W, t * 33L);
            }
            last = new byte[W * H];
            frame.get(0, last);
        }
        String[] probe = RecorderTest.probe(file);
        assertThat(probe[0]).isEqualTo("h264");
        assertThat(Integer.parseInt(probe[1])).isEqualTo(W);
        assertThat(Long.parseLong(probe[3])).as("every picture in the file").isEqualTo(FRAMES);
        byte[] all = decodeGrey(file, FRAMES);
        double error = 0;
        for (int i = 0; i < W * H; i++) {
            error += Math.abs((all[(FRAMES - 1) * W * H + i] & 0xff) - (last[i] & 0xff));
        }
        assertThat(error / (W * H)).as("mean grey error of the last picture").isLessThan(2.0);
    }
}
