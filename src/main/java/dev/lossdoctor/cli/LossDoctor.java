package dev.lossdoctor.cli;

import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one executable: {@code loss-doctor run | demo | analyze | publish | bench}. */
@Command(name = "loss-doctor",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Watches training runs' loss curves and says what is wrong, since when, and what to do.",
        subcommands = {RunCommand.class, DemoCommand.class, AnalyzeCommand.class, PublishCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class LossDoctor implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LossDoctor.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code; errors are one line on stderr, never a stack trace. */
    public static int execute(String... args) {
        return execute(null, null, args);
    }

    /** As {@link #execute(String...)}, writing to {@code out} and {@code err} (null: stdout, stderr), for tests. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    /** The command line with every command, its setting flags and the error handling, before it runs. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new LossDoctor());
        RunCommand.addSettingFlags(cli.getSubcommands().get("run").getCommandSpec());
        DemoCommand.addSharedFlags(cli.getSubcommands().get("demo").getCommandSpec());
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        cli.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("loss-doctor: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        cli.setExecutionExceptionHandler(LossDoctor::failed);
        return cli;
    }

    /**
     * A command that threw: a problem the user can fix ({@link UserError}) is its message and its
     * exit code; anything else is a bug, said in one line (exit code 1) with its stack trace in the
     * log at DEBUG, which the console shows only when asked ({@code -Dloss-doctor.stack-traces=DEBUG}).
     */
    private static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        PrintWriter err = command.getErr();
        if (e instanceof UserError u) {
            err.println("loss-doctor: " + oneLine(e));
            err.flush();
            return u.exitCode();
        }
        String what = "unexpected " + e.getClass().getSimpleName() + " in " + command.getCommandName();
        log.debug("loss-doctor: {}", what, e);
        err.println("loss-doctor: " + what + ": " + oneLine(e));
        err.flush();
        return 1;
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replaceAll("\\s*\\R\\s*", " ");
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A problem the user can fix (a bad file, a port in use): reported in one line. */
    public static final class UserError extends RuntimeException {
        private final int exitCode;

        public UserError(String message) {
            this(message, 1);
        }

        public UserError(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }
}
