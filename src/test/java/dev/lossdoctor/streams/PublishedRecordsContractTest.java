package dev.lossdoctor.streams;

import static dev.lossdoctor.streams.Events.metrics;
import static dev.lossdoctor.streams.Events.runFinished;
import static dev.lossdoctor.streams.Events.runStarted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.schemas.Schemas;
import dev.lossdoctor.service.AppConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the topology publishes, record by record, against the contract: every value against its
 * topic's JSON Schema, the dead-letter headers against theirs, and the optional CloudEvents headers
 * (present with {@code cloudevents.headers=true}, absent by default).
 */
class PublishedRecordsContractTest {

    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, byte[]> diagnoses;
    private TestOutputTopic<String, byte[]> statuses;
    private TestOutputTopic<byte[], byte[]> dlq;

    private void start(TopologyConfig config) {
        start(config, stateDir.resolve("first"));
    }

    private void start(TopologyConfig config, Path dir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "loss-doctor-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        driver = new TopologyTestDriver(LossDoctorTopology.build(config), props, T0.plusSeconds(120));
        Topics topics = config.topics();
        input = driver.createInputTopic(topics.metrics().name(), new ByteArraySerializer(), new ByteArraySerializer());
        diagnoses = driver.createOutputTopic(topics.diagnoses().name(), new StringDeserializer(), new ByteArrayDeserializer());
        statuses = driver.createOutputTopic(topics.status().name(), new StringDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(topics.dlq().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(String key, String json, Instant at) {
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        byte[] v = json.getBytes(StandardCharsets.UTF_8);
        Schemas.assertValid(Schemas.METRICS, v);
        input.pipeInput(new TestRecord<>(k, v, new RecordHeaders(), at));
    }

    /** A real overfitting run, then a diverging one (NaN, written bare as Python does), each to its finish. */
    private void sendTwoRuns() {
        int i = 0;
        for (String line : OfflineAnalysis.lines(OfflineAnalysis.OVERFITTING_RUN)) {
            send("pc-031", line, T0.plusSeconds(i++));
        }
        send("r2", runStarted("r2", T0), T0);
        for (int epoch = 1; epoch <= 6; epoch++) {
            send("r2", metrics("r2", epoch, epoch < 6 ? 1.0 / epoch : Double.NaN, 1.2 / epoch, T0.plusSeconds(epoch)),
                    T0.plusSeconds(epoch));
        }
        send(null, runFinished("r2", 6, T0.plusSeconds(7)), T0.plusSeconds(7)); // no key: repartitioned by run_id
    }

    @Test
    void shouldPublishOnlyValuesThatMatchTheirTopicsSchemasAndNoHeadersByDefault() {
        start(TopologyConfig.defaults().withTopics(Topics.defaults()));

        sendTwoRuns();

        List<TestRecord<String, byte[]>> events = diagnoses.readRecordsToList();
        List<TestRecord<String, byte[]>> status = statuses.readRecordsToList();
        Set<String> codes = new HashSet<>();
        for (TestRecord<String, byte[]> r : events) {
            Schemas.assertValid(Schemas.DIAGNOSES, r.value());
            JsonNode event = Schemas.read(Schemas.DIAGNOSES, r.value());
            assertThat(event.get("run_id").asText()).isEqualTo(r.key());
            codes.add(event.get("diagnosis").asText());
            assertThat(r.headers().toArray()).as("off by default: no headers").isEmpty();
        }
        for (TestRecord<String, byte[]> r : status) {
            Schemas.assertValid(Schemas.STATUS, r.value());
            assertThat(Schemas.read(Schemas.STATUS, r.value()).has("curve")).as("the topic carries no curve").isFalse();
            assertThat(r.headers().toArray()).isEmpty();
        }
        System.out.printf("topology: %d diagnosis events and %d statuses valid%n", events.size(), status.size());
        assertThat(codes).contains("warming_up", "learning", "overfitting", "diverging");
        assertThat(status).hasSizeGreaterThan(events.size() / 2);
    }

    @Test
    void shouldSendRejectedRecordsToTheDeadLetterTopicWithHeadersThatMatchTheirSchema() {
        start(TopologyConfig.defaults());
        List<String> bad = List.of("not json", "{\"epoch\":1,\"loss\":0.5}", "{\"run_id\":\"" + "x".repeat(300) + "\",\"epoch\":1}",
                "{\"run_id\":\"r1\",\"epoch\":\"one\"}", "[]");
        RecordHeaders original = new RecordHeaders();
        original.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        for (String value : bad) {
            input.pipeInput(new TestRecord<>(null, value.getBytes(StandardCharsets.UTF_8), original, T0));
        }

        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(bad.size());
        for (int i = 0; i < dead.size(); i++) {
            TestRecord<byte[], byte[]> r = dead.get(i);
            Schemas.assertValid(Schemas.DLQ, r.value());
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo(bad.get(i));
            Schemas.assertValidHeaders(Schemas.DLQ_HEADERS, r.headers());
            ObjectNode headers = Schemas.headersJson(r.headers());
            assertThat(headers.get("trace-id").asText()).as("original headers kept").isEqualTo("abc");
            assertThat(headers.get(LossDoctorTopology.ERROR_TOPIC_HEADER).asText()).isEqualTo(Topics.METRICS);
            assertThat(headers.get(LossDoctorTopology.ERROR_OFFSET_HEADER).asText()).isEqualTo(Integer.toString(i));
        }
        assertThat(Schemas.headersJson(dead.get(1).headers()).get(LossDoctorTopology.ERROR_REASON_HEADER).asText())
                .isEqualTo("no run id (neither a record key nor run_id)");
        System.out.printf("training-metrics-dlq: %d dead letters with headers valid%n", dead.size());
    }

    @Test
    void shouldRejectDeadLetterHeadersWithoutAReason() {
        ObjectNode headers = Json.MAPPER.createObjectNode()
                .put(LossDoctorTopology.ERROR_TOPIC_HEADER, "training-metrics")
                .put(LossDoctorTopology.ERROR_PARTITION_HEADER, "0")
                .put(LossDoctorTopology.ERROR_OFFSET_HEADER, "12");
        assertThat(Schemas.errors(Schemas.DLQ_HEADERS, headers)).isNotEmpty();
        headers.put(LossDoctorTopology.ERROR_REASON_HEADER, "not JSON: x");
        assertThat(Schemas.errors(Schemas.DLQ_HEADERS, headers)).isEmpty();
        headers.put(LossDoctorTopology.ERROR_OFFSET_HEADER, "twelve");
        assertThat(Schemas.errors(Schemas.DLQ_HEADERS, headers)).isNotEmpty();
    }

    @Test
    void shouldPutCloudEventsHeadersInBinaryModeOnEveryPublishedRecordWhenEnabled() {
        AppConfig config = AppConfig.of(Map.of(AppConfig.CLOUDEVENTS_HEADERS, "true", AppConfig.APPLICATION_ID, "ld-prod"));
        start(config.topologyConfig(AnalysisMetrics.NONE));

        sendTwoRuns();

        List<TestRecord<String, byte[]>> events = diagnoses.readRecordsToList();
        List<TestRecord<String, byte[]>> status = statuses.readRecordsToList();
        Set<String> ids = new HashSet<>();
        for (TestRecord<String, byte[]> r : events) {
            Schemas.assertValidHeaders(Schemas.CLOUDEVENTS_HEADERS, r.headers());
            Schemas.assertValid(Schemas.DIAGNOSES, r.value()); // binary mode: the value is the plain event
            ObjectNode h = Schemas.headersJson(r.headers());
            JsonNode event = Schemas.read(Schemas.DIAGNOSES, r.value());
            assertThat(h.get("ce_type").asText()).isEqualTo("dev.lossdoctor.diagnosis.v1");
            assertThat(h.get("ce_source").asText()).isEqualTo("/loss-doctor/ld-prod");
            assertThat(h.get("ce_subject").asText()).isEqualTo(r.key());
            // the record's time (the input record's), not the clock: the event's own timestamp may differ from it
            assertThat(h.get("ce_time").asText()).isEqualTo(r.getRecordTime().toString());
            assertThat(h.get("ce_id").asText()).isEqualTo(r.key() + "/" + event.get("diagnosis").asText() + "/"
                    + (event.get("epoch").isNull() ? "-" : event.get("epoch").asText()) + "/"
                    + (event.get("step").isNull() ? "-" : event.get("step").asText()) + "/" + r.getRecordTime().toEpochMilli());
            assertThat(ids.add(h.get("ce_id").asText())).as("ids are unique").isTrue();
        }
        for (TestRecord<String, byte[]> r : status) {
            Schemas.assertValidHeaders(Schemas.CLOUDEVENTS_HEADERS, r.headers());
            assertThat(Schemas.headersJson(r.headers()).get("ce_type").asText()).isEqualTo("dev.lossdoctor.run_status.v1");
            assertThat(ids.add(Schemas.headersJson(r.headers()).get("ce_id").asText())).isTrue();
        }
        assertThat(events).isNotEmpty();
        List<String> firstIds = events.stream().map(r -> Schemas.headersJson(r.headers()).get("ce_id").asText()).toList();

        // reprocessing the same records (a fresh instance, no state) gives the same ids
        driver.close();
        driver = null;
        start(config.topologyConfig(AnalysisMetrics.NONE), stateDir.resolve("again"));
        sendTwoRuns();
        assertThat(diagnoses.readRecordsToList().stream().map(r -> Schemas.headersJson(r.headers()).get("ce_id").asText()).toList())
                .isEqualTo(firstIds);
    }

    @Test
    void shouldRefuseACloudEventsSettingThatIsNeitherTrueNorFalse() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AppConfig.of(Map.of(AppConfig.CLOUDEVENTS_HEADERS, "yes")))
                .hasMessageContaining("cloudevents.headers").hasMessageContaining("neither true nor false");
        assertThat(AppConfig.defaults().topologyConfig(AnalysisMetrics.NONE).cloudEvents().enabled()).isFalse();
    }
}
