package dev.lossdoctor.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.lossdoctor.demo.Demo;
import dev.lossdoctor.demo.DemoCurves;
import dev.lossdoctor.demo.LiveScreen;
import dev.lossdoctor.demo.LiveView;
import dev.lossdoctor.demo.Ports;
import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.ConfigKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code demo}: a broker, the service and simulated trainers in one JVM, and a live view of the runs. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs everything on this machine with nothing but Java: an embedded Kafka broker (KRaft), the "
                + "Loss Doctor service, and simulated trainers replaying real training curves through a Kafka producer. "
                + "Shows each run's epoch, loss sparklines, diagnosis and advice live; prints plain lines when the "
                + "output is not a terminal. Ctrl-C stops everything.",
                "Real trainers can publish to the printed Kafka address too (topic training-metrics)."})
final class DemoCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--kafka-port", defaultValue = "9092", paramLabel = "PORT",
            description = "Port of the embedded broker on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    /** The demo's own defaults for the settings it shares with {@code run}: loopback only. */
    static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    static final String DEFAULT_HTTP_PORT = "8080";

    /** From {@code --http-port} and {@code --http-host}, the flags of the settings it shares with {@code run}. */
    int httpPort;
    String httpHost;

    /** Adds the flags of the settings {@code demo} shares with {@code run}, from {@link ConfigKeys}, with the demo's defaults. */
    static void addSharedFlags(CommandSpec demo) {
        demo.addOption(shared(ConfigKeys.find(AppConfig.HTTP_PORT).orElseThrow(), int.class, DEFAULT_HTTP_PORT));
        demo.addOption(shared(ConfigKeys.find(AppConfig.HTTP_HOST).orElseThrow(), String.class, DEFAULT_HTTP_HOST));
    }

    private static OptionSpec shared(ConfigKeys.Key key, Class<?> type, String defaultValue) {
        return OptionSpec.builder(key.flag()).type(type).paramLabel(key.paramLabel()).defaultValue(defaultValue)
                .description(key.plainMeaning() + " (default: " + defaultValue + ")").build();
    }

    @Option(names = "--replay", paramLabel = "DIR|none",
            description = "What the simulated trainers replay: the curves bundled in the jar (default), your own logs in DIR "
                    + "(a file or directory, every format analyze and publish read, sent by publish's producer at the "
                    + "demo's watchable pace), or none (no simulated trainers: publish from real ones).")
    String replay;

    @Option(names = "--speed", defaultValue = "1", paramLabel = "FACTOR",
            description = "Replay speed: 1 (default) is about 2 epochs (or logged steps) per second per run, whatever the "
                    + "logs' own timestamps; 10 is ten times faster.")
    double speed;

    @Option(names = "--loop", description = "Replay the curves again (as new runs) each time they end.")
    boolean loop;

    @Option(names = "--plain", description = "Plain lines (a line per diagnosis change), even on a terminal.")
    boolean plain;

    @Option(names = "--duration", defaultValue = "0", paramLabel = "SECONDS",
            description = "Stop after this many seconds (default: run until Ctrl-C).")
    long durationSeconds;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        httpPort = spec.findOption(ConfigKeys.find(AppConfig.HTTP_PORT).orElseThrow().flag()).getValue();
        httpHost = spec.findOption(ConfigKeys.find(AppConfig.HTTP_HOST).orElseThrow().flag()).getValue();
        validate();
        List<DemoCurves.Curve> curves = curves();
        checkPorts();

        PrintWriter out = spec.commandLine().getOut();
        boolean terminal = !plain && System.console() != null;
        out.println("Starting Kafka on 127.0.0.1:" + kafkaPort + " and Loss Doctor on " + httpHost + ":" + httpPort + " …");
        out.flush();
        Path dir = Files.createTempDirectory("loss-doctor-demo-");
        Path logFile = dir.resolve("demo.log");
        LogRedirect logs = LogRedirect.to(logFile);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(15, TimeUnit.SECONDS); // the JVM exits when the hooks return: let the demo close first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loss-doctor-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean failed = true;
        boolean interrupted = false;
        try (Demo demo = Demo.start(new Demo.Settings(kafkaPort, httpHost, httpPort, dir.resolve("state"), curves, speed, loop))) {
            log.info("demo started: Kafka {}, HTTP {}, {} runs to replay", demo.bootstrapServers(), demo.httpBase(),
                    curves.size());
            List<String> header = LiveView.header(demo.bootstrapServers(), demo.metricsTopic(), demo.httpBase(), terminal);
            try (LiveScreen screen = new LiveScreen(out, terminal, header, demo::runs, demo::recordsSent)) {
                screen.start();
                interrupted = !awaitStop(stop, started);
            }
            failed = false;
        } catch (Demo.StartFailure e) {
            throw new LossDoctor.UserError(e.getMessage() + " (details in " + keep(logFile) + ")");
        } finally {
            logs.restore();
            if (!failed) {
                delete(dir);
            }
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down (Ctrl-C): the hook is running and waits for us
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return 0;
    }

    /**
     * Waits for Ctrl-C, the end of {@code --duration} (counted from the command's start) or an
     * interrupt (an embedding caller's stop); false for the interrupt, which is kept for after the
     * clean close, since Kafka's clients close badly on an interrupted thread.
     */
    private boolean awaitStop(CountDownLatch stop, long started) {
        try {
            if (durationSeconds > 0) {
                stop.await(TimeUnit.SECONDS.toNanos(durationSeconds) - (System.nanoTime() - started), TimeUnit.NANOSECONDS);
            } else {
                stop.await();
            }
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private void validate() {
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new ParameterException(spec.commandLine(), "--speed must be a positive number, not " + speed);
        }
        for (int port : new int[] {kafkaPort, httpPort}) {
            if (port < 1 || port > 65535) {
                throw new ParameterException(spec.commandLine(), "a port is a number from 1 to 65535, not " + port);
            }
        }
        if (kafkaPort == httpPort) {
            throw new ParameterException(spec.commandLine(), "--kafka-port and --http-port must differ");
        }
        if (durationSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--duration must be 0 (forever) or more seconds");
        }
    }

    private List<DemoCurves.Curve> curves() {
        if (replay == null) {
            return DemoCurves.bundled();
        }
        if (replay.equals("none")) {
            return List.of();
        }
        PrintWriter err = spec.commandLine().getErr();
        long[] problems = {0};
        List<DemoCurves.Curve> curves;
        try {
            curves = DemoCurves.fromLogs(List.of(Path.of(replay)), problem -> {
                problems[0]++;
                err.println(problem);
            });
        } catch (IOException e) {
            throw new LossDoctor.UserError("--replay " + e.getMessage(), 2);
        }
        if (problems[0] > 0) {
            err.println(problems[0] + " unusable line(s) skipped");
        }
        err.flush();
        return curves;
    }

    /** Before anything starts: a port in use is one line naming it. */
    private void checkPorts() {
        if (!Ports.isFree("127.0.0.1", kafkaPort)) {
            throw new LossDoctor.UserError("port " + kafkaPort + " is already in use (try --kafka-port)");
        }
        if (!Ports.isFree(httpHost, httpPort)) {
            throw new LossDoctor.UserError("port " + httpPort + " is already in use (try --http-port)");
        }
    }

    /** Copies the log out of the temp dir (which goes away) so the user can read it. */
    private static Path keep(Path logFile) {
        try {
            Path kept = Files.createTempFile("loss-doctor-demo-", ".log");
            Files.copy(logFile, kept, StandardCopyOption.REPLACE_EXISTING);
            delete(logFile.getParent());
            return kept;
        } catch (IOException e) {
            return logFile;
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.debug("could not delete {}", dir, e);
        }
    }

    /** Sends the logs to a file while the demo runs (nothing over the live view), then back to the usual config. */
    private record LogRedirect(LoggerContext context) {

        static LogRedirect to(Path file) {
            if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
                return new LogRedirect(null);
            }
            context.reset();
            context.putProperty("DEMO_LOG", file.toString());
            JoranConfigurator config = new JoranConfigurator();
            config.setContext(context);
            try {
                config.doConfigure(DemoCommand.class.getResource("/demo/logback-demo.xml"));
            } catch (JoranException e) {
                // logging stays off rather than over the view
            }
            return new LogRedirect(context);
        }

        void restore() {
            if (context == null) {
                return;
            }
            context.reset();
            try {
                new ContextInitializer(context).autoConfig();
            } catch (JoranException e) {
                // nothing sensible to log to
            }
        }
    }
}
