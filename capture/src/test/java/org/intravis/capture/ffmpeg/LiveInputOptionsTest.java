package org.intravis.capture.ffmpeg;

import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avutil.AVClass;
import org.bytedeco.ffmpeg.avutil.AVOption;
import org.bytedeco.javacpp.PointerPointer;
import org.intravis.capture.SourceUri;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.bytedeco.ffmpeg.global.avformat.avformat_get_class;
import static org.bytedeco.ffmpeg.global.avutil.AV_OPT_SEARCH_FAKE_OBJ;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_find;

/**
 * How live URIs map to FFmpeg's URL and options. The RTSP and v4l2 names are also checked against the real
 * FFmpeg's option tables (nothing here can connect to an RTSP camera or a capture card); the UDP, HTTP and SRT
 * mappings are checked on real connections in {@link LiveSourceTest} (FFmpeg reports no unused option).
 */
class LiveInputOptionsTest {
    private static Map<String, String> options(String uri) {
        return LiveInputOptions.options(SourceUri.parse(uri));
    }

    private static String url(String uri) {
        return LiveInputOptions.url(SourceUri.parse(uri));
    }

    @Test
    void urlKeepsTheStreamsOwnQueryAndDropsIntravisOptions() {
        assertThat(url("udp://0.0.0.0:5000?timeoutMs=2000&fifo_size=100000&format=bgr&overrun_nonfatal=1"))
                .isEqualTo("udp://0.0.0.0:5000?fifo_size=100000&overrun_nonfatal=1");
        assertThat(url("srt://10.0.0.5:9000?mode=caller&latency=120000&timeoutMs=1000&av.foo=1"))
                .isEqualTo("srt://10.0.0.5:9000?mode=caller&latency=120000");
        assertThat(url("rtsp://user:p%40ss@cam.local:554/stream1?transport=udp"))
                .isEqualTo("rtsp://user:p%40ss@cam.local:554/stream1");
        assertThat(url("http://host/live.ts")).isEqualTo("http://host/live.ts");
        assertThat(url("v4l2:/dev/video2?width=1280&height=720")).isEqualTo("/dev/video2");
    }

    @Test
    void timeoutsUseEachProtocolsOwnNames() {
        assertThat(options("rtsp://cam/s?timeoutMs=2000")).containsEntry("timeout", "2000000")
                .containsEntry("rtsp_transport", "tcp").doesNotContainKey("stimeout").doesNotContainKey("rw_timeout");
        assertThat(options("rtsps://cam/s?transport=udp")).containsEntry("rtsp_transport", "udp")
                .containsEntry("timeout", "3000000");
        assertThat(options("udp://0.0.0.0:5000?timeoutMs=500")).containsEntry("timeout", "500000")
                .containsEntry("rw_timeout", "500000").containsEntry("overrun_nonfatal", "1");
        assertThat(options("srt://h:1?timeoutMs=1500")).containsEntry("timeout", "1500000")
                .containsEntry("connect_timeout", "1500").containsEntry("rw_timeout", "1500000");
        assertThat(options("https://h/x.ts")).containsEntry("timeout", "3000000").containsEntry("rw_timeout", "3000000");
    }

    @Test
    void lowLatencyDemuxingIsOnByDefaultAndConfigurable() {
        assertThat(options("udp://0.0.0.0:5000")).containsEntry("fflags", "nobuffer")
                .containsEntry("probesize", "262144").containsEntry("analyzeduration", "500000");
        assertThat(options("udp://0.0.0.0:5000?probeSize=32768&analyzeDurationMs=100"))
                .containsEntry("probesize", "32768").containsEntry("analyzeduration", "100000");
        assertThat(options("udp://0.0.0.0:5000?lowLatency=false")).doesNotContainKeys("fflags", "probesize", "analyzeduration");
        assertThat(options("udp://0.0.0.0:5000?av.buffer_size=4000000&av.fflags=nobuffer+discardcorrupt"))
                .containsEntry("buffer_size", "4000000").containsEntry("fflags", "nobuffer+discardcorrupt");
    }

    @Test
    void v4l2OptionsMapToTheDeviceInputsNames() {
        assertThat(options("v4l2:/dev/video0?width=1920&height=1080&fps=60&inputFormat=mjpeg&pixelFormat=yuyv422&standard=PAL"))
                .containsEntry("video_size", "1920x1080").containsEntry("framerate", "60")
                .containsEntry("input_format", "mjpeg").containsEntry("pixel_format", "yuyv422")
                .containsEntry("standard", "PAL");
        assertThat(options("v4l2:/dev/video0?fps=29.97")).containsEntry("framerate", "29.97").doesNotContainKey("video_size");
        assertThatThrownBy(() -> options("v4l2:/dev/video0?width=1920"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both width and height");
    }

    @Test
    void badValuesAreClearErrors() {
        assertThatThrownBy(() -> options("rtsp://cam/s?transport=carrier-pigeon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transport=carrier-pigeon");
        assertThatThrownBy(() -> options("udp://h:1?timeoutMs=soon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeoutMs=soon");
        assertThatThrownBy(() -> options("udp://h:1?timeoutMs=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeoutMs must be positive");
    }

    @Test
    void rtspAndV4l2OptionNamesExistInThisFfmpeg() {
        FfmpegLibrary.init();
        AVClass rtsp = demuxerClass("rtsp");
        for (String key : options("rtsp://cam/s?lowLatency=false").keySet()) {
            assertThat(hasOption(rtsp, key)).as("rtsp option %s", key).isTrue();
        }
        AVClass v4l2 = demuxerClass("v4l2");
        for (String key : options("v4l2:/dev/video0?width=1920&height=1080&fps=60&inputFormat=mjpeg&pixelFormat=yuyv422"
                + "&standard=PAL&lowLatency=false").keySet()) {
            assertThat(hasOption(v4l2, key)).as("v4l2 option %s", key).isTrue();
        }
        AVClass format = avformat_get_class();
        for (String key : new String[]{"fflags", "probesize", "analyzeduration"}) {
            assertThat(hasOption(format, key)).as("format option %s", key).isTrue();
        }
        assertThat(hasOption(rtsp, "stimeout")).as("the option name older FFmpeg used is gone").isFalse();
    }

    private static AVClass demuxerClass(String name) {
        AVInputFormat f = av_find_input_format(name);
        assertThat(f).as("FFmpeg has the %s input", name).isNotNull();
        return f.priv_class();
    }

    private static boolean hasOption(AVClass cls, String name) {
        PointerPointer<AVClass> fakeObject = new PointerPointer<>(1);
        fakeObject.put(0, cls);
        AVOption o = av_opt_find(fakeObject, name, null, 0, AV_OPT_SEARCH_FAKE_OBJ);
        return o != null && !o.isNull();
    }
}
