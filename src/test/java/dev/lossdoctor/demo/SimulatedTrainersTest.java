package dev.lossdoctor.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.demo.DemoCurves.Curve;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.streams.TrainingEventSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

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
        MockProducer<String, TrainingEvent> producer = new MockProducer<>(true, null, new StringSerializer(), new TrainingEventSerde());

        try (SimulatedTrainers trainers = new SimulatedTrainers(producer, "training-metrics", curves, 1000, false,
                Clock.fixed(NOW, ZoneOffset.UTC))) {
            trainers.start();
            awaitDone(trainers);
            assertThat(trainers.sent()).isEqualTo(7);
            assertThat(trainers.acked()).isEqualTo(7);
            assertThat(trainers.runsFinished()).isEqualTo(2);
        }

        List<ProducerRecord<String, TrainingEvent>> sent = producer.history();
        assertThat(sent).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo("training-metrics");
            assertThat(r.timestamp()).isEqualTo(NOW.toEpochMilli());
            assertThat(r.value().runId()).isEqualTo(r.key());
            assertThat(r.value().timestamp()).isEqualTo(NOW);
            JsonNode wire = json(r);
            assertThat(wire.get("run_id").asText()).isEqualTo(r.key());
            assertThat(wire.get("timestamp").asText()).isEqualTo(NOW.toString());
        });
        assertThat(sent.stream().filter(r -> r.key().equals("a")).map(SimulatedTrainersTest::json)
                .map(e -> e.get("type").asText() + e.path("epoch").asText("")))
                .containsExactly("run_started", "metrics1", "metrics2", "run_finished2");
        assertThat(((RunStarted) sent.get(0).value()).config().optimizer()).isEqualTo("sgd");
        // a run without a run_finished gets one, after its last epoch; NaN travels as the format allows
        List<ProducerRecord<String, TrainingEvent>> b = sent.stream().filter(r -> r.key().equals("b")).toList();
        assertThat(b).hasSize(3);
        assertThat(wire(b.get(0))).contains("\"train_loss\":\"NaN\"");
        assertThat(((MetricsReported) b.get(0).value()).metrics().get("train_loss")).isNaN();
        assertThat(b.get(2).value()).isInstanceOfSatisfying(RunFinished.class, f -> {
            assertThat(f.epoch()).isEqualTo(2);
            assertThat(f.status()).isEqualTo("completed");
        });
    }

    @Test
    void shouldPaceEpochsSoAPersonCanWatchAndScaleThePaceWithSpeed() throws Exception {
        List<Curve> curves = DemoCurves.read(new StringReader("""
                {"run_id":"a","epoch":1,"loss":1.0}
                {"run_id":"a","epoch":2,"loss":0.9}
                {"run_id":"a","epoch":3,"loss":0.8}
                {"run_id":"a","epoch":4,"loss":0.7}
                """));
        MockProducer<String, TrainingEvent> producer = new MockProducer<>(true, null, new StringSerializer(), new TrainingEventSerde());

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
        MockProducer<String, TrainingEvent> producer = new MockProducer<>(true, null, new StringSerializer(), new TrainingEventSerde());

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
    void shouldReadTheUsersLogsAsPublishReadsThem(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("runs.jsonl"), """
                {"type":"run_started","run_id":"a","config":{"optimizer":"adam"}}
                {"run_id":"b","epoch":1,"loss":2.0,"val_loss":2.1}
                {"run_id":"a","epoch":1,"loss":1.0,"val_loss":1.1}
                {"run_id":"a"}
                """);
        Files.writeString(dir.resolve("c.csv"), "epoch,loss,val_loss\n0,1.0,1.2\n1,0.9,1.1\n");
        List<String> problems = new java.util.ArrayList<>();

        List<Curve> curves = DemoCurves.fromLogs(List.of(dir), p -> problems.add(p.toString()));

        assertThat(curves).extracting(Curve::runId).containsExactly("c", "a", "b");
        assertThat(curves.get(0).events()).hasSize(3).last().isInstanceOf(RunFinished.class);
        assertThat(curves.get(1).events().get(0)).isInstanceOfSatisfying(RunStarted.class,
                s -> assertThat(s.config().optimizer()).isEqualTo("adam"));
        assertThat(curves.get(1).points()).isEqualTo(1);
        assertThat(problems).containsExactly(dir.resolve("runs.jsonl") + ":4: a metrics event needs an epoch or a step");
    }

    @Test
    void shouldSayWhenThereIsNothingToReplay(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(Files.createDirectories(dir.resolve("junk")).resolve("x.jsonl"), "not json\n");

        assertThatThrownBy(() -> DemoCurves.fromLogs(List.of(dir.resolve("nope")), p -> { }))
                .isInstanceOf(java.io.IOException.class).hasMessage(dir.resolve("nope") + ": no such file or directory");
        assertThatThrownBy(() -> DemoCurves.fromLogs(List.of(empty), p -> { }))
                .isInstanceOf(java.io.IOException.class).hasMessage(empty + ": no runs to replay (no log files)");
        assertThatThrownBy(() -> DemoCurves.fromLogs(List.of(dir.resolve("junk")), p -> { }))
                .isInstanceOf(java.io.IOException.class).hasMessage(dir.resolve("junk") + ": no runs to replay");
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

    /** The record's value as it goes on the wire. */
    private static String wire(ProducerRecord<String, TrainingEvent> r) {
        return new String(new TrainingEventSerde().serialize(r.topic(), r.value()), StandardCharsets.UTF_8);
    }

    private static JsonNode json(ProducerRecord<String, TrainingEvent> r) {
        return Json.read(wire(r));
    }

    private static void awaitDone(SimulatedTrainers trainers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!trainers.done() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(trainers.done()).as("replay finished").isTrue();
    }
}
