package org.intravis.ui;

import org.intravis.ui.testing.CommandRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code intravis token} and {@code intravis audit verify} as a user runs them, and the rule that a server without
 * tokens stays on loopback.
 */
class TokenAndAuditCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private CommandRun.Result run(String... args) {
        return CommandLineErrorsTest.run(args);
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    @Test
    void createPrintsTheTokenOnceAsTheLastLineAndKeepsOnlyASaltedHash() throws Exception {
        CommandRun.Result r = run("token", "create", "--name", "or3-display", "--role", "viewer",
                "--data-dir", data.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String token = lastLine(r.out());
        assertThat(token).startsWith("ivt_").hasSizeGreaterThan(40);

        String file = Files.readString(data.resolve(TokenStore.FILE));
        String secret = token.substring(token.indexOf('.') + 1);
        assertThat(file).contains("or3-display").contains("PBKDF2WithHmacSHA256").doesNotContain(secret);
        JsonNode entry = JSON.readTree(file).get("tokens").get(0);
        assertThat(entry.get("iterations").asInt()).isGreaterThanOrEqualTo(100_000);
        assertThat(entry.get("salt").asText()).isNotEmpty();
        assertThat(new TokenStore(data).verify(token)).map(TokenStore.Entry::role).hasValue(Role.VIEWER);
        assertThat(new TokenStore(data).verify(token.substring(0, token.length() - 1) + "x")).isEmpty();

        // a second token of the same name is refused; a second name gets its own salt
        CommandRun.Result again = run("token", "create", "--name", "or3-display", "--role", "admin",
                "--data-dir", data.toString());
        assertThat(again.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(again.err()).contains("exists").contains("token revoke");
        String other = lastLine(run("token", "create", "--name", "dr-lee", "--role", "operator", "--data-dir",
                data.toString()).out());
        assertThat(other).isNotEqualTo(token);
        List<TokenStore.Entry> all = new TokenStore(data).list();
        assertThat(all).extracting(TokenStore.Entry::name).containsExactly("or3-display", "dr-lee");
        assertThat(all.get(0).salt()).isNotEqualTo(all.get(1).salt());
    }

    @Test
    void listShowsNamesAndRolesAndRevokeRemoves() {
        String token = lastLine(run("token", "create", "--name", "dr-lee", "--role", "operator", "--data-dir",
                data.toString()).out());
        CommandRun.Result list = run("token", "list", "--data-dir", data.toString());
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("dr-lee").contains("operator").doesNotContain(token.substring(4));

        assertThat(run("token", "revoke", "dr-lee", "--data-dir", data.toString()).code()).isZero();
        assertThat(new TokenStore(data).verify(token)).isEmpty();
        CommandRun.Result missing = run("token", "revoke", "dr-lee", "--data-dir", data.toString());
        assertThat(missing.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(missing.err()).contains("no token named 'dr-lee'");
        assertThat(run("token", "create", "--name", "x", "--role", "surgeon", "--data-dir", data.toString()).err())
                .contains("unknown role 'surgeon'");
        assertThat(run("token", "create", "--name", "bad name", "--role", "viewer", "--data-dir", data.toString())
                .err()).contains("a token name is");
    }

    @Test
    void withoutTokensAHostOtherThanLoopbackExits2WithOneLineSayingHow() throws Exception {
        CommandRun.Result r = run("run", "--host", "0.0.0.0", "--port", "0", "--duration", "1",
                "--no-inference", "--data-dir", data.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().split("\n")).hasSize(1);
        assertThat(r.err()).contains("intravis token create").contains("--data-dir " + data).doesNotContain("\tat ");
        assertThat(ListenAddress.choose("", false, "d")).isEqualTo("127.0.0.1");
        assertThat(ListenAddress.choose("", true, "d")).isEqualTo("0.0.0.0");
        assertThat(ListenAddress.choose("localhost", false, "d")).isEqualTo("localhost");
        assertThat(ListenAddress.choose("0.0.0.0", true, "d")).isEqualTo("0.0.0.0");
    }

    @Test
    void tokenChangesAreAuditedAndVerifyFindsAnEditOrADeletion() throws Exception {
        run("token", "create", "--name", "a", "--role", "viewer", "--data-dir", data.toString());
        run("token", "create", "--name", "b", "--role", "admin", "--data-dir", data.toString());
        run("token", "revoke", "a", "--data-dir", data.toString());
        Path file = data.resolve(AuditTrail.FILE);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(3);
        assertThat(JSON.readTree(lines.get(0)).get("action").asText()).isEqualTo("token.create");
        assertThat(JSON.readTree(lines.get(2)).get("action").asText()).isEqualTo("token.revoke");
        assertThat(JSON.readTree(lines.get(2)).get("role").asText()).isEqualTo("console");
        assertThat(JSON.readTree(lines.get(1)).get("prev").asText()).isEqualTo(TokenStore.sha256(lines.get(0)));

        CommandRun.Result ok = run("audit", "verify", "--data-dir", data.toString());
        assertThat(ok.code()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("3 entries").contains("intact");

        List<String> edited = new ArrayList<>(lines);
        edited.set(0, edited.get(0).replace("\"name\":\"a\"", "\"name\":\"z\""));
        assertThat(edited.get(0)).isNotEqualTo(lines.get(0));
        Files.write(file, edited, StandardCharsets.UTF_8);
        CommandRun.Result afterEdit = run("audit", "verify", "--data-dir", data.toString());
        assertThat(afterEdit.code()).isEqualTo(AuditCommand.EXIT_BROKEN);
        assertThat(afterEdit.out()).contains("broken at line 2").contains("line 1 was edited");

        List<String> deleted = new ArrayList<>(lines);
        deleted.remove(1);
        Files.write(file, deleted, StandardCharsets.UTF_8);
        CommandRun.Result afterDelete = run("audit", "verify", "--data-dir", data.toString());
        assertThat(afterDelete.code()).isEqualTo(AuditCommand.EXIT_BROKEN);
        assertThat(afterDelete.out()).contains("broken at line 2");

        Files.write(file, lines, StandardCharsets.UTF_8);
        assertThat(run("audit", "verify", "--data-dir", data.toString()).code()).isZero();
    }
}
