package dev.lossdoctor.service;

import static dev.lossdoctor.service.ItSupport.WAIT;
import static dev.lossdoctor.service.ItSupport.get;
import static dev.lossdoctor.streams.Events.metrics;
import static dev.lossdoctor.streams.Events.runStarted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.Severity;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import dev.lossdoctor.streams.DiagnosisEventSerde;
import dev.lossdoctor.streams.LossDoctorTopology;
import dev.lossdoctor.streams.OfflineAnalysis;
import dev.lossdoctor.testing.PrometheusScrape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One service against a real in-process broker: real producers in, real read_committed consumers and HTTP out. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LossDoctorServiceIT {

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    private LossDoctorService service;
    private KafkaProducer<String, String> producer;
    private Path stateDir;

    @BeforeAll
    void start() throws Exception {
        stateDir = Files.createTempDirectory("loss-doctor-it-");
        service = LossDoctorService.start(ItSupport.config(kafka.broker(), stateDir, 2));
        assertThat(service.awaitRunning(WAIT)).as("Kafka Streams RUNNING").isTrue();
        producer = ItSupport.producer(kafka.broker());
    }

    @AfterAll
    void stop() {
        if (producer != null) {
            producer.close();
        }
        if (service != null) {
            service.close();
        }
    }

    private void send(String runId, String json) throws Exception {
        producer.send(new ProducerRecord<>("training-metrics", runId, json)).get();
    }

    /** The run's diagnosis events (each validated against the topic's JSON Schema as it was read: {@link ItSupport#consume}). */
    private List<DiagnosisEvent> diagnosesOf(String runId, int atLeast) {
        DiagnosisEventSerde serde = new DiagnosisEventSerde();
        return ItSupport.consume(kafka.broker(), "training-diagnoses", new ByteArrayDeserializer(),
                        records -> records.stream().filter(r -> r.key().equals(runId)).count() >= atLeast)
                .stream().filter(r -> r.key().equals(runId))
                .map(r -> serde.deserialize(r.topic(), r.value()))
                .toList();
    }

    @Test
    void shouldPublishTheDiagnosesOfARunSentByARealProducer() throws Exception {
        Instant t = Instant.now();
        send("it-sigmoid", runStarted("it-sigmoid", t, "{\"hidden_activation\":\"sigmoid\"}"));
        send("it-relu", runStarted("it-relu", t));

        assertThat(diagnosesOf("it-sigmoid", 1)).extracting(DiagnosisEvent::diagnosis, DiagnosisEvent::severity)
                .containsExactly(tuple(Diagnosis.MISCONFIGURED, Severity.WARNING));
        List<DiagnosisEvent> relu = diagnosesOf("it-relu", 1);
        assertThat(relu).extracting(DiagnosisEvent::runId, DiagnosisEvent::diagnosis, DiagnosisEvent::previous)
                .containsExactly(tuple("it-relu", Diagnosis.WARMING_UP, null));
        assertThat(relu.get(0).timestamp()).isEqualTo(t);
    }

    @Test
    void shouldPublishTheSameDiagnosesForARealRunAsTheOfflineAnalysis() throws Exception {
        List<String> lines = OfflineAnalysis.lines(OfflineAnalysis.OVERFITTING_RUN);
        String runId = Json.read(lines.get(0)).get("run_id").asText();
        List<DiagnosisEvent> expected = OfflineAnalysis.diagnoses(OfflineAnalysis.OVERFITTING_RUN);
        for (String line : lines) {
            producer.send(new ProducerRecord<>("training-metrics", runId, line));
        }
        producer.flush();

        List<DiagnosisEvent> published = diagnosesOf(runId, expected.size());

        assertThat(OfflineAnalysis.json(published)).isEqualTo(OfflineAnalysis.json(expected));
        assertThat(published).extracting(DiagnosisEvent::diagnosis).contains(Diagnosis.OVERFITTING);
    }

    @Test
    void shouldPublishDivergingWhenARealRunsLossTurnsNaN() throws Exception {
        Instant t = Instant.now();
        send("it-nan", runStarted("it-nan", t));
        send("it-nan", metrics("it-nan", 1, 2.3, 2.4, t.plusSeconds(1)));
        send("it-nan", metrics("it-nan", 2, Double.NaN, 2.4, t.plusSeconds(2)));

        List<DiagnosisEvent> events = diagnosesOf("it-nan", 2);
        assertThat(events).extracting(DiagnosisEvent::diagnosis, DiagnosisEvent::epoch)
                .containsExactly(tuple(Diagnosis.WARMING_UP, null), tuple(Diagnosis.DIVERGING, 2L));
        assertThat(events.get(1).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(ItSupport.metrics(service.httpPort()).require("lossdoctor_runs", "diagnosis", "diverging"))
                .isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void shouldAnswerRunsOverHttpFromTheStore() throws Exception {
        Instant t = Instant.now();
        String slashed = "team/exp 1+2";
        send("it-http", runStarted("it-http", t));
        send("it-http", metrics("it-http", 1, 0.9, 1.1, t.plusSeconds(1)));
        send(slashed, runStarted(slashed, t));
        await("it-http at epoch 1 on /runs/it-http").atMost(WAIT).ignoreExceptions()
                .until(() -> get(service.httpPort(), "/runs/it-http").body().contains("\"epoch\":1"));

        JsonNode run = Json.read(get(service.httpPort(), "/runs/it-http").body());
        assertThat(run.get("run_id").asText()).isEqualTo("it-http");
        assertThat(run.get("diagnosis").asText()).isEqualTo("warming_up");
        assertThat(run.get("train_loss").asDouble()).isEqualTo(0.9, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(run.get("points").asLong()).isEqualTo(1);

        await("the run with a slash in its id").atMost(WAIT).ignoreExceptions()
                .until(() -> get(service.httpPort(), "/runs/team%2Fexp%201%2B2").status() == 200);
        assertThat(Json.read(get(service.httpPort(), "/runs/team%2Fexp%201%2B2").body()).get("run_id").asText()).isEqualTo(slashed);

        ItSupport.Http unknown = get(service.httpPort(), "/runs/no-such-run");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(Json.read(unknown.body()).get("error").asText()).isEqualTo("no run 'no-such-run'");

        JsonNode all = Json.read(get(service.httpPort(), "/runs").body());
        assertThat(all.findValuesAsText("run_id")).contains("it-http", slashed);
        assertThat(service.runs()).extracting(RunStatus::runId).contains("it-http", slashed);
        Optional<RunStatus> viaApi = service.run("it-http");
        assertThat(viaApi).get().extracting(RunStatus::epoch).isEqualTo(1L);
    }

    @Test
    void shouldExposeDomainKafkaStreamsAndJvmMetricsForPrometheus() throws Exception {
        Instant t = Instant.now();
        send("it-misconfigured", runStarted("it-misconfigured", t, "{\"hidden_activation\":\"sigmoid\"}"));
        send("it-metrics", runStarted("it-metrics", t));
        send("it-metrics", metrics("it-metrics", 3, 0.7, 0.8, t.plusSeconds(1)));
        await("it-misconfigured on /runs").atMost(WAIT).ignoreExceptions()
                .until(() -> get(service.httpPort(), "/runs/it-misconfigured").status() == 200);
        await("it-metrics at epoch 3").atMost(WAIT).ignoreExceptions()
                .until(() -> get(service.httpPort(), "/runs/it-metrics").body().contains("\"epoch\":3"));

        ItSupport.Http response = get(service.httpPort(), "/metrics");
        String text = response.body();
        PrometheusScrape scrape = PrometheusScrape.parse(text);

        assertThat(response.status()).isEqualTo(200);
        assertThat(scrape.require("lossdoctor_events_total", "outcome", "accepted")).isGreaterThanOrEqualTo(2.0);
        assertThat(scrape.value("lossdoctor_events_total", "outcome", "rejected")).isPresent();
        assertThat(scrape.require("lossdoctor_diagnoses_total", "diagnosis", "misconfigured", "severity", "warning"))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(scrape.require("lossdoctor_runs", "diagnosis", "misconfigured")).isGreaterThanOrEqualTo(1.0);
        for (Diagnosis d : Diagnosis.values()) {
            assertThat(scrape.value("lossdoctor_runs", "diagnosis", d.code())).as("lossdoctor_runs for " + d.code()).isPresent();
        }
        assertThat(scrape.require("lossdoctor_processing_lag_seconds")).isBetween(-5.0, 60.0);
        assertThat(scrape.require("lossdoctor_run_train_loss", "run_id", "it-metrics")).isEqualTo(0.7, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(scrape.require("lossdoctor_run_val_loss", "run_id", "it-metrics")).isEqualTo(0.8, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(scrape.require("lossdoctor_run_epoch", "run_id", "it-metrics")).isEqualTo(3.0);
        assertThat(scrape.require("lossdoctor_run_diagnosis", "run_id", "it-misconfigured", "diagnosis", "misconfigured",
                "severity", "warning")).isEqualTo(1.0);
        String itsDiagnosis = service.run("it-metrics").orElseThrow().diagnosis().code();
        assertThat(scrape.require("lossdoctor_run_diagnosis", "run_id", "it-metrics", "diagnosis", itsDiagnosis)).isEqualTo(1.0);
        assertThat(scrape.samples("lossdoctor_run_diagnosis")).filteredOn(sample -> "it-metrics".equals(sample.labels().get("run_id")))
                .as("one diagnosis series per run: the current one").hasSize(1);
        assertThat(scrape.require("lossdoctor_run_gauges_dropped_total")).isEqualTo(0.0);
        assertThat(scrape.require("lossdoctor_streams_running")).isEqualTo(1.0);
        assertThat(text).contains("kafka_stream_").contains("jvm_memory_used_bytes").contains("process_cpu_usage");
    }

    @Test
    void shouldSendAPoisonPillToTheDeadLetterTopicAndKeepProcessing() throws Exception {
        Instant t = Instant.now();
        ItSupport.sendPoison(kafka.broker(), "it-poison", "{not json");
        send("it-after-poison", runStarted("it-after-poison", t));

        List<ConsumerRecord<String, byte[]>> dead = ItSupport.consume(kafka.broker(), "training-metrics-dlq", new ByteArrayDeserializer(),
                records -> records.stream().anyMatch(r -> "it-poison".equals(r.key())));
        ConsumerRecord<String, byte[]> pill = dead.stream().filter(r -> "it-poison".equals(r.key())).findFirst().orElseThrow();
        assertThat(new String(pill.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(new String(pill.headers().lastHeader(LossDoctorTopology.ERROR_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .startsWith("not JSON");
        assertThat(new String(pill.headers().lastHeader(LossDoctorTopology.ERROR_TOPIC_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("training-metrics");
        assertThat(pill.headers().lastHeader(LossDoctorTopology.ERROR_OFFSET_HEADER)).isNotNull();
        assertThat(diagnosesOf("it-after-poison", 1)).extracting(DiagnosisEvent::diagnosis).containsExactly(Diagnosis.WARMING_UP);
        assertThat(ItSupport.metrics(service.httpPort()).require("lossdoctor_events_total", "outcome", "rejected"))
                .isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void shouldBeLiveAndReadyWhileStreamsRun() {
        ItSupport.Http ready = get(service.httpPort(), "/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(Json.read(ready.body()).get("streams").asText()).isEqualTo("RUNNING");
        assertThat(get(service.httpPort(), "/health/live").status()).isEqualTo(200);
        assertThat(get(service.httpPort(), "/nope").status()).isEqualTo(404);
    }
}
