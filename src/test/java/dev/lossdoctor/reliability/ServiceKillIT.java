package dev.lossdoctor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The service in its own JVM, killed with SIGKILL in the middle of the stream and started again:
 * read with read_committed, its output is exactly that of a run without the fault.
 */
@Tag("fault")
class ServiceKillIT {

    static final Map<String, String> SETTINGS = Map.of(
            "stall.after", "1d",
            "kafka.num.stream.threads", "1",
            "kafka.commit.interval.ms", "100",
            "kafka.session.timeout.ms", "6000",
            "kafka.heartbeat.interval.ms", "1000");

    @TempDir
    Path dir;

    /** A fresh broker for each test: each reuses the application id and topic names. */
    @RegisterExtension
    final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    /** Both stores: RocksDB keeps its files and reads the changelog's tail; the in-memory one reads it all back. */
    @ParameterizedTest(name = "state.store={0}")
    @ValueSource(strings = {"rocksdb", "memory"})
    void shouldPublishExactlyTheFaultFreeOutputWhenKilledMidStreamAndRestarted(String stateStore) throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(SETTINGS);
        settings.put("state.store", stateStore);
        Workload w = Workload.generate(7, "kill-run", 120, 60, 40, 80);
        int total = w.events.size();
        EmbeddedKafkaBroker broker = kafka.broker();
        try (Admin admin = Kafka.admin(broker.bootstrapServers());
             ServiceProcess service = new ServiceProcess("service", broker.bootstrapServers(), "kill-test", dir.resolve("state"), 4,
                     settings, dir.resolve("service.log"))) {
            service.start().awaitReady(Duration.ofSeconds(120));
            Kafka.PacedSender sender = new Kafka.PacedSender(broker.bootstrapServers(), w.events, 1500);
            sender.start();

            Kafka.awaitCommitted(admin, "kill-test", total / 3, Duration.ofSeconds(120));
            service.kill9();
            long committedAtKill = Kafka.committed(admin, "kill-test");
            service.start().awaitReady(Duration.ofSeconds(120));
            sender.awaitDone(Duration.ofSeconds(120));
            Kafka.awaitCommitted(admin, "kill-test", total, Duration.ofSeconds(180));

            List<ConsumerRecord<String, byte[]>> diagnoses = Kafka.readCommitted(broker.bootstrapServers(), Kafka.DIAGNOSES,
                    w.expectedDiagnoses(), Duration.ofSeconds(3), Duration.ofSeconds(60));
            Kafka.assertSamePerRun("diagnosis events", w.diagnoses, Kafka.byRun(diagnoses));
            assertThat(diagnoses).as("diagnosis events, none lost and none doubled").hasSize(w.expectedDiagnoses());

            List<ConsumerRecord<String, byte[]>> statuses = Kafka.readCommitted(broker.bootstrapServers(), Kafka.STATUS,
                    w.expectedStatuses(), Duration.ofSeconds(3), Duration.ofSeconds(60));
            Kafka.assertSamePerRun("status records", w.statuses, Kafka.byRun(statuses)); // every status record, in order, none doubled
            System.out.printf("ServiceKillIT (%s): %d events, %d diagnoses; killed with %d input records committed%n", stateStore,
                    total, w.expectedDiagnoses(), committedAtKill);
        }
    }
}
