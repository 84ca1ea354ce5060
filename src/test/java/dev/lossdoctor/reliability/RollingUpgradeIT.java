package dev.lossdoctor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.bench.TrainingTraffic;
import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An upgrade in place: the previous release ({@link Release#V0_1_0}, its own classes in its own JVM)
 * reads the first half of every run's events and publishes their diagnoses; it is stopped; this
 * build starts on the same state dir, application id and topics and reads the rest. Read with
 * read_committed, what the previous release published stays as it was, every run's diagnosis events
 * follow one another across the upgrade (none lost, none doubled: each event's {@code previous} is
 * the diagnosis before it), and every run ends with the status its points give (points, best, final
 * verdict) as in one uninterrupted run of this build. So this build reads the state the previous release left behind:
 * its RocksDB files after a clean stop, its changelog after a SIGKILL (exactly-once wipes a store
 * that was not closed cleanly and restores it from the changelog).
 */
@Tag("fault")
class RollingUpgradeIT {

    enum Stop {
        /** As Kubernetes and {@code docker stop} stop it, after all its input is committed. */
        SIGTERM,
        /** Mid-stream, with a transaction open: this build fences it and redoes the uncommitted part. */
        SIGKILL
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "previous release stopped with {0}")
    @EnumSource(Stop.class)
    void shouldContinueEveryRunWithTheSameDiagnosesAfterUpgradingFromThePreviousRelease(Stop stop) throws Exception {
        Release previous = Release.V0_1_0;
        Workload w = Workload.generate(23, "upgrade-" + stop.name().toLowerCase() + "-run", 40, 40, 24, 60);
        List<TrainingTraffic.Event> firstHalves = new ArrayList<>();
        List<TrainingTraffic.Event> secondHalves = new ArrayList<>();
        split(w.events, firstHalves, secondHalves);
        String app = "upgrade-test";
        Path state = dir.resolve("state");
        long committedAtKill = -1;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(); Admin admin = Kafka.admin(broker.bootstrapServers())) {
            try (ServiceProcess old = new ServiceProcess("loss-doctor-" + previous.version(), broker.bootstrapServers(), app, state, 4,
                    ServiceKillIT.SETTINGS, dir.resolve("previous.log"), previous.classpath(), List.of())) {
                old.start().awaitReady(Duration.ofSeconds(120));
                if (stop == Stop.SIGTERM) {
                    send(broker.bootstrapServers(), firstHalves);
                    Kafka.awaitCommitted(admin, app, firstHalves.size(), Duration.ofSeconds(120));
                    old.stop(Duration.ofSeconds(30));
                    committedAtKill = Kafka.committed(admin, app);
                    assertThat(old.isAlive()).isFalse();
                    assertThat(old.log()).as("the previous release closed cleanly").contains("Loss Doctor stopped");
                } else {
                    Kafka.PacedSender sender = new Kafka.PacedSender(broker.bootstrapServers(), firstHalves, 200);
                    sender.start();
                    Kafka.awaitCommitted(admin, app, firstHalves.size() / 2, Duration.ofSeconds(120));
                    old.kill9();
                    committedAtKill = Kafka.committed(admin, app);
                    sender.awaitDone(Duration.ofSeconds(60));
                }
            }
            // what the previous release published: diagnoses past warming_up for most runs, so state matters
            List<ConsumerRecord<String, byte[]>> byPrevious = Kafka.readCommitted(broker.bootstrapServers(), Kafka.DIAGNOSES,
                    Long.MAX_VALUE, Duration.ZERO, Duration.ofSeconds(15));
            long runsPastWarmUp = Kafka.byRun(byPrevious).values().stream()
                    .filter(events -> events.stream().anyMatch(e -> !e.path("diagnosis").asText().equals("warming_up"))).count();
            assertThat(runsPastWarmUp).as("runs the previous release diagnosed past warming_up").isGreaterThan(w.topologyDiagnoses.size() / 2);

            try (ServiceProcess current = new ServiceProcess("loss-doctor-current", broker.bootstrapServers(), app, state, 4,
                    ServiceKillIT.SETTINGS, dir.resolve("current.log"))) {
                current.start().awaitReady(Duration.ofSeconds(120));
                send(broker.bootstrapServers(), secondHalves);
                Kafka.awaitCommitted(admin, app, w.events.size(), Duration.ofSeconds(180));

                // this build reads curves differently from the previous release (schedules, spikes, the
                // time-based hysteresis: CHANGELOG), so the output is not that of one uninterrupted run of
                // either; what an upgrade must keep is the state: every run goes on from where the previous
                // release left it, nothing lost, nothing doubled, and ends where its points say
                Map<String, List<JsonNode>> before = Kafka.byRun(byPrevious);
                Map<String, List<JsonNode>> after = Kafka.byRun(Kafka.readCommitted(broker.bootstrapServers(), Kafka.DIAGNOSES,
                        Long.MAX_VALUE, Duration.ZERO, Duration.ofSeconds(15)));
                Map<String, List<JsonNode>> statuses = Kafka.byRun(Kafka.readCommitted(broker.bootstrapServers(), Kafka.STATUS,
                        Long.MAX_VALUE, Duration.ZERO, Duration.ofSeconds(15)));
                List<String> problems = new ArrayList<>();
                int diagnoses = 0;
                for (String run : w.statuses.keySet()) {
                    List<JsonNode> events = after.getOrDefault(run, List.of());
                    diagnoses += events.size();
                    List<JsonNode> old = before.getOrDefault(run, List.of());
                    if (events.size() < old.size() || !events.subList(0, old.size()).equals(old)) {
                        problems.add(run + ": what the previous release published is not kept as it was");
                    }
                    // each event follows the one before it: a lost or doubled event breaks the chain
                    for (int i = 1; i < events.size(); i++) {
                        if (!events.get(i).path("previous").equals(events.get(i - 1).path("diagnosis"))) {
                            problems.add(run + ": event #" + i + " follows " + events.get(i).path("previous") + ", not "
                                    + events.get(i - 1).path("diagnosis"));
                        }
                    }
                    List<JsonNode> own = statuses.getOrDefault(run, List.of());
                    List<JsonNode> uninterrupted = w.statuses.get(run);
                    JsonNode last = own.isEmpty() ? null : own.get(own.size() - 1);
                    JsonNode expectedLast = uninterrupted.get(uninterrupted.size() - 1);
                    for (String field : List.of("points", "finished", "epoch", "val_best_epoch", "val_best_loss", "diagnosis")) {
                        if (last == null || !last.path(field).equals(expectedLast.path(field))) {
                            problems.add(run + ": final status " + field + " " + (last == null ? "missing" : last.path(field))
                                    + ", its points say " + expectedLast.path(field));
                        }
                    }
                }
                assertThat(problems).as("runs that did not go on from the previous release's state").isEmpty();
                assertThat(after.keySet()).as("every run diagnosed").containsExactlyInAnyOrderElementsOf(w.statuses.keySet());

                assertThat(current.log()).as("no stream thread replaced").doesNotContain("replacing it");
                System.out.printf("RollingUpgradeIT (%s): %d runs, %d events (%d sent before the upgrade, %d of them committed by "
                                + "%s), %d diagnoses (%d by %s, %d runs past warming_up): every run went on from its stored state, "
                                + "none lost or doubled, each ending where its points say%n",
                        stop, w.statuses.size(), w.events.size(), firstHalves.size(), committedAtKill, previous.version(),
                        diagnoses, byPrevious.size(), previous.version(), runsPastWarmUp);
            }
        }
    }

    /** Each run's first half of events to {@code first}, the rest to {@code second}; the interleaving kept. */
    private static void split(List<TrainingTraffic.Event> events, List<TrainingTraffic.Event> first,
                              List<TrainingTraffic.Event> second) {
        Map<String, Integer> perRun = new HashMap<>();
        events.forEach(e -> perRun.merge(e.runId(), 1, Integer::sum));
        Map<String, Integer> seen = new HashMap<>();
        for (TrainingTraffic.Event e : events) {
            int n = seen.merge(e.runId(), 1, Integer::sum);
            (n <= perRun.get(e.runId()) / 2 ? first : second).add(e);
        }
    }

    private static void send(String bootstrap, List<TrainingTraffic.Event> events) throws Exception {
        try (KafkaProducer<String, byte[]> producer = Kafka.producer(bootstrap, Map.of())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (TrainingTraffic.Event e : events) {
                acks.add(producer.send(new ProducerRecord<>(Kafka.METRICS, null, e.timestampMillis(), e.runId(), e.value())));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }
}
