package org.intravis.ui;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where an inference node may listen (the HTTP server's rule, and TLS beyond loopback) and what the edge's
 * {@code inference.backend}/{@code inference.remote} accept, each refusal a one-line error.
 */
class ServeInferenceRulesTest {
    @TempDir
    Path dataDir;

    @Test
    void theNodeListensBeyondLoopbackOnlyWithTokensAndTls() {
        assertThat(ServeInferenceCommand.bindAddress(null, false, false, "d")).isEqualTo("127.0.0.1");
        assertThat(ServeInferenceCommand.bindAddress(null, true, false, "d")).isEqualTo("127.0.0.1");
        assertThat(ServeInferenceCommand.bindAddress(null, true, true, "d")).isEqualTo("0.0.0.0");
        assertThat(ServeInferenceCommand.bindAddress("0.0.0.0", true, true, "d")).isEqualTo("0.0.0.0");
        assertThatThrownBy(() -> ServeInferenceCommand.bindAddress("0.0.0.0", false, true, "d"))
                .isInstanceOf(UserError.class).hasMessageContaining("no tokens");
        assertThatThrownBy(() -> ServeInferenceCommand.bindAddress("0.0.0.0", true, false, "d"))
                .isInstanceOf(UserError.class).hasMessageContaining("--tls-cert");
        // from the command line: exit status 2 before any model is loaded
        assertThat(Intravis.execute("serve-inference", "--host", "0.0.0.0", "--port", "0", "--data-dir",
                dataDir.toString())).isEqualTo(Intravis.EXIT_USER_ERROR);
    }

    @Test
    void theEdgesRemoteSettingsAreChecked() {
        IntravisConfig c = new IntravisConfig();
        c.dataDir = dataDir.toString();
        c.inference.backend = "remot";
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("inference.backend must be local or remote");
        c.inference.backend = "remote";
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("inference.remote.url is required");
        c.inference.remote.url = "grpc://192.0.2.10:8001";
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("use grpcs://");
        c.inference.remote.url = "http://127.0.0.1:8001";
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("grpc://HOST:PORT or grpcs://HOST:PORT");
        c.inference.remote.url = "grpcs://192.0.2.10:8001";
        c.inference.remote.tokenFile = dataDir.resolve("missing.token").toString();
        assertThatThrownBy(() -> ModuleSettings.validate(c)).isInstanceOf(UserError.class)
                .hasMessageContaining("cannot read inference.remote.tokenFile");
        c.inference.remote.tokenFile = "";
        assertThat(ModuleSettings.inference(ModuleSettings.validate(c)).remote().url())
                .isEqualTo("grpcs://192.0.2.10:8001");
    }
}
