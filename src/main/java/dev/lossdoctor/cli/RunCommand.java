package dev.lossdoctor.cli;

import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.LossDoctorService;
import dev.lossdoctor.service.StartupException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run}: the service against a Kafka cluster, until Ctrl-C (or SIGTERM). */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the Loss Doctor service: reads training metrics from Kafka, publishes diagnoses and run "
                + "statuses, and serves /metrics, /health/live, /health/ready, /runs and /runs/{run_id}.",
                "",
                "Settings, each source over the one before it:",
                "  defaults < --config FILE < environment LOSSDOCTOR_<KEY>",
                "  < system properties -Dlossdoctor.<key> < these flags",
                "Kafka client and Streams settings pass through as kafka.<property>",
                "in the file and LOSSDOCTOR_KAFKA_<PROPERTY> in the environment,",
                "e.g. LOSSDOCTOR_KAFKA_SECURITY_PROTOCOL=SASL_SSL.",
                ""})
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file of settings: stall.after=45m, kafka.security.protocol=SSL, ...")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka brokers (default localhost:9092; env LOSSDOCTOR_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--application-id", paramLabel = "ID", description = "Kafka Streams application id: instances with the same id share the work (default loss-doctor).")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where the state stores live (default: Kafka Streams' own, under java.io.tmpdir).")
    String stateDir;

    @Option(names = "--http-host", paramLabel = "HOST", description = "Address the HTTP server binds (default 0.0.0.0).")
    String httpHost;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port (default 8080; 0: any free port).")
    String httpPort;

    @Option(names = "--advertised-host", paramLabel = "HOST", description = "Host other instances reach this one's HTTP server at (default: the bind host, or this machine's name).")
    String advertisedHost;

    @Option(names = "--metrics-topic", paramLabel = "TOPIC", description = "Input topic (default training-metrics).")
    String metricsTopic;

    @Option(names = "--diagnoses-topic", paramLabel = "TOPIC", description = "Diagnosis events topic (default training-diagnoses).")
    String diagnosesTopic;

    @Option(names = "--status-topic", paramLabel = "TOPIC", description = "Compacted run status topic (default training-run-status).")
    String statusTopic;

    @Option(names = "--dlq-topic", paramLabel = "TOPIC", description = "Dead-letter topic (default training-metrics-dlq).")
    String dlqTopic;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions of topics created at start (default: the broker's).")
    String partitions;

    @Option(names = "--replication-factor", paramLabel = "N", description = "Replication of topics created at start (default: the broker's).")
    String replicationFactor;

    @Option(names = "--stall-after", paramLabel = "DURATION", description = "An unfinished run silent this long is 'stalled' (default 30m; 30m, 1h, PT30M...).")
    String stallAfter;

    @Option(names = "--max-live-runs", paramLabel = "N", description = "Most runs one instance holds; past it the idlest are evicted (default 100000).")
    String maxLiveRuns;

    @Option(names = "--max-run-gauges", paramLabel = "N", description = "Most runs with per-run gauges on /metrics (default 200).")
    String maxRunGauges;

    @Override
    public Integer call() throws InterruptedException {
        AppConfig config;
        try {
            config = AppConfig.load(configFile, System.getenv(), System.getProperties(), flags());
        } catch (IllegalArgumentException e) {
            throw new LossDoctor.UserError(e.getMessage(), 2);
        }
        LossDoctorService service;
        try {
            service = LossDoctorService.start(config);
        } catch (StartupException e) {
            throw new LossDoctor.UserError(e.getMessage());
        }
        Thread hook = new Thread(service::close, "loss-doctor-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter err = spec.commandLine().getErr();
        err.printf("Loss Doctor is running: reading %s from %s; HTTP on port %d (/metrics, /health/ready, /runs). Ctrl-C stops it.%n",
                config.topics().metrics().name(), config.bootstrapServers(), service.httpPort());
        err.flush();
        service.awaitTermination();
        if (service.streamsState() == KafkaStreams.State.ERROR) {
            service.close();
            throw new LossDoctor.UserError("Kafka Streams stopped on an error (see the log above)");
        }
        return 0;
    }

    private Map<String, String> flags() {
        Map<String, String> f = new LinkedHashMap<>();
        put(f, AppConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        put(f, AppConfig.APPLICATION_ID, applicationId);
        put(f, AppConfig.STATE_DIR, stateDir);
        put(f, AppConfig.HTTP_HOST, httpHost);
        put(f, AppConfig.HTTP_PORT, httpPort);
        put(f, AppConfig.HTTP_ADVERTISED_HOST, advertisedHost);
        put(f, AppConfig.METRICS_TOPIC, metricsTopic);
        put(f, AppConfig.DIAGNOSES_TOPIC, diagnosesTopic);
        put(f, AppConfig.STATUS_TOPIC, statusTopic);
        put(f, AppConfig.DLQ_TOPIC, dlqTopic);
        put(f, AppConfig.TOPIC_PARTITIONS, partitions);
        put(f, AppConfig.TOPIC_REPLICATION_FACTOR, replicationFactor);
        put(f, AppConfig.STALL_AFTER, stallAfter);
        put(f, AppConfig.MAX_LIVE_RUNS, maxLiveRuns);
        put(f, AppConfig.MAX_RUN_GAUGES, maxRunGauges);
        return f;
    }

    private static void put(Map<String, String> flags, String key, String value) {
        if (value != null) {
            flags.put(key, value);
        }
    }
}
