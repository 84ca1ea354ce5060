package dev.lossdoctor.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.schemas.SchemaChecks;
import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.LossDoctorService;
import dev.lossdoctor.testing.PrometheusScrape;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * For the integration tests: the in-process KRaft broker and Loss Doctor running on it, a
 * producer of training events, a reader of diagnoses, and a real Prometheus beside them. What the
 * clients send and read, and the service's {@code /runs} answers, are validated against the schemas.
 */
final class LiveService implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final EmbeddedKafkaBroker broker;
    final LossDoctorService service;
    /** Validates each value against the input schema as it sends it. */
    private final KafkaProducer<String, String> producer;
    /** For unusable input: checks that the schema rejects each value it sends. */
    private final KafkaProducer<String, String> poisoning;

    private LiveService(EmbeddedKafkaBroker broker, LossDoctorService service) {
        this.broker = broker;
        this.service = service;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), SchemaChecks.sending(new StringSerializer()));
        this.poisoning = new KafkaProducer<>(p, new StringSerializer(), SchemaChecks.poisoning(new StringSerializer()));
    }

    /** The service on {@code broker} (the test's {@code KafkaBrokerExtension}'s), RUNNING. */
    static LiveService start(EmbeddedKafkaBroker broker, Path stateDir) throws InterruptedException {
        LossDoctorService service = null;
        try {
            service = LossDoctorService.start(AppConfig.of(Map.of(
                    AppConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
                    AppConfig.APPLICATION_ID, "loss-doctor-it-" + UUID.randomUUID().toString().substring(0, 8),
                    AppConfig.STATE_DIR, stateDir.toString(),
                    AppConfig.HTTP_HOST, "127.0.0.1",
                    AppConfig.HTTP_PORT, "0",
                    // small commit interval: exactly-once output becomes visible quickly
                    "kafka.commit.interval.ms", "200")));
            if (!service.awaitRunning(Duration.ofSeconds(90))) {
                throw new IllegalStateException("Loss Doctor did not reach RUNNING: " + service.streamsState());
            }
            return new LiveService(broker, service);
        } catch (RuntimeException | InterruptedException e) {
            if (service != null) {
                service.close();
            }
            throw e;
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + service.httpPort();
    }

    void send(String runId, String json) {
        send(producer, runId, json);
    }

    /** Sends a value meant to be dead-lettered (the input schema rejects it too). */
    void sendPoison(String runId, String value) {
        send(poisoning, runId, value);
    }

    private static void send(KafkaProducer<String, String> producer, String runId, String value) {
        try {
            producer.send(new ProducerRecord<>("training-metrics", runId, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** GET; a {@code /runs} answer of the service is validated against the status schema ({@link SchemaChecks#httpAnswer}). */
    static HttpResponse<String> get(String url) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            SchemaChecks.httpAnswer(r.uri(), r.statusCode(), r.body());
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String scrape() {
        HttpResponse<String> r = get(baseUrl() + "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The metric names of a Prometheus text exposition. */
    static Set<String> metricNames(String exposition) {
        return new TreeSet<>(PrometheusScrape.parse(exposition).names());
    }

    /** Every diagnosis event of {@code runId} on training-diagnoses (read_committed), waiting until {@code until} holds. */
    List<String> diagnosesOf(String runId, Duration timeout, java.util.function.Predicate<List<String>> until) {
        return records("training-diagnoses", runId, timeout, until).stream().map(ConsumerRecord::value).toList();
    }

    /**
     * Every record of {@code key} on a topic (read_committed, from the start), waiting until {@code until}
     * holds; each validated against the topic's schemas as it is read.
     */
    List<ConsumerRecord<String, String>> records(String topic, String key, Duration timeout,
                                                 java.util.function.Predicate<List<String>> until) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = SchemaChecks.consumer(p, new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await(timeout, () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key())) {
                        records.add(r);
                        values.add(r.value());
                    }
                }
                return until.test(values);
            });
        }
        return records;
    }

    /**
     * Polls {@code condition} (in this thread, every 250 ms) until it holds or {@code timeout}
     * passes; whether it held, so that the caller's assertion can say what it saw.
     */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        try {
            Awaitility.await().atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250))
                    .until(condition::getAsBoolean);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        poisoning.close(Duration.ofSeconds(5));
        service.close();
    }

    /** A real Prometheus (Debian's /usr/bin/prometheus) scraping the service every second, with the project's rules. */
    static final class Prometheus implements AutoCloseable {
        final int port = freePort();
        private final Process process;
        private final Path log;

        Prometheus(Path dir, String target, Path rules) throws IOException, InterruptedException {
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, String.join("\n",
                    "global:",
                    "  scrape_interval: 1s",
                    "  evaluation_interval: 1s",
                    "rule_files:",
                    "  - " + rules.toAbsolutePath(),
                    "scrape_configs:",
                    "  - job_name: loss-doctor",
                    "    static_configs:",
                    "      - targets: [\"" + target + "\"]",
                    ""));
            log = dir.resolve("prometheus.log");
            process = new ProcessBuilder(DeployFiles.PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!await(Duration.ofSeconds(30), () -> process.isAlive() && ready())) {
                close();
                throw new IllegalStateException("Prometheus did not become ready:\n" + Files.readString(log));
            }
        }

        private boolean ready() {
            try {
                return get(url("/-/ready")).statusCode() == 200;
            } catch (IllegalStateException e) {
                return false;
            }
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return e.toString();
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
