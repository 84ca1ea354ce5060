package dev.lossdoctor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of one application, each in its own JVM, sharing four partitions; one is killed
 * with SIGKILL mid-stream and not restarted. The other takes over its partitions, restores their
 * state from the changelogs, and the output is exactly that of a run without the fault.
 */
@Tag("fault")
@Tag("slow")
class InstanceFailoverIT {

    @TempDir
    Path dir;

    /** A fresh broker for each test: each reuses the application id and topic names. */
    @RegisterExtension
    final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    @Test
    void shouldHaveTheSurvivorTakeOverRestoreTheStateAndPublishTheFaultFreeOutput() throws Exception {
        Workload w = Workload.generate(11, "failover-run", 120, 60, 40, 80);
        int total = w.events.size();
        String app = "failover-test";
        EmbeddedKafkaBroker broker = kafka.broker();
        try (Admin admin = Kafka.admin(broker.bootstrapServers());
             ServiceProcess first = new ServiceProcess("first", broker.bootstrapServers(), app, dir.resolve("state-1"), 4,
                     ServiceKillIT.SETTINGS, dir.resolve("first.log"));
             ServiceProcess second = new ServiceProcess("second", broker.bootstrapServers(), app, dir.resolve("state-2"), 4,
                     ServiceKillIT.SETTINGS, dir.resolve("second.log"))) {
            first.start();
            second.start();
            first.awaitReady(Duration.ofSeconds(120));
            second.awaitReady(Duration.ofSeconds(120));
            Kafka.PacedSender sender = new Kafka.PacedSender(broker.bootstrapServers(), w.events, 1500);
            sender.start();

            Kafka.awaitCommitted(admin, app, total / 3, Duration.ofSeconds(120));
            int heldByFirst = localRuns(first).size();
            first.kill9();
            sender.awaitDone(Duration.ofSeconds(120));
            Kafka.awaitCommitted(admin, app, total, Duration.ofSeconds(180));
            second.awaitReady(Duration.ofSeconds(60));

            List<ConsumerRecord<String, byte[]>> diagnoses = Kafka.readCommitted(broker.bootstrapServers(), Kafka.DIAGNOSES,
                    w.expectedDiagnoses(), Duration.ofSeconds(3), Duration.ofSeconds(60));
            Kafka.assertSamePerRun("diagnosis events", w.diagnoses, Kafka.byRun(diagnoses));
            assertThat(diagnoses).hasSize(w.expectedDiagnoses());
            List<ConsumerRecord<String, byte[]>> statuses = Kafka.readCommitted(broker.bootstrapServers(), Kafka.STATUS,
                    w.expectedStatuses(), Duration.ofSeconds(3), Duration.ofSeconds(60));
            Kafka.assertSamePerRun("status records", w.statuses, Kafka.byRun(statuses)); // every status record, in order, none doubled

            assertThat(heldByFirst).as("the killed instance held runs when it died").isPositive();
            Map<String, JsonNode> survivor = localRuns(second);
            assertThat(survivor.keySet()).as("the survivor holds every run now").containsExactlyInAnyOrderElementsOf(w.finalStatus.keySet());
            Kafka.assertSameStatuses(w.finalStatus, survivor); // its store, restored from the changelog, answers as the fault-free one
            System.out.printf("InstanceFailoverIT: %d events, %d diagnoses; the killed instance held %d runs%n", total,
                    w.expectedDiagnoses(), heldByFirst);
        }
    }

    private static Map<String, JsonNode> localRuns(ServiceProcess service) {
        Map<String, JsonNode> runs = new LinkedHashMap<>();
        ServiceProcess.Http r = service.get("/runs?scope=local");
        if (r.status() == 200) {
            Workload.reparse(r.body()).forEach(n -> runs.put(n.get("run_id").asText(), n));
        }
        return runs;
    }
}
