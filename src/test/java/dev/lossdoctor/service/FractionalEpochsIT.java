package dev.lossdoctor.service;

import static dev.lossdoctor.service.ItSupport.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lossdoctor.cli.LossDoctor;
import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import dev.lossdoctor.schemas.Schemas;
import dev.lossdoctor.streams.DiagnosisEventSerde;
import dev.lossdoctor.streams.OfflineAnalysis;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real Hugging Face runs (the wild corpus: other people's published {@code trainer_state.json}
 * files and their conversion to events), whose epochs are fractional, through a real broker and the
 * service: every event accepted (nothing in the dead-letter topic), and the diagnoses those of
 * {@code analyze} on the same files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FractionalEpochsIT {

    private static final Path WILD = Path.of(System.getProperty("shared.dir", "../shared")).resolve("curves/wild");

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    private LossDoctorService service;
    private KafkaProducer<String, String> producer;

    @BeforeAll
    void start() throws Exception {
        assertThat(WILD.resolve("events")).as("the wild curves beside the project (-Dshared.dir=... names another place)")
                .isDirectory();
        service = LossDoctorService.start(ItSupport.config(kafka.broker(), Files.createTempDirectory("loss-doctor-frac-it-"), 2));
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

    @Test
    void shouldDiagnoseHuggingFaceEventsWithFractionalEpochsAsAnalyzeDoes() throws Exception {
        // overfitting from epoch 0.867 on; a run still learning at its end; an overfitting run of 15 evaluations
        List<Path> files = List.of(WILD.resolve("events/hf-012.jsonl"), WILD.resolve("events/hf-003.jsonl"),
                WILD.resolve("events/hf-080.jsonl"));
        long fractional = 0;
        for (Path file : files) {
            for (String line : OfflineAnalysis.lines(file)) {
                JsonNode event = Json.read(line);
                Schemas.assertValid(Schemas.METRICS, line);
                if (event.path("epoch").isNumber() && event.get("epoch").doubleValue() % 1 != 0) {
                    fractional++;
                }
                producer.send(new ProducerRecord<>("training-metrics", event.get("run_id").asText(), line));
            }
        }
        producer.flush();
        assertThat(fractional).as("events whose epoch is fractional").isGreaterThan(40);

        for (Path file : files) {
            List<DiagnosisEvent> expected = OfflineAnalysis.diagnoses(file);
            String runId = expected.get(0).runId();
            List<DiagnosisEvent> published = diagnosesOf(runId, expected.size());
            assertThat(OfflineAnalysis.json(published)).as(runId).isEqualTo(OfflineAnalysis.json(expected));
            assertThat(published).as(runId).allSatisfy(d -> assertThat(d.epoch() == null || d.epoch() >= 0).isTrue());
        }
        assertThat(diagnosesOf("hf-012", 3)).extracting(DiagnosisEvent::diagnosis).contains(Diagnosis.OVERFITTING);
        // the overfitting of hf-012 (labelled from epoch 0.867) is dated by the epoch it falls in and its step
        DiagnosisEvent overfitting = diagnosesOf("hf-012", 3).stream()
                .filter(d -> d.diagnosis() == Diagnosis.OVERFITTING).findFirst().orElseThrow();
        assertThat(overfitting.step()).isNotNull();
        assertThat(overfitting.epoch()).isNotNull();

        assertStatusesValid(Set.of("hf-012", "hf-003", "hf-080"));
        assertThat(deadLetters(Set.of("hf-012", "hf-003", "hf-080"))).as("records in the dead-letter topic").isEmpty();
    }

    @Test
    void shouldDiagnoseATrainerStatePublishedThroughTheStreamAsAnalyzeReadsIt() throws Exception {
        // publish reads the trainer_state.json as analyze does and sends its points as events
        Path file = WILD.resolve("raw/hf/hf-035.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = LossDoctor.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "publish", "--bootstrap-servers", kafka.broker().bootstrapServers(), file.toString());
        assertThat(code).as("publish: %s", err).isZero();
        assertThat(err.toString()).isEmpty();

        List<DiagnosisEvent> expected = OfflineAnalysis.diagnoses(file);
        assertThat(expected.size()).as("diagnosis changes of hf-035").isGreaterThan(3);
        List<DiagnosisEvent> published = diagnosesOf("hf-035", expected.size());
        // the log has no times: offline a diagnosis has none, in the stream the record's
        assertThat(published).allSatisfy(d -> assertThat(d.timestamp()).isNotNull());
        assertThat(withoutTimestamps(published)).isEqualTo(withoutTimestamps(expected));
        assertStatusesValid(Set.of("hf-035"));
        assertThat(deadLetters(Set.of("hf-035"))).as("records in the dead-letter topic").isEmpty();
    }

    /** The events' wire JSON text without their timestamps. */
    private static List<String> withoutTimestamps(List<DiagnosisEvent> events) {
        List<String> out = new ArrayList<>();
        for (DiagnosisEvent e : events) {
            ObjectNode n = Json.diagnosisNode(e);
            n.remove("timestamp");
            out.add(n.toString());
        }
        return out;
    }

    /** The run's diagnosis events, each checked against the topic's JSON Schema as it was read. */
    private List<DiagnosisEvent> diagnosesOf(String runId, int atLeast) {
        DiagnosisEventSerde serde = new DiagnosisEventSerde();
        return ItSupport.consume(kafka.broker(), "training-diagnoses", new ByteArrayDeserializer(),
                        records -> records.stream().filter(r -> r.key().equals(runId)).count() >= atLeast)
                .stream().filter(r -> r.key().equals(runId))
                .map(r -> {
                    Schemas.assertValid(Schemas.DIAGNOSES, r.value());
                    return serde.deserialize(r.topic(), r.value());
                })
                .toList();
    }

    /** Every status of the runs on the status topic is valid by its schema; at least one of each run. */
    private void assertStatusesValid(Set<String> runIds) {
        List<ConsumerRecord<String, byte[]>> statuses = ItSupport.consume(kafka.broker(), "training-run-status",
                new ByteArrayDeserializer(), records -> records.stream().map(ConsumerRecord::key).distinct()
                        .filter(runIds::contains).count() == runIds.size());
        statuses.stream().filter(r -> runIds.contains(r.key())).forEach(r -> Schemas.assertValid(Schemas.STATUS, r.value()));
    }

    /** The dead-letter records of the runs: the topic read from its start to its end. */
    private List<ConsumerRecord<String, byte[]>> deadLetters(Set<String> runIds) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.broker().bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor("training-metrics-dlq").stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records.stream().filter(r -> r.key() != null && runIds.contains(r.key())).toList();
    }
}
