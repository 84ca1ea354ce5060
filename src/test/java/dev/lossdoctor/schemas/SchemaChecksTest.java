package dev.lossdoctor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The checks the integration tests' clients make as records pass: they let valid records through, and stop the rest. */
class SchemaChecksTest {

    private static final String EVENT = "{\"run_id\":\"r1\",\"epoch\":3,\"loss\":0.5,\"val_loss\":NaN}";
    private static final String DIAGNOSIS_WITHOUT_SUMMARY = "{\"run_id\":\"r1\",\"diagnosis\":\"learning\"}";

    @Test
    void shouldSendValidInputAndStopInvalidInputBeforeItLeaves() {
        Serializer<String> sending = SchemaChecks.sending(new StringSerializer());
        long before = SchemaChecks.counts().getOrDefault("training-metrics sent", 0L);

        assertThat(sending.serialize("training-metrics", new RecordHeaders(), EVENT)).isEqualTo(EVENT.getBytes(StandardCharsets.UTF_8));
        assertThat(SchemaChecks.counts()).containsEntry("training-metrics sent", before + 1);
        assertThatThrownBy(() -> sending.serialize("training-metrics", new RecordHeaders(), "{\"run_id\":\"r1\",\"epoch\":-1}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("training-metrics value does not match its schema");
        assertThatThrownBy(() -> sending.serialize("my-topic", new RecordHeaders(), EVENT))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no schema for topic 'my-topic'");
        assertThat(SchemaChecks.sending(Schemas.METRICS, new StringSerializer()).serialize("my-topic", new RecordHeaders(), EVENT))
                .isNotEmpty();
    }

    @Test
    void shouldReadValidOutputAndStopARecordThatBreaksItsSchema() {
        Deserializer<String> reading = SchemaChecks.reading(new StringDeserializer());

        assertThatThrownBy(() -> reading.deserialize("training-diagnoses", new RecordHeaders(),
                ByteBuffer.wrap(DIAGNOSIS_WITHOUT_SUMMARY.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(AssertionError.class).hasMessageContaining("training-diagnoses value does not match its schema");
        assertThatThrownBy(() -> reading.deserialize("training-run-status", new RecordHeaders(), (ByteBuffer) null))
                .isInstanceOf(AssertionError.class).hasMessageContaining("tombstone");
    }

    @Test
    void shouldReadADeadLetterOnlyWithTheHeadersThatSayWhy() {
        Deserializer<String> reading = SchemaChecks.reading(new StringDeserializer());
        RecordHeaders why = new RecordHeaders();
        why.add("lossdoctor.error.reason", "not JSON: x".getBytes(StandardCharsets.UTF_8));
        why.add("lossdoctor.error.topic", "training-metrics".getBytes(StandardCharsets.UTF_8));
        why.add("lossdoctor.error.partition", "0".getBytes(StandardCharsets.UTF_8));
        why.add("lossdoctor.error.offset", "17".getBytes(StandardCharsets.UTF_8));

        assertThat(reading.deserialize("training-metrics-dlq", why, "{not json".getBytes(StandardCharsets.UTF_8))).isEqualTo("{not json");
        assertThatThrownBy(() -> reading.deserialize("training-metrics-dlq", new RecordHeaders(), "{not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("training-metrics-dlq-headers");
    }

    @Test
    void shouldSendPoisonOnlyWhenTheSchemaRejectsIt() {
        Serializer<String> poisoning = SchemaChecks.poisoning(new StringSerializer());

        assertThatCode(() -> poisoning.serialize("training-metrics", new RecordHeaders(), "{not json")).doesNotThrowAnyException();
        assertThatCode(() -> SchemaChecks.poison(Schemas.METRICS, null)).doesNotThrowAnyException();
        assertThatThrownBy(() -> poisoning.serialize("training-metrics", new RecordHeaders(), EVENT))
                .isInstanceOf(AssertionError.class).hasMessageContaining("meant as unusable input, but valid");
    }

    @Test
    void shouldCheckTheRunsAnswersAndNothingElse() {
        String status = "{\"run_id\":\"r1\",\"diagnosis\":\"learning\"}"; // far from a whole status

        assertThatThrownBy(() -> SchemaChecks.httpAnswer("/runs", 200, "[" + status + "]"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("training-run-status");
        assertThatThrownBy(() -> SchemaChecks.httpAnswer("/runs/r1?scope=local", 200, status)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> SchemaChecks.httpAnswer("/runs", 200, status)).hasMessageContaining("array");
        assertThatCode(() -> {
            SchemaChecks.httpAnswer("/runs", 200, "[]");
            SchemaChecks.httpAnswer("/runs/r1", 404, "{\"error\":\"no run 'r1'\"}");
            SchemaChecks.httpAnswer("/runs/r1/chart.svg", 200, "<svg/>");
            SchemaChecks.httpAnswer("/metrics", 200, "# HELP");
        }).doesNotThrowAnyException();
    }
}
