package dev.lossdoctor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import dev.lossdoctor.schemas.SchemaChecks;
import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.LossDoctorService;
import dev.lossdoctor.streams.LossDoctorTopology;
import dev.lossdoctor.testing.PrometheusScrape;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits that protect one instance, against a real broker: the run id length and metrics per
 * event (the parser's), the live runs it holds (past the cap the idlest are evicted and counted,
 * never a crash), and the per-run Prometheus series (capped, the rest counted).
 */
class LimitsIT {

    private static final int RUNS = 200;
    private static final int MAX_LIVE_RUNS = 40;
    private static final int MAX_RUN_GAUGES = 10;
    private static final int PARTITIONS = 2;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** A fresh broker for each test: each reuses the application id and topic names. */
    @RegisterExtension
    final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    @Test
    void shouldEvictTheIdlestRunsPastTheLiveRunCapCapThePerRunSeriesAndRejectOversizedIdsAndEvents() throws Exception {
        String app = "limits-test";
        Instant t = Instant.now().minusSeconds(60);
        String longestId = "r".repeat(EventParser.MAX_RUN_ID_LENGTH);
        String tooLongId = "r".repeat(EventParser.MAX_RUN_ID_LENGTH + 1);
        EmbeddedKafkaBroker broker = kafka.broker();
        try (Admin admin = Kafka.admin(broker.bootstrapServers())) {
            Map<String, String> s = new LinkedHashMap<>(ServiceKillIT.SETTINGS);
            s.put(AppConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            s.put(AppConfig.APPLICATION_ID, app);
            s.put(AppConfig.STATE_DIR, dir.toString());
            s.put(AppConfig.HTTP_HOST, "127.0.0.1");
            s.put(AppConfig.HTTP_PORT, "0");
            s.put(AppConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS));
            s.put(AppConfig.TOPIC_REPLICATION_FACTOR, "1");
            s.put(AppConfig.MAX_LIVE_RUNS, Integer.toString(MAX_LIVE_RUNS));
            s.put(AppConfig.MAX_RUN_GAUGES, Integer.toString(MAX_RUN_GAUGES));
            try (LossDoctorService service = LossDoctorService.start(AppConfig.of(s))) {
                assertThat(service.awaitRunning(Duration.ofSeconds(120))).isTrue();
                long sent = 0;
                try (KafkaProducer<String, byte[]> producer = Kafka.producer(broker.bootstrapServers(), Map.of())) {
                    for (int i = 0; i < RUNS; i++) { // one run after the other: the earliest are the idlest
                        String id = String.format(Locale.ROOT, "limit-run-%03d", i);
                        send(producer, id, started(id, t.plusMillis(i)));
                        send(producer, id, metrics(id, 1, 2, t.plusMillis(i)));
                        sent += 2;
                    }
                    send(producer, longestId, started(longestId, t));
                    send(producer, "metrics-256", metrics("metrics-256", 1, EventParser.MAX_METRICS, t));
                    sent += 2;
                    producer.flush();
                }
                // one over each limit: over the schema's too
                try (KafkaProducer<String, byte[]> poison = Kafka.poisonProducer(broker.bootstrapServers())) {
                    send(poison, tooLongId, started(tooLongId, t));
                    send(poison, "metrics-257", metrics("metrics-257", 1, EventParser.MAX_METRICS + 1, t));
                    sent += 2;
                    poison.flush();
                }
                Kafka.awaitCommitted(admin, app, sent, Duration.ofSeconds(120));

                PrometheusScrape scrape = PrometheusScrape.parse(get(service.httpPort(), "/metrics"));
                double held = scrape.sum("lossdoctor_runs");
                String local = get(service.httpPort(), "/runs?scope=local");
                System.out.printf("LimitsIT: lossdoctor_runs %.0f, in the store %d, evicted for capacity %.0f%n", held,
                        json(local).size(), scrape.require("lossdoctor_runs_evicted_total", "reason", "capacity"));
                // a task evicts only its own runs: one holding none when the instance is full may go one over
                int slack = PARTITIONS - 1;
                assertThat(held).as("runs held by the instance").isLessThanOrEqualTo(MAX_LIVE_RUNS + slack);
                assertThat(json(local).size()).as("runs in its store").isEqualTo((int) held);
                assertThat(scrape.require("lossdoctor_runs_evicted_total", "reason", "capacity")).as("evicted to stay under the cap")
                        .isGreaterThanOrEqualTo(RUNS + 2 - MAX_LIVE_RUNS - PARTITIONS + 1);
                Set<String> seriesRuns = scrape.samples().stream().filter(sample -> sample.name().startsWith("lossdoctor_run_"))
                        .map(sample -> sample.labels().get("run_id")).filter(java.util.Objects::nonNull).collect(Collectors.toSet());
                assertThat(seriesRuns).as("runs with per-run series").isNotEmpty().hasSizeLessThanOrEqualTo(MAX_RUN_GAUGES);
                assertThat(scrape.require("lossdoctor_run_gauges_dropped_total")).as("runs left without per-run series").isPositive();
                assertThat(service.streamsState()).isEqualTo(KafkaStreams.State.RUNNING);

                // eviction loses no output: every run was diagnosed; the oversized id and event went to the DLQ
                List<ConsumerRecord<String, byte[]>> diagnoses = Kafka.readCommitted(broker.bootstrapServers(), Kafka.DIAGNOSES,
                        RUNS + 2, Duration.ofSeconds(2), Duration.ofSeconds(60));
                Set<String> diagnosed = diagnoses.stream().map(ConsumerRecord::key).collect(Collectors.toSet());
                assertThat(diagnosed).hasSize(RUNS + 2).contains(longestId, "metrics-256").doesNotContain(tooLongId, "metrics-257");
                List<ConsumerRecord<String, byte[]>> dead = Kafka.readCommitted(broker.bootstrapServers(), Kafka.DLQ, 2,
                        Duration.ofSeconds(2), Duration.ofSeconds(60));
                assertThat(dead).extracting(r -> new String(r.headers().lastHeader(LossDoctorTopology.ERROR_REASON_HEADER).value(),
                        StandardCharsets.UTF_8)).containsExactlyInAnyOrder(
                        "run id of 257 characters is over the limit of 256", "more than 256 metrics in one event");
            }
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String key, String json) {
        producer.send(new ProducerRecord<>(Kafka.METRICS, key, json.getBytes(StandardCharsets.UTF_8)));
    }

    private static String started(String id, Instant at) {
        return "{\"type\":\"run_started\",\"run_id\":\"" + id + "\",\"timestamp\":\"" + at + "\",\"config\":{\"optimizer\":\"adam\"}}";
    }

    /** A metrics event with {@code n} metrics: the losses and {@code n - 2} more. */
    private static String metrics(String id, int epoch, int n, Instant at) {
        StringBuilder b = new StringBuilder("{\"run_id\":\"").append(id).append("\",\"epoch\":").append(epoch)
                .append(",\"timestamp\":\"").append(at.plusSeconds(epoch)).append("\",\"metrics\":{\"train_loss\":1.5,\"val_loss\":1.6");
        for (int i = 2; i < n; i++) {
            b.append(",\"extra_").append(i).append("\":").append(i);
        }
        return b.append("}}").toString();
    }

    private static JsonNode json(String body) {
        return Workload.reparse(body);
    }

    private static String get(int port, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        SchemaChecks.httpAnswer(path, r.statusCode(), r.body());
        return r.body();
    }
}
