package dev.lossdoctor.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.demo.DemoCurves.Curve;
import java.io.StringReader;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class SimulatedTrainersTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @Test
    void shouldReplayEachRunInOrderKeyedByRunIdWithTimestampsOfTheReplay() throws Exception {
        List<Curve> curves = DemoCurves.read(new StringReader("""
                {"type":"run_started","run_id":"a","timestamp":"2026-01-05T09:00:00Z","config":{"optimizer":"sgd"}}
                {"type":"metrics","run_id":"a","epoch":1,"timestamp":"2026-01-05T09:00:01Z","metrics":{"train_loss":1.0,"val_loss":1.1}}
                {"type":"metrics","run_id":"b","epoch":1,"metrics":{"train_loss":NaN,"val_loss":2.0}}
                {"type":"metrics","run_id":"a","epoch":2,"timestamp":"2026-01-05T09:00:02Z","metrics":{"train_loss":0.9,"val_loss":1.0}}
                {"type":"run_finished","run_id":"a","epoch":2}
                {"type":"metrics","run_id":"b","epoch":2,"metrics":{"train_loss":3.0,"val_loss":null}}
                not json
                {"type":"metrics","epoch":2,"metrics":{"train_loss":3.0}}
                """));
        MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());

        try (SimulatedTrainers trainers = new SimulatedTrainers(producer, "training-metrics", curves, 1000, false,
                Clock.fixed(NOW, ZoneOffset.UTC))) {
            trainers.start();
            awaitDone(trainers);
            assertThat(trainers.sent()).isEqualTo(7);
            assertThat(trainers.acked()).isEqualTo(7);
            assertThat(trainers.runsFinished()).isEqualTo(2);
        }

        List<ProducerRecord<String, String>> sent = producer.history();
        assertThat(sent).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo("training-metrics");
            assertThat(r.timestamp()).isEqualTo(NOW.toEpochMilli());
            JsonNode event = DemoCurves.MAPPER.readTree(r.value());
            assertThat(event.get("run_id").asText()).isEqualTo(r.key());
            assertThat(event.get("timestamp").asText()).isEqualTo(NOW.toString());
        });
        assertThat(sent.stream().filter(r -> r.key().equals("a")).map(r -> json(r.value()))
                .map(e -> DemoCurves.type(e) + e.path("epoch").asText("")))
                .containsExactly("run_started", "metrics1", "metrics2", "run_finished2");
        // a run without a run_finished gets one, after its last epoch; NaN travels as the format allows
        List<String> b = sent.stream().filter(r -> r.key().equals("b")).map(ProducerRecord::value).toList();
        assertThat(b).hasSize(3);
        assertThat(b.get(0)).contains("\"train_loss\":\"NaN\"");
        assertThat(DemoCurves.MAPPER.readTree(b.get(2)).get("type").asText()).isEqualTo("run_finished");
        assertThat(DemoCurves.MAPPER.readTree(b.get(2)).get("epoch").asLong()).isEqualTo(2);
    }

    @Test
    void shouldPaceEpochsSoAPersonCanWatchAndScaleThePaceWithSpeed() throws Exception {
        List<Curve> curves = DemoCurves.read(new StringReader("""
                {"run_id":"a","epoch":1,"loss":1.0}
                {"run_id":"a","epoch":2,"loss":0.9}
                {"run_id":"a","epoch":3,"loss":0.8}
                {"run_id":"a","epoch":4,"loss":0.7}
                """));
        MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());

        long start = System.nanoTime();
        try (SimulatedTrainers trainers = new SimulatedTrainers(producer, "t", curves, 10, false, Clock.systemUTC())) {
            trainers.start();
            awaitDone(trainers);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        // 5 events, 4 gaps of 50 ms x 0.8 at the least (speed 10: 20 epochs/s)
        assertThat(producer.history()).hasSize(5);
        assertThat(millis).isGreaterThanOrEqualTo(160);
    }

    @Test
    void shouldReplayARunAgainUnderANewIdWhenLooping() throws Exception {
        List<Curve> curves = DemoCurves.read(new StringReader("""
                {"run_id":"a","epoch":1,"loss":1.0}
                """));
        MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());

        try (SimulatedTrainers trainers = new SimulatedTrainers(producer, "t", curves, 1000, true, Clock.systemUTC())) {
            trainers.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (trainers.runsFinished() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }

        assertThat(producer.history().stream().map(ProducerRecord::key).distinct().limit(3))
                .containsExactly("a", "a-r2", "a-r3");
    }

    @Test
    void shouldBundleSeveralRealRunsOfEachDiagnosis() {
        List<Curve> bundled = DemoCurves.bundled();

        assertThat(bundled).hasSizeGreaterThanOrEqualTo(16);
        assertThat(bundled).allSatisfy(c -> {
            assertThat(c.runId()).startsWith("demo-");
            assertThat(c.points()).isGreaterThanOrEqualTo(5);
        });
        for (String kind : List.of("learning", "converged", "overfit", "plateau", "dataissue", "diverge", "oscillate", "underfit")) {
            assertThat(bundled).filteredOn(c -> c.runId().startsWith("demo-" + kind + "-")).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    private static JsonNode json(String value) {
        try {
            return DemoCurves.MAPPER.readTree(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitDone(SimulatedTrainers trainers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!trainers.done() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(trainers.done()).as("replay finished").isTrue();
    }
}
