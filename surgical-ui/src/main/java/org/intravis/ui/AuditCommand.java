package org.intravis.ui;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code intravis audit verify}: checks the audit trail's hash chain and says which line breaks it. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Check the audit trail.",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand {
    /** Exit status of a broken chain (2 stays the user-error status). */
    static final int EXIT_BROKEN = 3;

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Walk the audit trail's hash chain: exit 0 when intact, " + EXIT_BROKEN
                    + " and the first broken line when an entry was edited or deleted.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "The server's data folder (default: intravis-data, as 'intravis run').")
        Path dataDir = Path.of(new IntravisConfig().dataDir);

        PrintStream out = System.out;

        @Override
        public Integer call() throws Exception {
            AuditTrail trail = new AuditTrail(dataDir);
            AuditTrail.Check c = trail.verify();
            if (c.intact()) {
                out.println(trail.file() + ": " + c.entries() + " entries, chain intact; head " + c.head()
                        + " (keep it to detect a deletion at the end later)");
                out.flush();
                return 0;
            }
            out.println(trail.file() + ": broken at line " + c.brokenLine() + ": " + c.problem());
            out.flush();
            return EXIT_BROKEN;
        }
    }
}
