package dev.lossdoctor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.service.LossDoctorService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker, in its own JVM, killed with SIGKILL mid-stream and started again a few seconds
 * later: the service (left alone) recovers by itself, and its output is exactly that of a run
 * without the fault.
 */
@Tag("fault")
@Tag("slow")
class BrokerRestartIT {

    @TempDir
    Path dir;

    @Test
    void shouldRecoverByItselfAndLoseNothingWhenTheBrokerIsKilledAndRestartedMidStream() throws Exception {
        Workload w = Workload.generate(13, "restart-run", 120, 60, 40, 80);
        int total = w.events.size();
        String app = "broker-restart-test";
        try (BrokerProcess broker = BrokerProcess.format(dir.resolve("broker")).start();
             Admin admin = Kafka.admin(broker.bootstrapServers())) {
            Map<String, String> s = new LinkedHashMap<>(ServiceKillIT.SETTINGS);
            s.put(AppConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            s.put(AppConfig.APPLICATION_ID, app);
            s.put(AppConfig.STATE_DIR, dir.resolve("state").toString());
            s.put(AppConfig.HTTP_HOST, "127.0.0.1");
            s.put(AppConfig.HTTP_PORT, "0");
            s.put(AppConfig.TOPIC_PARTITIONS, "4");
            s.put(AppConfig.TOPIC_REPLICATION_FACTOR, "1");
            try (LossDoctorService service = LossDoctorService.start(AppConfig.of(s))) {
                assertThat(service.awaitRunning(Duration.ofSeconds(120))).isTrue();
                Kafka.PacedSender sender = new Kafka.PacedSender(broker.bootstrapServers(), w.events, 1500);
                sender.start();

                Kafka.awaitCommitted(admin, app, total / 3, Duration.ofSeconds(120));
                broker.kill9();
                long down = System.nanoTime();
                Thread.sleep(3_000);
                broker.start();
                double downSeconds = (System.nanoTime() - down) / 1e9;

                sender.awaitDone(Duration.ofSeconds(180));
                Kafka.awaitCommitted(admin, app, total, Duration.ofSeconds(240));
                assertThat(service.awaitRunning(Duration.ofSeconds(60))).as("the streams RUNNING again, by themselves").isTrue();
                assertThat(service.streamsState()).isEqualTo(KafkaStreams.State.RUNNING);

                List<ConsumerRecord<String, byte[]>> diagnoses = Kafka.readCommitted(broker.bootstrapServers(), Kafka.DIAGNOSES,
                        w.expectedDiagnoses(), Duration.ofSeconds(3), Duration.ofSeconds(60));
                Kafka.assertSamePerRun("diagnosis events", w.diagnoses, Kafka.byRun(diagnoses));
                assertThat(diagnoses).hasSize(w.expectedDiagnoses());
                List<ConsumerRecord<String, byte[]>> statuses = Kafka.readCommitted(broker.bootstrapServers(), Kafka.STATUS,
                    w.expectedStatuses(), Duration.ofSeconds(3), Duration.ofSeconds(60));
                Kafka.assertSamePerRun("status records", w.statuses, Kafka.byRun(statuses)); // every status record, in order, none doubled
                System.out.printf("BrokerRestartIT: %d events, %d diagnoses; broker down %.1f s%n", total,
                        w.expectedDiagnoses(), downSeconds);
            }
        }
    }
}
