package org.intravis.ui;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The ffprobe and ffmpeg command-line tools, as a player would read what intravis wrote. */
final class RecorderProbe {
    private RecorderProbe() {
    }

    /** Codec name and number of frames decoded (ffprobe -count_frames), then width and height. */
    static String[] probe(Path video) throws Exception {
        Process p = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,nb_read_frames,width,height", "-of",
                "csv=p=0:nokey=1", video.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).as("ffprobe on %s: %s", video, out).isZero();
        String[] f = out.split(",");
        // ffprobe's order: codec_name, width, height, nb_read_frames
        return new String[]{f[0], f[3], f[1], f[2]};
    }

    /** Picture {@code n} (from 0) of a video as packed RGB bytes (ffmpeg decodes and converts it). */
    static byte[] rgbFrame(Path video, int n, int width, int height) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-i", video.toString(), "-vf",
                "select=eq(n\\," + n + ")", "-vsync", "0", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor()).as("ffmpeg: %s", err).isZero();
        assertThat(out).as("one %dx%d RGB picture", width, height).hasSize(width * height * 3);
        return out;
    }
}
