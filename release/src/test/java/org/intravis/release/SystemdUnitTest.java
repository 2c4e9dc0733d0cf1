package org.intravis.release;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge box's systemd unit, as systemd itself reads it: {@code systemd-analyze verify} finds no unknown key or
 * section, and {@code systemd-analyze security} rates its sandbox at most 2.5 of 10 ("OK"). Both are shown to
 * fail on a unit that is wrong, so the checks can fail.
 */
class SystemdUnitTest {
    private static final Path UNIT = Path.of("src/main/dist/systemd/intravis.service");
    private static final Path LAUNCHER = Path.of("src/main/dist/bin/intravis").toAbsolutePath();

    @Test
    void theUnitIsValidAndHardened(@TempDir Path tmp) throws Exception {
        Path unit = placed(tmp, Files.readString(UNIT));
        Tools.Result verify = verify(unit);
        assertThat(verify.code()).as(verify.out()).isZero();
        assertThat(verify.out()).as("systemd-analyze verify says nothing about a good unit").isBlank();
        Tools.Result security = security(unit);
        assertThat(security.code()).as(security.out()).isZero();
        assertThat(Files.readString(UNIT)).contains("DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "StateDirectory=intravis");
    }

    @Test
    void aMisspeltKeyAndAnUnhardenedUnitAreCaught(@TempDir Path tmp) throws Exception {
        String text = Files.readString(UNIT);
        Tools.Result verify = verify(placed(tmp.resolve("misspelt"), text.replace("NoNewPrivileges=", "NoNewPrivilege=")));
        assertThat(verify.out()).contains("Unknown key 'NoNewPrivilege'");

        StringBuilder bare = new StringBuilder();
        for (String line : text.lines().toList()) {
            if (!line.matches("(Protect|Restrict|Private|NoNew|Dynamic|Capability|SystemCall|Device|Lock|Remove|UMask).*")) {
                bare.append(line).append('\n');
            }
        }
        assertThat(security(placed(tmp.resolve("bare"), bare.toString())).code()).isNotZero();
    }

    /** The unit in a folder of its own, starting the launcher from the source tree (verify wants it to exist). */
    private static Path placed(Path dir, String text) throws Exception {
        Files.createDirectories(dir);
        Path unit = dir.resolve("intravis.service");
        Files.writeString(unit, text.replace("ExecStart=/opt/intravis/bin/intravis", "ExecStart=" + LAUNCHER));
        return unit;
    }

    private static Tools.Result verify(Path unit) throws Exception {
        return Tools.run(List.of("systemd-analyze", "verify", "--man=no", unit.toString()), Map.of(), null);
    }

    private static Tools.Result security(Path unit) throws Exception {
        return Tools.run(List.of("systemd-analyze", "security", "--offline=yes", "--threshold=25", "--no-pager",
                unit.toString()), Map.of(), null);
    }
}
