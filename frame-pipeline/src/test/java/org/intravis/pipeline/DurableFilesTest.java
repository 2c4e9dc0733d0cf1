package org.intravis.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheContentAndLeavesNothingBeside() throws Exception {
        Path f = dir.resolve("zones.json");
        DurableFiles.replace(f, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        DurableFiles.replace(f, "{\"a\":2}".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(f)).isEqualTo("{\"a\":2}");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("zones.json");
        }
    }

    @Test
    void aSecretIsNeverReadableByOthersAndALeftoverDoesNotLendItsPermissions() throws Exception {
        Path f = dir.resolve("tokens.json");
        Path leftover = dir.resolve("tokens.json.tmp");
        Files.writeString(leftover, "half a file from a crash");
        Files.setPosixFilePermissions(leftover, PosixFilePermissions.fromString("rw-rw-rw-"));
        DurableFiles.replace(f, "secret".getBytes(StandardCharsets.UTF_8),
                PosixFilePermissions.fromString("rw-------"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Files.readString(f)).isEqualTo("secret");
        assertThat(leftover).doesNotExist();
    }

    @Test
    void aFailedReplacementKeepsTheOldContent() throws Exception {
        Path f = dir.resolve("manifest.json");
        DurableFiles.replace(f, "old".getBytes(StandardCharsets.UTF_8));
        // the file beside it cannot be made (a folder stands in its place): the write fails before the rename
        Files.createDirectory(dir.resolve("manifest.json.tmp"));
        Files.writeString(dir.resolve("manifest.json.tmp").resolve("x"), "x");
        assertThatThrownBy(() -> DurableFiles.replace(f, "new".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(java.io.IOException.class);
        assertThat(Files.readString(f)).isEqualTo("old");
    }
}
