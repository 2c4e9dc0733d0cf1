package org.intravis.capture;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.testing.Mutations;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed source URIs, as typed on a command line or in a configuration: {@link SourceUri#parse} and every provider's
 * option parsing ({@link FrameSources#create}, which checks options without opening anything) either accept the URI
 * or refuse it with an {@link IllegalArgumentException} that says why, within a second; and the redaction masks
 * any user info or passphrase, whatever characters they hold.
 */
class SourceUriFuzzTest {
    static final List<String> VALID = List.of(
            "synthetic:ultrasound?width=640&height=480&fps=30&seed=7&pace=fast&frames=10&pixelSpacingMm=0.2",
            "synthetic:fluoroscopy?width=320&height=240&fps=15",
            "file:/nonexistent/case1.mp4?loop=true&format=bgr&maxWidth=640&maxHeight=480",
            "images:/nonexistent/frames?fps=10&loop=false",
            "udp://0.0.0.0:5000?timeoutMs=2000&lowLatency=false&probeSize=100000&analyzeDurationMs=100",
            "rtsp://user:pass@cam.local:554/s?transport=tcp&width=640&height=480&av.fflags=nobuffer+discardcorrupt",
            "srt://10.0.0.9:9000?mode=caller&passphrase=abcdefghij&latency=120&reconnectInitialMs=100&reconnectMaxMs=900",
            "v4l2:/dev/video99?width=1920&height=1080&fps=59.94&inputFormat=mjpeg&pixelFormat=yuyv422&standard=PAL",
            "recording:/nonexistent/rec?speed=2&atEnd=pause",
            "plus:/nonexistent/seq.igs.mha?pace=fast&loop=false&fps=20&pixelSpacingMm=0.1");

    @Provide
    Arbitrary<String> uris() {
        return Mutations.of(VALID);
    }

    @Property(tries = 1000)
    void everyUriIsAcceptedOrRefusedWithAReason(@ForAll("uris") String uri) {
        Mutations.Outcome<Boolean> o = Mutations.within(Duration.ofSeconds(2), () -> {
            SourceUri parsed = SourceUri.parse(uri);
            parsed.redacted();
            try (FrameSource s = FrameSources.create(parsed)) {
                s.uri();
            }
            return true;
        });
        Mutations.assertClean(uri, o, IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<String> secrets() {
        // anything a password may hold except what ends user info in a URI ('/', '?', '#', white space)
        return Arbitraries.strings().ofMinLength(1).ofMaxLength(30).excludeChars('/', '?', '#', ' ', '\t', '\n', '\r',
                '\u000b', '\f', '\u001c', '\u001d', '\u001e', '\u001f').filter(s -> s.chars().noneMatch(Character::isWhitespace));
    }

    @Property(tries = 500)
    void userInfoIsMaskedWhateverItHolds(@ForAll("secrets") String password) {
        String uri = "rtsp://operator:" + password + "@10.1.2.3:554/live?transport=tcp";
        assertThat(SourceUri.redact(uri)).isEqualTo("rtsp://***@10.1.2.3:554/live?transport=tcp");
    }

    @Property(tries = 500)
    void aPassphraseIsMaskedWhateverItHolds(@ForAll("secrets") String passphrase) {
        String value = passphrase.replace("&", "");
        String uri = "srt://10.0.0.9:9000?mode=caller&passphrase=" + value + "&latency=120";
        String shown = SourceUri.redact(uri);
        assertThat(shown).isEqualTo("srt://10.0.0.9:9000?mode=caller&passphrase=***&latency=120");
    }
}
