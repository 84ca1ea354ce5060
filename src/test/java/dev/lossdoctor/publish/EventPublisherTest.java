package dev.lossdoctor.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunConfig;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import dev.lossdoctor.streams.TrainingEventSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EventPublisherTest {

    private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void shouldPassProducerSettingsThroughAndKeepIdempotenceAndAcksAll() {
        Properties p = EventPublisher.producerProperties("k1:9093,k2:9093", Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "compression.type", "gzip",
                "producer.compression.type", "zstd",      // Kafka Streams' prefix for its producers wins
                "acks", "1",                              // order and no duplicates depend on these two
                "enable.idempotence", "false",
                "commit.interval.ms", "100",              // Kafka Streams' own: not a producer's
                "consumer.max.poll.records", "10"), Duration.ofSeconds(7), "me");

        assertThat(p).containsEntry("bootstrap.servers", "k1:9093,k2:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("compression.type", "zstd")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("max.block.ms", "7000")
                .containsEntry("client.id", "me")
                .doesNotContainKeys("commit.interval.ms", "consumer.max.poll.records", "max.poll.records");
    }

    @Test
    void shouldKeyEachEventByItsRunIdAndWriteTheFormTheStreamParses() {
        MockProducer<String, TrainingEvent> producer = new MockProducer<>(true, null, new StringSerializer(), new TrainingEventSerde());
        TrainingEvent started = new RunStarted("r1", T, new RunConfig("adam", 0.001, 32, "classification", "cross_entropy",
                "softmax", "relu", 100, 10, "resnet18", "cifar10"));
        TrainingEvent point = new MetricsReported("r2", 12L, 4800L, null, Map.of("train_loss", 0.51, "val_loss", Double.NaN));

        try (EventPublisher publisher = new EventPublisher(producer, "training-metrics")) {
            publisher.send(started, null);
            publisher.send(point, 1234L);
            publisher.flush();
            assertThat(publisher.sent()).isEqualTo(2);
            assertThat(publisher.acked()).isEqualTo(2);
            assertThat(publisher.failed()).isZero();
        }

        assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("r1", "r2");
        assertThat(producer.history().get(1).timestamp()).isEqualTo(1234L);
        EventParser parser = new EventParser();
        for (ProducerRecord<String, TrainingEvent> r : producer.history()) {
            byte[] wire = new TrainingEventSerde().serialize(r.topic(), r.value());
            assertThat(parser.parse(r.key(), wire, null)).isEqualTo(new ParseResult.Accepted(r.value()));
        }
    }

    @Test
    void shouldCountAnEventTheBrokerRefusedAndKeepItsError() {
        MockProducer<String, TrainingEvent> producer = new MockProducer<>(false, null, new StringSerializer(), new TrainingEventSerde());
        EventPublisher publisher = new EventPublisher(producer, "t");

        publisher.send(new MetricsReported("r", 1L, null, T, Map.of("train_loss", 1.0)), null);
        publisher.send(new MetricsReported("r", 2L, null, T, Map.of("train_loss", 0.9)), null);
        producer.completeNext();
        producer.errorNext(new org.apache.kafka.common.errors.NotEnoughReplicasException("only 1 of 3 in sync"));

        assertThat(publisher.acked()).isEqualTo(1);
        assertThat(publisher.failed()).isEqualTo(1);
        assertThat(publisher.firstError()).hasMessage("only 1 of 3 in sync");
    }
}
