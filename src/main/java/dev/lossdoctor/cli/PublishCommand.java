package dev.lossdoctor.cli;

import dev.lossdoctor.publish.EventPublisher;
import dev.lossdoctor.publish.Pacing;
import dev.lossdoctor.publish.RunLogs;
import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code publish}: the logs {@code analyze} reads, sent to {@code training-metrics} as events. */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reads the training logs analyze reads and publishes them to Kafka as training events "
                + "(topic training-metrics, key = run id, so each run keeps its order on one partition): a backfill, "
                + "or a way to try the live service on your own runs.",
                "As fast as possible by default. With --speed X each run starts at once and keeps the pace of its own "
                        + "timestamps, X times faster; an event without a timestamp goes out right after the one before it "
                        + "in its run (a run with none goes out at once).",
                "Unusable lines are reported on stderr with file and line and skipped; one summary line on stdout.",
                "Kafka settings as for run: --config FILE (kafka.<property>), LOSSDOCTOR_BOOTSTRAP_SERVERS, "
                        + "LOSSDOCTOR_KAFKA_<PROPERTY>, -Dlossdoctor.<key>, then these flags. The producer is idempotent "
                        + "with acks=all whatever they say.",
                "Exit codes: 0 published; 1 Kafka unreachable or a record not delivered; 2 a bad argument or an "
                        + "unreadable file.",
                ""})
final class PublishCommand implements Callable<Integer> {

    static final String CLIENT_ID = "loss-doctor-publish";

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE_OR_DIR", description = "Log files, or directories of them.")
    List<Path> files;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers (default localhost:9092; env LOSSDOCTOR_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic to publish to (default training-metrics, as the service's metrics.topic).")
    String topic;

    @Option(names = "--speed", paramLabel = "X",
            description = "Replay each run at X times the pace of its timestamps (default: as fast as possible).")
    String speed;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file of settings, as for run (kafka.security.protocol=SSL, ...).")
    Path configFile;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "How long to wait for Kafka before giving up (default 30s, the service's startup.timeout).")
    String timeout;

    private volatile boolean stopping;

    @Override
    public Integer call() {
        Double pace = pace();
        AppConfig config = config();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RunLogs logs;
        try {
            logs = RunLogs.read(files, err::println);
        } catch (IOException e) {
            throw new LossDoctor.UserError(e.getMessage(), 2);
        }
        err.flush();
        if (logs.events().isEmpty()) {
            throw new LossDoctor.UserError("nothing to publish: no usable events in " + names(), 2);
        }
        if (pace != null) {
            Set<String> unpaced = Pacing.runsWithoutTimestamps(logs.events());
            if (!unpaced.isEmpty()) {
                err.println(unpaced.size() + " run(s) without timestamps go out unpaced: " + sample(unpaced));
                err.flush();
            }
        }
        List<Pacing.Timed> schedule = Pacing.schedule(logs.events(), pace);
        String topicName = config.topics().metrics().name();

        KafkaLogs quiet = KafkaLogs.quiet();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopping = true; // Ctrl-C: stop sending, deliver what was sent, say how far it got
            try {
                finished.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loss-doctor-publish-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            checkReachable(config);
            EventPublisher publisher;
            try {
                publisher = EventPublisher.connect(EventPublisher.producerProperties(config.bootstrapServers(), config.kafka(),
                        config.startupTimeout(), CLIENT_ID), topicName);
            } catch (KafkaException e) {
                throw new LossDoctor.UserError("can't create a Kafka producer: " + message(e), 2);
            }
            try {
                publisher.awaitTopic();
            } catch (KafkaException e) {
                publisher.close(Duration.ZERO);
                throw new LossDoctor.UserError("can't publish to " + topicName + " at " + config.bootstrapServers() + ": "
                        + message(e));
            }
            long started = System.nanoTime();
            RuntimeException sendError = null;
            try {
                Pacing.replay(schedule, publisher, () -> stopping || publisher.failed() > 0);
                publisher.flush();
            } catch (KafkaException e) {
                sendError = e;
            } finally {
                publisher.close(Duration.ofSeconds(5));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Exception failure = sendError != null ? sendError : publisher.firstError();
            if (failure != null) {
                throw new LossDoctor.UserError(String.format(Locale.ROOT, "%d of %d events not delivered to %s at %s: %s",
                        logs.events().size() - publisher.acked(), logs.events().size(), topicName, config.bootstrapServers(),
                        message(failure)));
            }
            out.println(summary(logs, publisher.acked(), topicName, config.bootstrapServers(), seconds, pace));
            out.flush();
            return 0;
        } finally {
            quiet.restore();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down (Ctrl-C): the hook is running and waits for us
            }
        }
    }

    private String summary(RunLogs logs, long acked, String topicName, String servers, double seconds, Double pace) {
        long total = logs.events().size();
        String what = acked == total ? String.format(Locale.ROOT, "published %d events of %d runs", total, logs.runs().size())
                : String.format(Locale.ROOT, "stopped: published %d of %d events of %d runs", acked, total, logs.runs().size());
        return String.format(Locale.ROOT, "%s from %d file(s) to %s at %s in %.2f s (%.0f events/s%s); %d unusable line(s) skipped",
                what, logs.files(), topicName, servers, seconds, acked / Math.max(seconds, 1e-9),
                pace == null ? "" : ", paced at " + format(pace) + "x", logs.problems());
    }

    /** {@code --speed}, read here rather than by picocli so that a bad one is one line, as every other bad argument. */
    private Double pace() {
        if (speed == null) {
            return null;
        }
        double x;
        try {
            x = Double.parseDouble(speed.trim());
        } catch (NumberFormatException e) {
            x = Double.NaN;
        }
        if (!(x > 0) || Double.isInfinite(x)) {
            throw new LossDoctor.UserError("--speed must be a positive number (10: ten times the pace of the timestamps), not '"
                    + speed + "'", 2);
        }
        return x;
    }

    /** The settings of {@code run}, from the same layers; only Kafka's and the topic's matter here. */
    private AppConfig config() {
        Map<String, String> flags = new LinkedHashMap<>();
        if (bootstrapServers != null) {
            flags.put(AppConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (topic != null) {
            flags.put(AppConfig.METRICS_TOPIC, topic);
        }
        if (timeout != null) {
            flags.put(AppConfig.STARTUP_TIMEOUT, timeout);
        }
        try {
            return AppConfig.load(configFile, System.getenv(), System.getProperties(), flags);
        } catch (IllegalArgumentException e) {
            throw new LossDoctor.UserError(e.getMessage(), 2);
        }
    }

    /** Fails in one line, before anything is sent, when no broker answers within the timeout. */
    private static void checkReachable(AppConfig config) {
        Duration timeout = config.startupTimeout();
        Admin admin;
        try {
            admin = Admin.create(config.adminProperties());
        } catch (KafkaException e) {
            throw new LossDoctor.UserError("can't create a Kafka client: " + message(e), 2);
        }
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())))
                    .nodes().get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new LossDoctor.UserError(cause instanceof org.apache.kafka.common.errors.TimeoutException || cause instanceof TimeoutException
                    ? "Kafka at " + config.bootstrapServers() + " did not answer within " + Durations.format(timeout)
                    : "can't connect to Kafka at " + config.bootstrapServers() + ": " + message(cause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LossDoctor.UserError("interrupted while connecting to Kafka at " + config.bootstrapServers());
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    private String names() {
        return String.join(" ", files.stream().map(Path::toString).toList());
    }

    private static String sample(Set<String> runs) {
        List<String> ids = List.copyOf(runs);
        return ids.size() <= 3 ? String.join(", ", ids) : String.join(", ", ids.subList(0, 3)) + " and " + (ids.size() - 3) + " more";
    }

    private static String format(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * The Kafka clients' own warnings (a broker not answering yet, retried a few times a second)
     * would bury the one line this command prints; they are turned down to errors while it runs.
     */
    private record KafkaLogs(ch.qos.logback.classic.Logger logger, ch.qos.logback.classic.Level previous) {

        static KafkaLogs quiet() {
            if (LoggerFactory.getLogger("org.apache.kafka") instanceof ch.qos.logback.classic.Logger l) {
                KafkaLogs saved = new KafkaLogs(l, l.getLevel());
                l.setLevel(ch.qos.logback.classic.Level.ERROR);
                return saved;
            }
            return new KafkaLogs(null, null);
        }

        void restore() {
            if (logger != null) {
                logger.setLevel(previous);
            }
        }
    }
}
