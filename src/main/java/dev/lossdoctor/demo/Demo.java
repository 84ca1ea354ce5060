package dev.lossdoctor.demo;

import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.LossDoctorService;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's moving parts in one JVM: an embedded broker, the service against it, and the
 * simulated trainers publishing to it. Closed in the reverse order: trainers, service, broker.
 */
public final class Demo implements AutoCloseable {

    /**
     * @param stateDir where Kafka Streams keeps its stores (the caller deletes it)
     * @param curves what the trainers replay; empty: no trainers
     */
    public record Settings(int kafkaPort, String httpHost, int httpPort, Path stateDir, List<DemoCurves.Curve> curves,
                           double speed, boolean loop) {
    }

    /** The demo could not start; the message says why in one line. */
    public static final class StartFailure extends RuntimeException {
        StartFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Demo.class);

    private final EmbeddedKafkaBroker broker;
    private final LossDoctorService service;
    private final SimulatedTrainers trainers;
    private final String httpBase;

    private Demo(EmbeddedKafkaBroker broker, LossDoctorService service, SimulatedTrainers trainers, String httpBase) {
        this.broker = broker;
        this.service = service;
        this.trainers = trainers;
        this.httpBase = httpBase;
    }

    /** Starts broker, service and trainers; returns once the service has created its topics and started. */
    public static Demo start(Settings s) {
        EmbeddedKafkaBroker broker = null;
        LossDoctorService service = null;
        try {
            broker = EmbeddedKafkaBroker.start(s.kafkaPort());
            service = LossDoctorService.start(config(s, broker.bootstrapServers()));
            // the topics exist now: what the trainers send waits there until the streams are running
            SimulatedTrainers trainers = s.curves().isEmpty() ? null
                    : SimulatedTrainers.start(broker.bootstrapServers(), service.config().topics().metrics().name(), s.curves(),
                            s.speed(), s.loop());
            String host = s.httpHost().equals("0.0.0.0") || s.httpHost().equals("::") ? "127.0.0.1" : s.httpHost();
            return new Demo(broker, service, trainers, "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + service.httpPort());
        } catch (RuntimeException e) {
            closeQuietly(service);
            closeQuietly(broker);
            log.error("the demo could not start", e);
            throw new StartFailure("the demo could not start: " + e.getMessage(), e);
        }
    }

    /** The service's settings for the demo: this broker, a state dir of its own, exactly-once (the default). */
    static AppConfig config(Settings s, String bootstrapServers) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(AppConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        settings.put(AppConfig.APPLICATION_ID, "loss-doctor-demo");
        settings.put(AppConfig.STATE_DIR, s.stateDir().toString());
        settings.put(AppConfig.HTTP_HOST, s.httpHost());
        settings.put(AppConfig.HTTP_PORT, Integer.toString(s.httpPort()));
        settings.put(AppConfig.TOPIC_REPLICATION_FACTOR, "1");
        return AppConfig.of(settings);
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String metricsTopic() {
        return service.config().topics().metrics().name();
    }

    /** {@code http://host:port} of the service's endpoints. */
    public String httpBase() {
        return httpBase;
    }

    /** The runs' current statuses (the service's state store); none while the streams are not running. */
    public List<RunStatus> runs() {
        return service.isRunning() ? service.runs() : List.of();
    }

    /** Records the simulated trainers have sent (0 without trainers). */
    public long recordsSent() {
        return trainers == null ? 0 : trainers.sent();
    }

    public SimulatedTrainers trainers() {
        return trainers;
    }

    public LossDoctorService service() {
        return service;
    }

    @Override
    public void close() {
        closeQuietly(trainers);
        closeQuietly(service);
        closeQuietly(broker);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing {}", c.getClass().getSimpleName(), e);
        }
    }
}
