package dev.lossdoctor.service;

import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.streams.LossDoctorTopology;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: Kafka Streams with the Loss Doctor topology, the HTTP endpoints and the
 * metrics. {@link #start} returns once everything is started (the streams then join their group
 * and restore their stores: {@link #awaitRunning}); {@link #close} stops everything within seconds.
 */
public final class LossDoctorService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LossDoctorService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final AppConfig config;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DiagnosisMeters meters;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object runningLock = new Object();
    private JvmGcMetrics gcMetrics;
    private KafkaStreamsMetrics streamsMetrics;
    private HttpApi http;
    private KafkaStreams streams;
    private RunQueries queries;
    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
    private volatile boolean closed;

    private LossDoctorService(AppConfig config) {
        this.config = config;
        this.meters = new DiagnosisMeters(config.maxRunGauges());
    }

    /**
     * Creates the missing topics, starts the HTTP server and Kafka Streams.
     *
     * @throws StartupException when Kafka does not answer within the startup timeout or the HTTP port is taken
     */
    public static LossDoctorService start(AppConfig config) {
        LossDoctorService service = new LossDoctorService(config);
        try {
            service.startAll();
            return service;
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    private void startAll() {
        bindJvmMetrics();
        meters.bindTo(registry);
        Gauge.builder("lossdoctor.streams.running", this, s -> s.state == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while Kafka Streams is RUNNING, else 0").register(registry);

        TopicCreator.createMissing(config);

        http = HttpApi.start(config.httpHost(), config.httpPort(), this, registry);
        HostInfo self = new HostInfo(advertisedHost(), http.port());

        Topology topology = LossDoctorTopology.build(config.topologyConfig(meters));
        log.debug("Topology:\n{}", topology.describe());
        streams = new KafkaStreams(topology, config.streamsProperties(self.host() + ":" + self.port()));
        streams.setStateListener((now, before) -> {
            state = now;
            log.info("Kafka Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                synchronized (runningLock) {
                    runningLock.notifyAll();
                }
            }
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            log.error("A stream thread failed; replacing it", e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        queries = new RunQueries(streams, self, Duration.ofSeconds(5));
        streams.start();
        log.info("Loss Doctor started: reading {} from {}, HTTP on {}:{} (advertised as {})",
                config.topics().metrics().name(), config.bootstrapServers(), config.httpHost(), http.port(),
                self.host() + ":" + self.port());
    }

    private void bindJvmMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The host other instances reach this one at: configured, else the bind host, else this machine's name. */
    private String advertisedHost() {
        if (config.advertisedHost().isPresent()) {
            return config.advertisedHost().get();
        }
        String host = config.httpHost();
        if (!host.equals("0.0.0.0") && !host.equals("::") && !host.equals("[::]")) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** True while Kafka Streams is RUNNING (what {@code /health/ready} says). */
    public boolean isRunning() {
        return state == KafkaStreams.State.RUNNING;
    }

    /** Waits until Kafka Streams is RUNNING; false when the time ran out first. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (runningLock) {
            while (!isRunning()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || closed) {
                    return isRunning();
                }
                runningLock.wait(left);
            }
        }
        return true;
    }

    /** Blocks until Kafka Streams stops for good (an unrecoverable error, or {@link #close}). */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    public KafkaStreams.State streamsState() {
        return state;
    }

    /** Every run's current status, across all instances of the application. */
    public List<RunStatus> runs() {
        return queries().all();
    }

    /** A run's current status, from whichever instance holds it. */
    public Optional<RunStatus> run(String runId) {
        return queries().one(runId);
    }

    /** The port the HTTP server listens on (the configured one, or the free one picked for port 0). */
    public int httpPort() {
        return http.port();
    }

    public AppConfig config() {
        return config;
    }

    /** The registry {@code /metrics} serves, for callers that add meters of their own. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public DiagnosisMeters meters() {
        return meters;
    }

    RunQueries queries() {
        RunQueries q = queries;
        if (q == null) {
            throw new RunQueries.UnavailableException("the service is starting", null);
        }
        return q;
    }

    /** Stops HTTP, Kafka Streams (leaving the group, so another instance takes over at once) and the meters. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (runningLock) {
            runningLock.notifyAll();
        }
        if (http != null) {
            http.close();
        }
        if (streams != null) {
            boolean clean = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(CLOSE_TIMEOUT));
            if (!clean) {
                log.warn("Kafka Streams did not close within {}", Durations.format(CLOSE_TIMEOUT));
            }
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        if (gcMetrics != null) {
            gcMetrics.close();
        }
        registry.close();
        stopped.countDown();
        log.info("Loss Doctor stopped");
    }
}
