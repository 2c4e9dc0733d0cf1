package org.intravis.ui;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code intravis token create|list|revoke}: the bearer tokens of the data folder (docs/security.md). Once one exists,
 * the server asks every page, API call and WebSocket for one. A change takes effect in a running server within
 * seconds, and is written to the audit trail.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Create, list and revoke access tokens (viewer, operator, admin).",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand {

    /** The options every subcommand shares. */
    static class DataDir {
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "The server's data folder (default: intravis-data, as 'intravis run').")
        Path dataDir = Path.of(new IntravisConfig().dataDir);
    }

    static AuditTrail.Actor console() {
        return new AuditTrail.Actor(System.getProperty("user.name", "?"), "console", "console");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a token; it is printed once, as the last line, and only its hash is kept.")
    static final class Create extends DataDir implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "Who or what holds it (e.g. or3-display, dr-lee).")
        String name;

        @Option(names = "--role", required = true, description = "viewer, operator or admin.")
        String role;

        PrintStream out = System.out;

        @Override
        public Integer call() {
            Role r = Role.parse(role);
            TokenStore.Issued issued = new TokenStore(dataDir).create(name, r);
            new AuditTrail(dataDir).append(console(), null, "token.create",
                    java.util.Map.of("name", name, "role", r.id()));
            out.println("token '" + name + "' (" + r.id() + ") created in " + dataDir.resolve(TokenStore.FILE)
                    + "; it is shown only now:");
            out.println(issued.token());
            out.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tokens (never their secrets).")
    static final class ListTokens extends DataDir implements Callable<Integer> {
        PrintStream out = System.out;

        @Override
        public Integer call() {
            var tokens = new TokenStore(dataDir).list();
            if (tokens.isEmpty()) {
                out.println("no tokens in " + dataDir + ": the server is open, on loopback only");
            }
            for (TokenStore.Entry e : tokens) {
                out.printf("%-24s %-8s created %s%n", e.name(), e.role().id(), e.created());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by its name.")
    static final class Revoke extends DataDir implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The token's name.")
        String name;

        PrintStream out = System.out;

        @Override
        public Integer call() {
            if (!new TokenStore(dataDir).revoke(name)) {
                throw new UserError("no token named '" + name + "' in " + dataDir + " (intravis token list)");
            }
            new AuditTrail(dataDir).append(console(), null, "token.revoke", java.util.Map.of("name", name));
            out.println("token '" + name + "' revoked: its sessions end with their next request");
            out.flush();
            return 0;
        }
    }
}
