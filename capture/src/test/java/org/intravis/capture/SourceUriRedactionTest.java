package org.intravis.capture;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.intravis.pipeline.testing.Mutations;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.regex.Pattern;

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

    /**
     * A long run of scheme-like characters, or a long parameter name full of secret words, is redacted in one pass: the
     * regular expressions used before took seconds on a 100 KB URI a fuzzer made (quadratic backtracking), minutes on
     * these. The limit only tells a pass from a hang.
     */
    @Test
    void longUrisAreRedactedInOnePass() {
        String flags = "rtsp://user:pass@cam.local:554/s?av.fflags=nobuffer" + "+discardcorrupt".repeat(70_000);
        String name = "srt://h:9000?" + "pass".repeat(250_000) + "=s3cret&latency=120";
        String shown = Mutations.within(Duration.ofSeconds(10), () -> SourceUri.redact(flags)).value();
        assertThat(shown).startsWith("rtsp://***@cam.local:554/s?av.fflags=nobuffer+discardcorrupt").hasSize(flags.length() - 9 + 3);
        String masked = Mutations.within(Duration.ofSeconds(10), () -> SourceUri.redact(name)).value();
        assertThat(masked).endsWith("=***&latency=120").doesNotContain("s3cret");
    }

    /**
     * The expressions the redaction used until 2026-12-07. The one-pass scan of the parameters must mask exactly what
     * the parameter expression masked; the user info's expression now reads the scheme over at most 32 characters and
     * from any letter, so it masks wherever the old one did and also where a scheme does not start at a word boundary
     * ({@code 9x://u:p@h}).
     */
    private static final Pattern OLD_USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/?#\\s]*@");
    private static final Pattern USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]{0,31}+://)[^/?#\\s]*@");
    private static final Pattern OLD_SECRET_PARAM = Pattern.compile("(?i)([?&;])((?:av\\.)?(?:[a-z0-9_.-]*(?:pass|pwd"
            + "|secret|token|auth|credential|signature|api[_-]?key)[a-z0-9_.-]*|key|sig|user|username|streamid))=[^&#\\s]*");

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> piece = Arbitraries.oneOf(Arbitraries.of("rtsp://", "srt://", "9x://", "://", "@", "u:p@", "?",
                "&", ";", "=", "#", " ", "\t", "/", "av.", "pass", "Passphrase", "token", "api-key", "apikey", "key",
                "sig", "user", "streamid", "X-Auth", "_", ".", "-", "\u2003", "\u001c"),
                Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(4));
        return piece.list().ofMaxSize(25).map(l -> String.join("", l));
    }

    @Property(tries = 2000)
    void theParametersAreMaskedAsTheirExpressionMaskedThem(@ForAll("texts") String text) {
        String expected = OLD_SECRET_PARAM.matcher(USER_INFO.matcher(text).replaceAll("$1***@")).replaceAll("$1$2=***");
        assertThat(SourceUri.redact(text)).as(text).isEqualTo(expected);
    }

    @Property(tries = 2000)
    void userInfoIsMaskedWhereverTheOldExpressionMaskedIt(@ForAll("texts") String text) {
        String before = OLD_USER_INFO.matcher(text).replaceAll("$1***@");
        String now = USER_INFO.matcher(text).replaceAll("$1***@");
        assertThat(now.split("\\*\\*\\*@", -1).length).as(text).isGreaterThanOrEqualTo(before.split("\\*\\*\\*@", -1).length);
    }

    @Test
    void aSchemeThatDoesNotStartAWordIsMaskedToo() {
        assertThat(SourceUri.redact("9x://u:p@h/s")).isEqualTo("9x://***@h/s");
        assertThat(SourceUri.redact("sourcertsp://u:p@cam/s")).isEqualTo("sourcertsp://***@cam/s");
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
