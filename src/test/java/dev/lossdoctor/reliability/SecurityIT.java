package dev.lossdoctor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import dev.lossdoctor.schemas.SchemaChecks;
import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.LossDoctorService;
import dev.lossdoctor.service.StartupException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka over TLS with SASL/PLAIN, end to end, against an in-process broker with a SASL_SSL
 * listener (its keystore made here with the JDK's keytool): the service, configured through its
 * ordinary properties file ({@code kafka.security.protocol}, {@code kafka.sasl.*},
 * {@code kafka.ssl.truststore.*} passed through), reads a run and publishes its diagnosis. And the
 * HTTP side: {@code /runs} wants the bearer token, {@code /metrics} and {@code /health} do not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityIT {

    private static final String STORE_PASSWORD = "store-secret-1";
    private static final String SERVICE_PASSWORD = "service-secret-2";
    private static final String TRAINER_PASSWORD = "trainer-secret-3";
    private static final String HTTP_TOKEN = "http-token-4f1c9a";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Instant STARTED = Instant.now().minusSeconds(10);

    @TempDir
    static Path dir;

    /** The broker's key and the clients' truststore, made as the broker starts (before any {@code @BeforeAll}). */
    private static Path keys;
    private static Path truststore;

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension(SecurityIT::secureBroker);

    private LossDoctorService service;

    private static EmbeddedKafkaBroker secureBroker() {
        try {
            keys = Files.createTempDirectory("loss-doctor-security-it-");
            Path keystore = keys.resolve("broker.p12");
            truststore = keys.resolve("truststore.p12");
            makeKeys(keystore, keys.resolve("broker.crt"));
            return EmbeddedKafkaBroker.start(new EmbeddedKafkaBroker.SaslSslListener(keystore, STORE_PASSWORD,
                    Map.of("lossdoctor", SERVICE_PASSWORD, "trainer", TRAINER_PASSWORD)));
        } catch (Exception e) {
            throw new IllegalStateException("can't start the SASL_SSL broker: " + e.getMessage(), e);
        }
    }

    private static void makeKeys(Path keystore, Path cert) throws Exception {
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD,
                "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-keystore", truststore.toString(),
                "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
    }

    @BeforeAll
    void start() throws Exception {
        service = LossDoctorService.start(AppConfig.load(configFile("secure", SERVICE_PASSWORD), Map.of(), new Properties(), Map.of()));
        assertThat(service.awaitRunning(Duration.ofSeconds(120))).as("streams RUNNING over SASL_SSL").isTrue();
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.close();
        }
        try (var files = Files.walk(keys)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a few kilobytes left in the temp directory
        }
    }

    @Test
    void shouldDiagnoseARunOverTlsAndSaslPlainConfiguredThroughThePropertiesFile() throws Exception {
        assertThat(service.awaitRunning(Duration.ofSeconds(60))).isTrue();
        Instant t = STARTED;
        try (KafkaProducer<String, String> trainer = new KafkaProducer<>(clientProperties("trainer", TRAINER_PASSWORD),
                new StringSerializer(), SchemaChecks.sending(new StringSerializer()))) {
            trainer.send(new ProducerRecord<>("training-metrics", "secure-run", "{\"type\":\"run_started\",\"run_id\":\"secure-run\","
                    + "\"timestamp\":\"" + t + "\",\"config\":{\"hidden_activation\":\"sigmoid\"}}")).get(30, TimeUnit.SECONDS);
        }
        Properties c = clientProperties("trainer", TRAINER_PASSWORD);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "secure-reader-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        AtomicReference<JsonNode> read = new AtomicReference<>();
        try (KafkaConsumer<String, String> consumer = SchemaChecks.consumer(c, new StringDeserializer())) {
            consumer.subscribe(List.of("training-diagnoses"));
            await("the diagnosis, read over SASL_SSL").atMost(Duration.ofSeconds(60)).pollInSameThread()
                    .pollInterval(Duration.ofMillis(10)).until(() -> {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                            if (r.key().equals("secure-run")) {
                                read.set(Workload.reparse(r.value()));
                            }
                        }
                        return read.get() != null;
                    });
        }
        JsonNode diagnosis = read.get();
        assertThat(diagnosis.get("diagnosis").asText()).isEqualTo("misconfigured");
        assertThat(diagnosis.get("timestamp").asText()).isEqualTo(t.toString());
        assertThat(service.config().toString()).as("secrets stay out of the logged config")
                .doesNotContain(SERVICE_PASSWORD).doesNotContain(STORE_PASSWORD).doesNotContain(HTTP_TOKEN);
    }

    @Test
    void shouldAskForTheBearerTokenOnRunsButNotOnMetricsAndHealth() throws Exception {
        assertThat(service.awaitRunning(Duration.ofSeconds(60))).isTrue();
        int port = service.httpPort();
        HttpResponse<String> none = get(port, "/runs", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(get(port, "/runs", "Bearer not-the-token").statusCode()).isEqualTo(401);
        assertThat(get(port, "/runs/secure-run", null).statusCode()).isEqualTo(401);
        assertThat(get(port, "/runs", "Basic " + HTTP_TOKEN).statusCode()).isEqualTo(401);
        assertThat(get(port, "/runs", "Bearer " + HTTP_TOKEN).statusCode()).isEqualTo(200);
        assertThat(get(port, "/runs", "bearer " + HTTP_TOKEN).statusCode()).as("the scheme is case-insensitive").isEqualTo(200);

        assertThat(get(port, "/metrics", null).statusCode()).isEqualTo(200);
        assertThat(get(port, "/health/ready", null).statusCode()).isEqualTo(200);
        assertThat(get(port, "/health/live", null).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldForwardTheTokenWhenAnotherInstanceHoldsTheRun() throws Exception {
        shouldDiagnoseARunOverTlsAndSaslPlainConfiguredThroughThePropertiesFile(); // secure-run exists (sent again: no change)
        // a second instance of the same application: one partition, so one of the two holds every run
        AppConfig second = AppConfig.load(configFile("secure", SERVICE_PASSWORD), Map.of(), new Properties(), Map.of())
                .with(AppConfig.STATE_DIR, dir.resolve("state-second").toString());
        try (LossDoctorService other = LossDoctorService.start(second)) {
            assertThat(other.awaitRunning(Duration.ofSeconds(120))).isTrue();
            int[] answers = new int[2];
            await("secure-run from both instances").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> {
                        answers[0] = get(service.httpPort(), "/runs/secure-run", "Bearer " + HTTP_TOKEN).statusCode();
                        answers[1] = get(other.httpPort(), "/runs/secure-run", "Bearer " + HTTP_TOKEN).statusCode();
                        return answers[0] == 200 && answers[1] == 200;
                    });
            int first = answers[0];
            int viaOther = answers[1];
            assertThat(first).as("the run from the first instance").isEqualTo(200);
            assertThat(viaOther).as("the run from the second, one of them forwarding with the token").isEqualTo(200);
            assertThat(get(other.httpPort(), "/runs/secure-run", null).statusCode()).isEqualTo(401);
        }
        assertThat(service.awaitRunning(Duration.ofSeconds(60))).as("the first holds everything again").isTrue();
    }

    @Test
    void shouldRefuseToStartWithAWrongPasswordSayingWhy() throws Exception {
        AppConfig wrong = AppConfig.load(configFile("wrong", "not-the-password"), Map.of(), new Properties(), Map.of())
                .with(AppConfig.STARTUP_TIMEOUT, "20s");
        assertThatThrownBy(() -> LossDoctorService.start(wrong)).isInstanceOf(StartupException.class)
                .hasMessageContaining("Authentication failed");
    }

    private Path configFile(String name, String password) throws IOException {
        Path file = dir.resolve(name + ".properties");
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"lossdoctor\" password=\"" + password + "\";";
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.broker().secureBootstrapServers());
        p.put("application.id", "secure-" + name);
        p.put("state.dir", dir.resolve("state-" + name).toString());
        p.put("http.host", "127.0.0.1");
        p.put("http.port", "0");
        p.put("http.token", HTTP_TOKEN);
        p.put("topic.partitions", "1");
        p.put("topic.replication.factor", "1");
        p.put("kafka.security.protocol", "SASL_SSL");
        p.put("kafka.sasl.mechanism", "PLAIN");
        p.put("kafka.sasl.jaas.config", jaas);
        p.put("kafka.ssl.truststore.location", truststore.toString());
        p.put("kafka.ssl.truststore.password", STORE_PASSWORD);
        p.put("kafka.ssl.truststore.type", "PKCS12");
        p.put("kafka.commit.interval.ms", "100");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, null);
        }
        return file;
    }

    private Properties clientProperties(String user, String password) {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.broker().secureBootstrapServers());
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststore.toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, STORE_PASSWORD);
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return p;
    }

    private static HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        SchemaChecks.httpAnswer(r.uri(), r.statusCode(), r.body());
        return r;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }
}
