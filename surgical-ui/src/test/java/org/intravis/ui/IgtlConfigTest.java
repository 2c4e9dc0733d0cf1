package org.intravis.ui;

import org.intravis.ui.igtl.IgtlServerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --igtl-port} and the {@code openigtlink:} section: off by default, loopback, the protocol, and the errors. */
class IgtlConfigTest {
    @TempDir
    Path dir;

    @Test
    void offByDefaultAndOnWithTheFlagOnLoopback() {
        assertThat(ModuleSettings.igtl(ModuleSettings.validate(ConfigLoader.load(null)))).isNull();
        RunCommand run = new RunCommand();
        new picocli.CommandLine(run).parseArgs("--igtl-port", "18944");
        IgtlServerSettings s = ModuleSettings.igtl(ModuleSettings.validate(run.applyOverrides(ConfigLoader.load(null))));
        assertThat(s.port()).isEqualTo(18944);
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.protocol()).isEqualTo(2);
        assertThat(s.headerVersion()).isEqualTo(1);
    }

    @Test
    void theYamlSectionSetsHostPortAndProtocol() throws Exception {
        IgtlServerSettings s = ModuleSettings.igtl(TestApps.fromYaml(dir, """
                openigtlink:
                  host: 0.0.0.0
                  port: 18945
                  protocol: 3
                  allowedClients: [10.1.2.3]
                """));
        assertThat(s.host()).isEqualTo("0.0.0.0");
        assertThat(s.port()).isEqualTo(18945);
        assertThat(s.headerVersion()).isEqualTo(2);
        assertThat(s.admits(java.net.InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(s.admits(java.net.InetAddress.getByName("10.1.2.4"))).isFalse();
    }

    @Test
    void beyondLoopbackItNeedsItsPeersListedAndTokensLikeTheServer() {
        IntravisConfig c = TestApps.config(dir.resolve("data"), "us1", "synthetic:ultrasound?width=160&height=120&fps=5", "none");
        c.openigtlink.port = 0;
        c.openigtlink.host = "0.0.0.0";
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("openigtlink.allowedClients");
        c.openigtlink.allowedClients = java.util.List.of("10.1.2.3");
        // no tokens: OpenIGTLink may not leave this machine, as the HTTP server may not
        assertThatThrownBy(() -> Application.start(ModuleSettings.validate(c))).isInstanceOf(UserError.class)
                .hasMessageContaining("no tokens").hasMessageContaining("intravis token create");
    }

    @Test
    void mistakesAreOneLineNamingTheKey() {
        IntravisConfig c = ConfigLoader.load(null);
        c.openigtlink.port = 18944;
        c.openigtlink.protocol = 4;
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("openigtlink.protocol must be 2");
        c.openigtlink.protocol = 2;
        c.openigtlink.port = 70000;
        assertThatThrownBy(() -> ModuleSettings.validate(c)).hasMessageContaining("openigtlink.port must be 0..65535");
        c.openigtlink.port = 18944;
        c.streams.get(0).id = "ultrasound-left";
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("stream id 'ultrasound-left' is longer than 10 characters");
    }

    @Test
    void aBusyPortIsAUserErrorNamingIt() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            IntravisConfig c = TestApps.config(dir, "s1", "synthetic:ultrasound?width=64&height=48", "none");
            c.openigtlink.port = busy.getLocalPort();
            assertThatThrownBy(() -> Application.start(ModuleSettings.validate(c))).isInstanceOf(UserError.class)
                    .hasMessageContaining("openigtlink: cannot listen on 127.0.0.1:" + busy.getLocalPort());
        }
    }
}
