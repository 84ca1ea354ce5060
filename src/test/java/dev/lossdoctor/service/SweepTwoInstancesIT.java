package dev.lossdoctor.service;

import static dev.lossdoctor.streams.Events.metrics;
import static dev.lossdoctor.streams.Events.runStarted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Eight runs of one sweep, spread over the four partitions of two instances: each run's points
 * reach the sweep's task through the by-sweep-id repartition topic, and the verdict on the run
 * that lags comes back to whichever instance holds that run.
 */
class SweepTwoInstancesIT {

    private static final int PARTITIONS = 4;
    private static final String LAGGARD = "sweep-run-7";

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    @Test
    void shouldCallTheRunBehindItsSiblingsOnOtherPartitionsLagging() throws Exception {
        Set<Integer> partitions = new HashSet<>();
        for (int r = 0; r < 8; r++) { // the default partitioner's choice for these keys
            partitions.add(Utils.toPositive(Utils.murmur2(("sweep-run-" + r).getBytes())) % PARTITIONS);
        }
        assertThat(partitions).as("the siblings' partitions").hasSizeGreaterThan(1);

        try (LossDoctorService first = LossDoctorService.start(ItSupport.config(kafka.broker(),
                Files.createTempDirectory("loss-doctor-a-"), PARTITIONS));
             LossDoctorService second = LossDoctorService.start(ItSupport.config(kafka.broker(),
                     Files.createTempDirectory("loss-doctor-b-"), PARTITIONS))) {
            Instant t = Instant.now();
            // the siblings first, up to epoch 6, then the laggard: a sweep verdict is taken on the
            // run that reports, so the laggard must report once its siblings have (the partitions
            // otherwise run side by side, and one that runs ahead is compared with fewer siblings)
            try (KafkaProducer<String, String> producer = ItSupport.producer(kafka.broker())) {
                sendRuns(producer, t, 0, 7);
            }
            await("the siblings' epoch 6 held").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                for (int r = 0; r < 7; r++) {
                    JsonNode status = Json.read(ItSupport.get(first.httpPort(), "/runs/sweep-run-" + r).body());
                    if (status.get("epoch").asLong() != 6) {
                        return false;
                    }
                }
                return true;
            });
            try (KafkaProducer<String, String> producer = ItSupport.producer(kafka.broker())) {
                sendRuns(producer, t, 7, 8);
            }

            List<ConsumerRecord<String, String>> events = ItSupport.consume(kafka.broker(), "training-diagnoses",
                    new StringDeserializer(), rs -> rs.stream().anyMatch(r -> isLagging(r) && r.key().equals(LAGGARD)));
            JsonNode lagging = events.stream().filter(r -> isLagging(r) && r.key().equals(LAGGARD))
                    .map(r -> Json.read(r.value())).findFirst().orElseThrow();
            JsonNode evidence = lagging.get("evidence");
            assertThat(evidence.get("sweep_id").asText()).isEqualTo("it-sweep");
            assertThat(evidence.get("at_epoch").asLong()).isEqualTo(3); // max(3 epochs, 10% of 30)
            assertThat(evidence.get("siblings").asInt()).isEqualTo(7);
            assertThat(evidence.get("rank").asInt()).isEqualTo(8);
            assertThat(lagging.get("recommendations").get(0).asText()).startsWith("stop: 7 of 7 siblings were better at epoch 3");
            // the sweep's best run is never called lagging
            assertThat(events).filteredOn(SweepTwoInstancesIT::isLagging).extracting(ConsumerRecord::key)
                    .doesNotContain("sweep-run-0");

            // either instance answers for the run with its place among its siblings
            await("the laggard's status with its siblings").atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                for (LossDoctorService s : List.of(first, second)) {
                    JsonNode status = Json.read(ItSupport.get(s.httpPort(), "/runs/" + LAGGARD).body());
                    assertThat(status.get("diagnosis").asText()).isEqualTo("lagging");
                    assertThat(status.get("siblings").get("sweep_id").asText()).isEqualTo("it-sweep");
                    assertThat(status.get("siblings").get("rank").asInt()).isEqualTo(8);
                    assertThat(status.get("siblings").get("of").asInt()).isEqualTo(8);
                }
            });
        }
    }

    /** Runs {@code from} .. {@code to - 1} of the sweep: their start and epochs 1 to 6; run 7 learns from far higher. */
    private static void sendRuns(KafkaProducer<String, String> producer, Instant t, int from, int to) {
        for (int r = from; r < to; r++) {
            String run = "sweep-run-" + r;
            producer.send(new ProducerRecord<>("training-metrics", run,
                    runStarted(run, t, "{\"max_epochs\":30,\"sweep_id\":\"it-sweep\"}")));
        }
        for (int e = 1; e <= 6; e++) {
            for (int r = from; r < to; r++) {
                String run = "sweep-run-" + r;
                double offset = r == 7 ? 1.5 : 0.02 * r;
                producer.send(new ProducerRecord<>("training-metrics", run,
                        metrics(run, e, 0.2 + offset + 2.0 / e, 0.25 + offset + 2.0 / e, t.plusSeconds(e))));
            }
        }
        producer.flush();
    }

    private static boolean isLagging(ConsumerRecord<String, String> r) {
        return Json.read(r.value()).get("diagnosis").asText().equals("lagging");
    }
}
