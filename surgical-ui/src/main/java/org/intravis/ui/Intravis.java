package org.intravis.ui;

import org.intravis.capture.SourceUri;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code intravis}: the command line. Subcommands do the work; this class maps errors a user can fix to a
 * one-line message and exit code 2 (never a stack trace), and anything else to exit code 1.
 */
@Command(name = "intravis", mixinStandardHelpOptions = true, versionProvider = Intravis.Version.class,
        description = "Real-time intraoperative video analysis engine.",
        subcommands = {RunCommand.class, SourcesCommand.class, EvaluateCommand.class, ExportCommand.class,
                SendCommand.class, TokenCommand.class, AuditCommand.class, ServeInferenceCommand.class,
                AnalyzeCommand.class, BenchCommand.class, ExportModelCommand.class, CommandLine.HelpCommand.class})
public final class Intravis {
    public static final int EXIT_USER_ERROR = 2;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (tests call this rather than {@link #main}). */
    public static int execute(String... args) {
        LogSetup.apply();
        CommandLine cl = new CommandLine(new Intravis());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UserError) {
                commandLine.getErr().println("intravis: error: " + SourceUri.redact(e.getMessage()));
                return EXIT_USER_ERROR;
            }
            commandLine.getErr().println("intravis: failed: " + SourceUri.redact(String.valueOf(e)));
            e.printStackTrace(commandLine.getErr());
            return 1;
        });
        return cl.execute(args);
    }

    /** The version from the jar's manifest (the build sets it). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"intravis " + version()};
        }
    }

    public static String version() {
        String v = Intravis.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
