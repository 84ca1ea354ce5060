package dev.lossdoctor.service;

import static dev.lossdoctor.service.ItSupport.get;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two instances of one application on a four-partition topic: they share the runs, and either answers for any run. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoInstancesIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int RUNS = 12;

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    private LossDoctorService first;
    private LossDoctorService second;
    private final List<String> runIds = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        first = LossDoctorService.start(ItSupport.config(kafka.broker(), Files.createTempDirectory("loss-doctor-a-"), 4));
        second = LossDoctorService.start(ItSupport.config(kafka.broker(), Files.createTempDirectory("loss-doctor-b-"), 4));
        Instant t = Instant.now();
        try (KafkaProducer<String, String> producer = ItSupport.producer(kafka.broker())) {
            for (int i = 0; i < RUNS; i++) {
                String runId = "shared-run-" + i;
                runIds.add(runId);
                producer.send(new ProducerRecord<>("training-metrics", runId, runStarted(runId, t)));
                producer.send(new ProducerRecord<>("training-metrics", runId, metrics(runId, 1, 1.0 + i, 2.0 + i, t.plusSeconds(1))));
            }
            producer.flush();
        }
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {second, first}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the others
            }
        }
    }

    private static Set<String> runIdsOn(LossDoctorService service, String query) {
        JsonNode runs = Json.read(get(service.httpPort(), "/runs" + query).body());
        return new HashSet<>(runs.findValuesAsText("run_id"));
    }

    @Test
    void shouldShareTheRunsAndAnswerForAnyRunFromEitherInstance() {
        await("both instances RUNNING and holding all " + RUNS + " runs between them").atMost(WAIT).ignoreExceptions().until(() ->
                first.isRunning() && second.isRunning()
                        && runIdsOn(first, "?scope=local").size() + runIdsOn(second, "?scope=local").size() == RUNS);

        Set<String> onFirst = runIdsOn(first, "?scope=local");
        Set<String> onSecond = runIdsOn(second, "?scope=local");
        assertThat(onFirst).as("each instance holds some runs").isNotEmpty();
        assertThat(onSecond).as("each instance holds some runs").isNotEmpty();
        assertThat(onFirst).as("and no run is held twice").doesNotContainAnyElementsOf(onSecond);

        assertThat(runIdsOn(first, "")).as("/runs on the first lists every run").containsExactlyInAnyOrderElementsOf(runIds);
        assertThat(runIdsOn(second, "")).as("/runs on the second lists every run").containsExactlyInAnyOrderElementsOf(runIds);
        for (String runId : runIds) {
            for (LossDoctorService service : List.of(first, second)) {
                ItSupport.Http answer = get(service.httpPort(), "/runs/" + runId);
                assertThat(answer.status()).as("GET /runs/%s on port %d", runId, service.httpPort()).isEqualTo(200);
                JsonNode status = Json.read(answer.body());
                assertThat(status.get("run_id").asText()).isEqualTo(runId);
                assertThat(status.get("epoch").asLong()).isEqualTo(1);
                int i = Integer.parseInt(runId.substring("shared-run-".length()));
                assertThat(status.get("train_loss").asDouble()).isEqualTo(1.0 + i);
            }
            assertThat(first.run(runId)).as("the Java API agrees").isPresent();
        }
    }
}
