package org.intravis.capture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Credentials in source URIs are masked by {@link SourceUri#redact}, the one redaction used wherever a URI is shown,
 * and the sources' own error messages and descriptions use it.
 */
class SourceUriRedactionTest {

    @Test
    void userInfoIsMasked() {
        assertThat(SourceUri.redact("rtsp://admin:hunter2@10.0.0.5:554/stream1"))
                .isEqualTo("rtsp://***@10.0.0.5:554/stream1");
        assertThat(SourceUri.redact("rtsps://onlyuser@cam.local/x")).isEqualTo("rtsps://***@cam.local/x");
        // an '@' inside the password (not escaped, as people type it) is still part of the user info
        assertThat(SourceUri.redact("rtsp://op:p@ss@w0rd@cam:554/live")).isEqualTo("rtsp://***@cam:554/live");
    }

    @Test
    void passwordLikeQueryParametersAreMasked() {
        assertThat(SourceUri.redact("srt://10.0.0.9:9000?mode=caller&passphrase=correct-horse&latency=120"))
                .isEqualTo("srt://10.0.0.9:9000?mode=caller&passphrase=***&latency=120");
        assertThat(SourceUri.redact("rtmp://h/app?av.rtmp_pass=s3cret&token=abc&key=k1&apiKey=z&X-Auth=q&timeoutMs=3000"))
                .isEqualTo("rtmp://h/app?av.rtmp_pass=***&token=***&key=***&apiKey=***&X-Auth=***&timeoutMs=3000");
        assertThat(SourceUri.redact("https://h/live.m3u8?Password=a%26b&sig=1"))
                .isEqualTo("https://h/live.m3u8?Password=***&sig=***");
    }

    @Test
    void bothAtOnceAndInsideAMessage() {
        String message = "stream rtsp://u:pw1@cam/a?passphrase=pw2: Connection refused; retrying srt://x:1?pbkeylen=16&passphrase=pw3";
        String shown = SourceUri.redact(message);
        assertThat(shown).doesNotContain("pw1", "pw2", "pw3").contains("rtsp://***@cam/a?passphrase=***")
                .contains("pbkeylen=16").endsWith("passphrase=***");
    }

    @Test
    void uriWithoutCredentialsIsUnchanged() {
        for (String uri : new String[]{"synthetic:ultrasound?width=640&height=480&fps=30", "file:/data/case1.mp4?loop=true",
                "udp://0.0.0.0:5000?timeoutMs=2000", "v4l2:/dev/video0?width=1920&height=1080&fps=60",
                "rtsp://cam.local:554/stream?transport=tcp&keyIntervalMs=500", "images:/data/us@2x/", "recording:/r/2026-12-03"}) {
            assertThat(SourceUri.redact(uri)).isEqualTo(uri);
            assertThat(SourceUri.parse(uri).redacted()).isEqualTo(uri);
        }
        assertThat(SourceUri.redact(null)).isNull();
        assertThat(SourceUri.redact("")).isEmpty();
    }

    @Test
    void secretOptionNamesAreRecognised() {
        assertThat(SourceUri.secretOption("passphrase")).isTrue();
        assertThat(SourceUri.secretOption("av.srt_passphrase")).isTrue();
        assertThat(SourceUri.secretOption("password")).isTrue();
        assertThat(SourceUri.secretOption("timeoutMs")).isFalse();
        assertThat(SourceUri.secretOption("keyIntervalMs")).isFalse();
        assertThat(SourceUri.secretOption(null)).isFalse();
    }

    @Test
    void errorMessagesAboutASourceDoNotRepeatItsCredentials() {
        assertThatThrownBy(() -> FrameSources.create("bogus://admin:hunter2@cam/x?passphrase=pp"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bogus://***@cam/x?passphrase=***")
                .message().doesNotContain("hunter2").doesNotContain("=pp");
        assertThatThrownBy(() -> FrameSources.create("rtsp://admin:hunter2@cam/x?timeoutMs=soon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeoutMs")
                .message().doesNotContain("hunter2");
        assertThatThrownBy(() -> FrameSources.create("rtsp://admin:hunter2@cam/x?transport=pigeon&token=tk"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transport=pigeon")
                .message().doesNotContain("hunter2").doesNotContain("tk)");
        assertThatThrownBy(() -> SourceUri.parse("rtsp://a:hunter2@cam/x?width=wide").intOption("width", 0))
                .hasMessageContaining("rtsp://***@cam").message().doesNotContain("hunter2");
    }
}
