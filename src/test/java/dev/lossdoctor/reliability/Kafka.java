package dev.lossdoctor.reliability;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.bench.TrainingTraffic;
import dev.lossdoctor.schemas.SchemaChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Real Kafka clients for the fault tests: topics, paced producing, committed offsets, read_committed reading, comparing.
 * Every value they send or read is validated against its topic's schema ({@link SchemaChecks}).
 */
final class Kafka {

    static final String METRICS = "training-metrics";
    static final String DIAGNOSES = "training-diagnoses";
    static final String STATUS = "training-run-status";
    static final String DLQ = "training-metrics-dlq";

    private Kafka() {
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    static void createTopics(String bootstrap, int partitions, Map<String, String> configs, String... names) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                topics.add(new NewTopic(n, partitions, (short) 1).configs(configs));
            }
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** A producer whose every value is validated against its topic's schema as it is sent. */
    static KafkaProducer<String, byte[]> producer(String bootstrap, Map<String, String> extra) {
        return new KafkaProducer<>(producerProperties(bootstrap, extra), new StringSerializer(),
                SchemaChecks.sending(new ByteArraySerializer()));
    }

    /** A producer of values meant to be rejected: each is checked to be invalid under its topic's schema as it is sent. */
    static KafkaProducer<String, byte[]> poisonProducer(String bootstrap) {
        return new KafkaProducer<>(producerProperties(bootstrap, Map.of()), new StringSerializer(),
                SchemaChecks.poisoning(new ByteArraySerializer()));
    }

    private static Properties producerProperties(String bootstrap, Map<String, String> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"); // a broker restart must not reorder or double a run's events
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "180000");
        p.putAll(extra);
        return p;
    }

    /** Sends the events in the background at about {@code perSecond}, key = run id, timestamp = event time. */
    static final class PacedSender extends Thread {
        private final String bootstrap;
        private final List<TrainingTraffic.Event> events;
        private final double perSecond;
        final AtomicLong sent = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        PacedSender(String bootstrap, List<TrainingTraffic.Event> events, double perSecond) {
            super("paced-sender");
            this.bootstrap = bootstrap;
            this.events = events;
            this.perSecond = perSecond;
            setDaemon(true);
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            try (KafkaProducer<String, byte[]> producer = producer(bootstrap, Map.of())) {
                for (TrainingTraffic.Event e : events) {
                    long due = start + (long) (sent.get() * 1e9 / perSecond);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    producer.send(new ProducerRecord<>(METRICS, null, e.timestampMillis(), e.runId(), e.value()), (md, ex) -> {
                        if (ex != null) {
                            failure.compareAndSet(null, ex);
                        }
                    });
                    sent.incrementAndGet();
                }
                producer.flush();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        void awaitDone(Duration timeout) throws InterruptedException {
            join(timeout.toMillis());
            if (isAlive()) {
                fail("the sender did not finish within " + timeout.toSeconds() + " s (" + sent.get() + " sent)");
            }
            if (failure.get() != null) {
                throw new AssertionError("the sender failed", failure.get());
            }
        }
    }

    /** The application's committed input offsets, summed; 0 when the broker does not answer. */
    static long committed(Admin admin, String applicationId) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(METRICS) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    /** Waits until the application has committed at least {@code offsets} input records. */
    static void awaitCommitted(Admin admin, String applicationId, long offsets, Duration timeout) {
        Awaitility.await("the service committing " + offsets + " input records").atMost(timeout)
                .until(() -> committed(admin, applicationId), n -> n >= offsets);
    }

    /**
     * Reads a topic from the start with read_committed until {@code expected} records came, then
     * {@code quiet} longer (so that a duplicate would show), or until the timeout. Each record is validated
     * against its topic's schemas as it is read.
     */
    static List<ConsumerRecord<String, byte[]>> readCommitted(String bootstrap, String topic, long expected, Duration quiet,
                                                              Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "fault-test-reader-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 << 20));
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = SchemaChecks.consumer(p, new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            try {
                Awaitility.await().atMost(timeout).pollInSameThread().pollInterval(Duration.ofMillis(10)).until(() -> {
                    c.poll(Duration.ofMillis(200)).forEach(records::add);
                    return records.size() >= expected;
                });
                // then reading on for a while, so that a duplicate would show
                Awaitility.await().during(quiet).atMost(quiet.plusSeconds(30)).pollInSameThread()
                        .pollInterval(Duration.ofMillis(10)).until(() -> {
                            c.poll(Duration.ofMillis(200)).forEach(records::add);
                            return true;
                        });
            } catch (ConditionTimeoutException e) {
                // fewer than expected: the caller's assertions say which are missing
            }
        }
        return records;
    }

    /** The values of each key, in order, as parsed JSON. */
    static Map<String, List<JsonNode>> byRun(List<ConsumerRecord<String, byte[]>> records) {
        Map<String, List<JsonNode>> out = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(Workload.reparse(r.value()));
        }
        return out;
    }

    /** The last value of each key. */
    static Map<String, JsonNode> latest(List<ConsumerRecord<String, byte[]>> records) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            out.put(r.key(), Workload.reparse(r.value()));
        }
        return out;
    }

    /** Fails with a short account of every run whose records ({@code what}) differ from the fault-free ones. */
    static void assertSamePerRun(String what, Map<String, List<JsonNode>> expected, Map<String, List<JsonNode>> actual) {
        List<String> problems = new ArrayList<>();
        for (String run : new TreeSet<>(union(expected.keySet(), actual.keySet()))) {
            List<JsonNode> e = expected.getOrDefault(run, List.of());
            List<JsonNode> a = actual.getOrDefault(run, List.of());
            if (e.equals(a)) {
                continue;
            }
            int i = 0;
            while (i < Math.min(e.size(), a.size()) && e.get(i).equals(a.get(i))) {
                i++;
            }
            problems.add(String.format("%s: expected %d, got %d; first difference at #%d:%n    expected %s%n    actual   %s",
                    run, e.size(), a.size(), i, i < e.size() ? e.get(i) : "(none)", i < a.size() ? a.get(i) : "(none)"));
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " runs' " + what + " differ from the fault-free output:\n"
                    + String.join("\n", problems.subList(0, Math.min(10, problems.size()))));
        }
    }

    static void assertSameStatuses(Map<String, JsonNode> expected, Map<String, JsonNode> actual) {
        List<String> problems = new ArrayList<>();
        for (String run : new TreeSet<>(union(expected.keySet(), actual.keySet()))) {
            if (!java.util.Objects.equals(expected.get(run), actual.get(run))) {
                problems.add(run + ":\n    expected " + expected.get(run) + "\n    actual   " + actual.get(run));
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " runs' latest status differs from the fault-free one:\n"
                    + String.join("\n", problems.subList(0, Math.min(5, problems.size()))));
        }
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
