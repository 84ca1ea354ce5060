package dev.lossdoctor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A command that fails on a bug: one line on stderr, exit code 1, the stack trace in the log only. */
class UnexpectedErrorTest {

    /** A command as the real ones are, that fails the way a bug does. */
    @Command(name = "explode")
    static final class Explode implements Callable<Integer> {

        @Option(names = "--times", defaultValue = "1")
        int times;

        @Override
        public Integer call() {
            throw new IllegalStateException("the window is empty\n  after 3 points");
        }
    }

    private final Logger logger = (Logger) LoggerFactory.getLogger(LossDoctor.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level level;

    @BeforeEach
    void recordTheLog() {
        level = logger.getLevel();
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void restoreTheLog() {
        logger.detachAppender(logged);
        logger.setLevel(level);
    }

    private record Result(int exitCode, String out, String err) {
    }

    private static Result execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LossDoctor.commandLine(new PrintWriter(out), new PrintWriter(err));
        cli.addSubcommand("explode", new Explode());
        cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err)); // again, for the command added after them
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void shouldPrintOneLineAndExitWith1OnABug() {
        logger.setLevel(Level.DEBUG);

        Result r = execute("explode");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines().toList())
                .containsExactly("loss-doctor: unexpected IllegalStateException in explode: the window is empty after 3 points");
        assertThat(r.out()).isEmpty();
        assertThat(logged.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(event.getFormattedMessage()).isEqualTo("loss-doctor: unexpected IllegalStateException in explode");
            assertThat(event.getThrowableProxy().getClassName()).isEqualTo(IllegalStateException.class.getName());
            assertThat(event.getThrowableProxy().getStackTraceElementProxyArray()).isNotEmpty();
        });
    }

    @Test
    void shouldKeepTheStackTraceOutOfTheLogUnlessAskedFor() {
        logger.setLevel(Level.INFO); // the shipped logback.xml's level for it

        Result r = execute("explode");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("\tat ").hasLineCount(1);
        assertThat(logged.list).isEmpty();
    }

    @Test
    void shouldStillExitWith2OnABadArgument() {
        Result r = execute("explode", "--times", "many");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("loss-doctor: Invalid value for option '--times': 'many' is not an int")
                .doesNotContain("\tat ");
        assertThat(logged.list).isEmpty();
    }

    @Test
    void shouldReportAUserErrorAsItsMessageWithItsExitCode() {
        StringWriter err = new StringWriter();

        int code = LossDoctor.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "analyze", "no/such/file.jsonl");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("loss-doctor: ").doesNotContain("unexpected").hasLineCount(1);
    }
}
