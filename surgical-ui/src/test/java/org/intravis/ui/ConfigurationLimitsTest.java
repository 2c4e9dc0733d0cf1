package org.intravis.ui;

import org.intravis.ui.testing.CommandRun;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.intravis.inference.ZoneSmoother;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The configuration's limits over generated values ({@link ModuleSettings#validate}): the port range, the stream list,
 * and the stream-id pattern, which is what keeps an id safe in URLs and in the pages (it is the text of the surgeon
 * page's stream picker). Each mistake is a {@link UserError} that says what was wrong (the command line prints it
 * and exits with 2).
 */
class ConfigurationLimitsTest {
    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

    static IntravisConfig withPort(int port) {
        IntravisConfig c = new IntravisConfig();
        c.server.port = port;
        return c;
    }

    static IntravisConfig withIds(String... ids) {
        IntravisConfig c = new IntravisConfig();
        c.streams = new ArrayList<>();
        for (String id : ids) {
            IntravisConfig.Stream s = new IntravisConfig.Stream();
            s.id = id;
            s.source = "synthetic:ultrasound";
            c.streams.add(s);
        }
        return c;
    }

    @Property(tries = 200)
    void everyPortFrom0To65535IsAccepted(@ForAll @IntRange(min = 0, max = 65535) int port) {
        assertThat(ModuleSettings.validate(withPort(port)).server.port).isEqualTo(port);
    }

    @Property(tries = 200)
    void aPortOutsideTheRangeIsRefusedSayingSo(@ForAll("outsidePorts") int port) {
        assertThatThrownBy(() -> ModuleSettings.validate(withPort(port))).isInstanceOf(UserError.class)
                .hasMessage("server.port must be 0..65535, was " + port);
    }

    @Provide
    Arbitrary<Integer> outsidePorts() {
        return Arbitraries.oneOf(Arbitraries.integers().lessOrEqual(-1), Arbitraries.integers().greaterOrEqual(65536),
                Arbitraries.of(-1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    @Property(tries = 300)
    void idsOfOneTo32LettersDigitsDashesAndUnderscoresAreAccepted(@ForAll("goodIds") String id) {
        assertThat(ModuleSettings.validate(withIds(id)).streams.get(0).id).isEqualTo(id);
    }

    @Provide
    Arbitrary<String> goodIds() {
        return Arbitraries.strings().withChars(ID_CHARS.toCharArray()).ofMinLength(1).ofMaxLength(32);
    }

    @Property(tries = 300)
    void anyOtherIdIsRefusedAndNamed(@ForAll("badIds") String id) {
        assertThatThrownBy(() -> ModuleSettings.validate(withIds(id))).isInstanceOf(UserError.class)
                .hasMessage("stream id '" + id + "' must be 1-32 letters, digits, '-' or '_'");
    }

    @Provide
    Arbitrary<String> badIds() {
        Arbitrary<String> tooLong = Arbitraries.strings().withChars(ID_CHARS.toCharArray()).ofMinLength(33).ofMaxLength(80);
        // a good id with at least one other character in it (markup, spaces, slashes, quotes, non-ASCII letters)
        Arbitrary<String> withOther = Arbitraries.strings().withChars(ID_CHARS.toCharArray()).ofMaxLength(20)
                .flatMap(good -> Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\u024f')
                        .withChars('\n', '\t', '\u2028').ofMinLength(1).ofMaxLength(5)
                        .filter(s -> s.chars().anyMatch(ch -> ID_CHARS.indexOf(ch) < 0))
                        .flatMap(other -> Arbitraries.integers().between(0, good.length())
                                .map(at -> good.substring(0, at) + other + good.substring(at))));
        return Arbitraries.oneOf(tooLong, withOther, Arbitraries.of("", "<img src=x onerror=alert(1)>", "us 1", "us1/..",
                "\"us1\"", "us1?x=1", "üs1"));
    }

    @Example
    void aNullIdIsRefused() {
        assertThatThrownBy(() -> ModuleSettings.validate(withIds((String) null))).isInstanceOf(UserError.class)
                .hasMessageContaining("must be 1-32 letters");
    }

    @Property(tries = 100)
    void anIdUsedTwiceIsRefused(@ForAll("goodIds") String id, @ForAll("goodIds") String other) {
        List<String> ids = id.equals(other) ? List.of(id, id) : List.of(id, other, id);
        assertThatThrownBy(() -> ModuleSettings.validate(withIds(ids.toArray(new String[0])))).isInstanceOf(UserError.class)
                .hasMessage("stream id '" + id + "' is used twice");
    }

    @Example
    void noStreamsIsRefused() {
        assertThatThrownBy(() -> ModuleSettings.validate(withIds())).isInstanceOf(UserError.class)
                .hasMessageContaining("no streams configured");
        IntravisConfig none = new IntravisConfig();
        none.streams = null;
        assertThatThrownBy(() -> ModuleSettings.validate(none)).isInstanceOf(UserError.class)
                .hasMessageContaining("no streams configured");
    }

    @Example
    void onTheCommandLineALimitIsOneLineAndExitStatus2() {
        CommandRun.Result port = CommandLineErrorsTest.run("run", "--port", "70000", "--no-inference",
                "--duration", "1");
        assertThat(port.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(port.err()).contains("server.port must be 0..65535, was 70000").doesNotContain("\tat ");
        CommandRun.Result id = CommandLineErrorsTest.run("run", "--source", "a b=synthetic:ultrasound",
                "--no-inference", "--port", "0", "--duration", "1");
        assertThat(id.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(id.err()).contains("stream id 'a b' must be 1-32 letters").doesNotContain("\tat ");
    }

    @Example
    void zoneSmoothingIsOnByDefaultOffWhenDisabledAndAWeightOutsideItsRangeIsRefused() {
        IntravisConfig c = new IntravisConfig();
        assertThat(ModuleSettings.inference(c).zoneSmoothing())
                .isEqualTo(ZoneSmoother.Config.defaults());
        c.inference.zoneSmoothing.enabled = false;
        assertThat(ModuleSettings.inference(c).zoneSmoothing().on()).isFalse();
        c.inference.zoneSmoothing.enabled = true;
        c.inference.zoneSmoothing.weight = 1.5;
        assertThatThrownBy(() -> ModuleSettings.inference(c)).isInstanceOf(UserError.class)
                .hasMessage("inference: zone smoothing weight must be in (0, 1] (1: off), was 1.5");
    }
}
