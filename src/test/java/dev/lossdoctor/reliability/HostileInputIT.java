package dev.lossdoctor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.bench.TrainingTraffic;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import dev.lossdoctor.schemas.SchemaChecks;
import dev.lossdoctor.schemas.Schemas;
import dev.lossdoctor.streams.LossDoctorTopology;
import dev.lossdoctor.testing.PrometheusScrape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 unusable records mixed into the traffic of real runs, sent to the service in its own JVM:
 * every one of them reaches the dead-letter topic unchanged with the reason in a header, every
 * valid run is diagnosed exactly as without them, and the service never restarts a stream thread.
 * The valid events, the dead letters' headers and the output are validated against their schemas.
 */
@Tag("fault")
class HostileInputIT {

    private static final int BAD = 10_000;
    private static final int ONE_MIB_VALUES = 12;
    private static final String MAX_BYTES = Integer.toString(4 << 20);

    @TempDir
    Path dir;

    /** A fresh broker for each test: each reuses the application id and topic names. */
    @RegisterExtension
    final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    @Test
    void shouldDeadLetterEveryBadRecordAndDiagnoseEveryValidRunAsWithoutThemWithoutRestarting() throws Exception {
        Workload w = Workload.generate(17, "hostile-run", 60, 30, 30, 60);
        List<HostileRecords.Bad> bad = new HostileRecords(19, new ArrayList<>(w.diagnoses.keySet())).generate(BAD, ONE_MIB_VALUES);
        assertEveryOneIsRejectedByTheParser(bad);
        assertTheSchemaRejectsEveryOneItCan(bad);

        // the valid events in their order, the bad ones scattered among them
        List<Object> mixed = new ArrayList<>(w.events);
        SplittableRandom random = new SplittableRandom(23);
        for (HostileRecords.Bad b : bad) {
            mixed.add(random.nextInt(mixed.size() + 1), b);
        }
        int total = mixed.size();
        String app = "hostile-test";
        Map<String, String> settings = new LinkedHashMap<>(ServiceKillIT.SETTINGS);
        settings.put("kafka.producer." + ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_BYTES); // the 1 MiB values, to the DLQ
        EmbeddedKafkaBroker broker = kafka.broker();
        try (Admin admin = Kafka.admin(broker.bootstrapServers())) {
            Kafka.createTopics(broker.bootstrapServers(), 4, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, MAX_BYTES),
                    Kafka.METRICS, Kafka.DLQ, Kafka.DIAGNOSES);
            Kafka.createTopics(broker.bootstrapServers(), 4, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT),
                    Kafka.STATUS);
            try (ServiceProcess service = new ServiceProcess("service", broker.bootstrapServers(), app, dir.resolve("state"), 4,
                    settings, dir.resolve("service.log"))) {
                service.start().awaitReady(Duration.ofSeconds(120));
                try (KafkaProducer<byte[], byte[]> producer = rawProducer(broker.bootstrapServers())) {
                    for (Object o : mixed) { // one idempotent producer: each partition gets them in this order
                        if (o instanceof TrainingTraffic.Event e) {
                            SchemaChecks.sent(Schemas.METRICS, e.value());
                            producer.send(new ProducerRecord<>(Kafka.METRICS, null, e.timestampMillis(),
                                    e.runId().getBytes(StandardCharsets.UTF_8), e.value()));
                        } else {
                            HostileRecords.Bad b = (HostileRecords.Bad) o;
                            producer.send(new ProducerRecord<>(Kafka.METRICS, b.key(), b.value()));
                        }
                    }
                    producer.flush();
                }
                Kafka.awaitCommitted(admin, app, total, Duration.ofSeconds(240));

                // every bad record in the dead-letter topic, byte for byte, with its reason
                List<ConsumerRecord<String, byte[]>> dead = Kafka.readCommitted(broker.bootstrapServers(), Kafka.DLQ, BAD,
                        Duration.ofSeconds(3), Duration.ofSeconds(120));
                assertThat(dead).as("dead-letter records").hasSize(BAD);
                Map<String, Integer> sent = new HashMap<>();
                bad.forEach(b -> sent.merge(fingerprint(b.key(), b.value()), 1, Integer::sum));
                Map<String, Integer> reasons = new TreeMap<>();
                for (ConsumerRecord<String, byte[]> r : dead) {
                    byte[] key = r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8);
                    String fp = fingerprint(key, r.value());
                    assertThat(sent.merge(fp, -1, Integer::sum)).as("a dead letter that was sent, once").isGreaterThanOrEqualTo(0);
                    Header reason = r.headers().lastHeader(LossDoctorTopology.ERROR_REASON_HEADER);
                    assertThat(reason).as("reason header of a dead letter").isNotNull();
                    String why = new String(reason.value(), StandardCharsets.UTF_8);
                    assertThat(why).isNotBlank();
                    assertThat(r.headers().lastHeader(LossDoctorTopology.ERROR_OFFSET_HEADER)).isNotNull();
                    reasons.merge(why.replaceAll("[0-9]+", "N").replaceAll("'.*'", "'...'"), 1, Integer::sum);
                }
                assertThat(sent.values()).as("every bad record dead-lettered exactly once").allMatch(n -> n == 0);

                // every valid run exactly as without them
                List<ConsumerRecord<String, byte[]>> diagnoses = Kafka.readCommitted(broker.bootstrapServers(), Kafka.DIAGNOSES,
                        w.expectedDiagnoses(), Duration.ofSeconds(3), Duration.ofSeconds(60));
                Kafka.assertSamePerRun("diagnosis events", w.diagnoses, Kafka.byRun(diagnoses));
                List<ConsumerRecord<String, byte[]>> statuses = Kafka.readCommitted(broker.bootstrapServers(), Kafka.STATUS,
                    w.expectedStatuses(), Duration.ofSeconds(3), Duration.ofSeconds(60));
                Kafka.assertSamePerRun("status records", w.statuses, Kafka.byRun(statuses)); // every status record, in order, none doubled

                // and the service never restarted anything
                PrometheusScrape scrape = PrometheusScrape.parse(service.get("/metrics").body());
                assertThat(scrape.require("lossdoctor_events_total", "outcome", "rejected")).isEqualTo(BAD);
                assertThat(scrape.require("lossdoctor_events_total", "outcome", "accepted")).isEqualTo(w.events.size());
                assertThat(scrape.require("lossdoctor_streams_running")).isEqualTo(1);
                assertThat(service.isAlive()).isTrue();
                String log = service.log();
                assertThat(log).as("no stream thread failed and was replaced").doesNotContain("replacing it").doesNotContain("REPLACE_THREAD");
                assertThat(Pattern.compile("Kafka Streams \\w+ -> RUNNING").matcher(log).results().count())
                        .as("RUNNING once, never left").isEqualTo(1);
                assertThat(log).doesNotContain("Kafka Streams RUNNING ->");
                System.out.printf("HostileInputIT: %d bad records (%d of 1 MiB) among %d valid events of %d runs; reasons:%n", BAD,
                        ONE_MIB_VALUES, w.events.size(), w.diagnoses.size());
                reasons.forEach((why, n) -> System.out.printf("  %5d  %s%n", n, why.length() > 110 ? why.substring(0, 110) : why));
            }
        }
    }

    private static void assertEveryOneIsRejectedByTheParser(List<HostileRecords.Bad> bad) {
        EventParser parser = new EventParser();
        java.util.Set<String> accepted = new java.util.TreeSet<>();
        for (HostileRecords.Bad b : bad) {
            ParseResult r = parser.parse(b.keyText(), b.value(), null);
            if (r instanceof ParseResult.Accepted) {
                accepted.add(b.kind());
            }
        }
        assertThat(accepted).as("kinds of generated bad records the parser accepts").isEmpty();
    }

    /**
     * The bad records' values against the input schema: every one is invalid but those rejected for
     * what the schema says it does not express, their key (missing, too long, control characters,
     * disagreeing with run_id) or a number written in more than 64 characters. (The Kafka client
     * below sends them unchecked: they are meant to be rejected, and their key is what is wrong.)
     */
    private static void assertTheSchemaRejectsEveryOneItCan(List<HostileRecords.Bad> bad) {
        java.util.Set<String> validValues = new java.util.TreeSet<>();
        for (HostileRecords.Bad b : bad) {
            if (SchemaChecks.isValid(Schemas.METRICS, b.value())) {
                validValues.add(b.kind());
                SchemaChecks.hostileWithValidValue(Schemas.METRICS);
            } else {
                SchemaChecks.poison(Schemas.METRICS, b.value());
            }
        }
        assertThat(validValues).as("kinds of bad records whose value the schema accepts")
                .isSubsetOf("run-id/10000-char-key", "run-id/control-char-key", "run-id/disagrees-with-key", "run-id/missing",
                        "number/too-many-digits");
    }

    private static KafkaProducer<byte[], byte[]> rawProducer(String bootstrap) {
        java.util.Properties p = new java.util.Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_BYTES);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p, new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    private static String fingerprint(byte[] key, byte[] value) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(key == null ? new byte[] {1} : key);
            sha.update((byte) 0);
            sha.update(value == null ? new byte[] {2} : value);
            return (key == null ? "nokey:" : "key:") + (value == null ? "null:" : "value:") + Base64.getEncoder().encodeToString(sha.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
