package dev.lossdoctor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.bench.TrainingTraffic;
import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.schemas.SchemaChecks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * How soon a service killed with SIGKILL works again once it is started again, with Kafka's default
 * timeouts. Without a group instance id the restarted service is a new member of the consumer group
 * and the rebalance waits for the dead member's session to expire ({@code session.timeout.ms}, 45 s
 * by default) before any partition is processed again; with the same instance id as before (static
 * membership, KIP-345) it takes the dead member's place at once.
 *
 * <p>Each restart: a producer sends traffic, the service is killed mid-stream (so a transaction is
 * open), a few new runs send their first point while it is down, it is started again on the same
 * state dir, and the test measures from the process start to the first diagnosis of those new runs
 * on {@code training-diagnoses}, read with read_committed as any consumer reads it. At the end, every
 * run's diagnoses are exactly the fault-free ones: none lost, none doubled.
 */
@Tag("fault")
class StaticMembershipIT {

    /**
     * The service's setting for Kafka's {@code group.instance.id}; Kafka Streams gives each stream
     * thread's consumer {@code <id>-<thread index>}. The one line to change when the service's own
     * key {@code instance.id} replaces the passthrough.
     */
    static final String INSTANCE_ID = "instance.id";

    /** Left at Kafka's defaults: no session timeout, heartbeat or transaction timeout set. */
    static final Map<String, String> SETTINGS = Map.of("stall.after", "1d");

    /** The consumer's default {@code session.timeout.ms}, which the service does not change. */
    static final Duration SESSION_TIMEOUT = Duration.ofMillis(
            (Integer) ConsumerConfig.configDef().defaultValues().get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));

    /**
     * The earliest a dead member's session can expire after a SIGKILL: the session timeout after its
     * last heartbeat, which was at most a heartbeat interval (3 s by default) before the kill; less a
     * second for the clocks.
     */
    static final Duration DEAD_MEMBER_EXPIRES = SESSION_TIMEOUT
            .minusMillis((Integer) ConsumerConfig.configDef().defaultValues().get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG))
            .minusSeconds(1);

    /** Well under the session timeout. */
    static final Duration QUICK = SESSION_TIMEOUT.dividedBy(2);

    private static final int PROBES = 8;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldProcessWhatCameWhileItWasDownWithinSecondsOfARestartWithTheSameInstanceId() throws Exception {
        List<Restart> restarts = measure("static", Map.of(INSTANCE_ID, "loss-doctor-0"), false, Integer.getInteger("restarts", 2));
        assertThat(SESSION_TIMEOUT).isEqualTo(Duration.ofSeconds(45));
        restarts.forEach(StaticMembershipIT::assertItDidNotWaitForTheDeadMembersSession);
    }

    /**
     * A restarted pod whose volume is gone (rescheduled elsewhere, a new disk): the same instance id,
     * but a new Kafka Streams process id, hence a new {@code transactional.id}, so the dead producer's
     * open transaction is not fenced at once: the broker aborts it once {@code transaction.timeout.ms}
     * (10 s under exactly-once) has passed; and the stores are restored from their changelogs from the start.
     */
    @Test
    @Tag("slow")
    void shouldStillNotWaitForTheSessionTimeoutWhenTheStateDirIsLost() throws Exception {
        List<Restart> restarts = measure("static-state-lost", Map.of(INSTANCE_ID, "loss-doctor-0"), true,
                Integer.getInteger("restarts", 1));
        restarts.forEach(StaticMembershipIT::assertItDidNotWaitForTheDeadMembersSession);
    }

    /** The premise of the first test: without an instance id, a restart does wait for the dead member's session to expire. */
    @Test
    @Tag("slow")
    void withoutAnInstanceIdARestartWaitsForTheDeadMembersSessionToExpire() throws Exception {
        List<Restart> restarts = measure("dynamic", Map.of(), false, Integer.getInteger("restarts", 1));
        for (Restart r : restarts) {
            assertThat(r.fromKill("joined")).as("restart %d: from the kill to joining the group", r.number())
                    .isGreaterThanOrEqualTo(DEAD_MEMBER_EXPIRES);
            assertThat(r.firstDiagnosis().plus(r.sinceKill())).as("restart %d: from the kill to the first new diagnosis", r.number())
                    .isGreaterThanOrEqualTo(DEAD_MEMBER_EXPIRES);
        }
    }

    /**
     * Measured from the kill, not from the process start, so that a slow JVM start on a loaded machine
     * neither hides a wait nor fakes one: the restarted service asked to join and was in the group
     * before the dead member's session could have expired, and processed the new input within seconds.
     */
    private static void assertItDidNotWaitForTheDeadMembersSession(Restart r) {
        assertThat(r.fromKill("joining")).as("restart %d: from the kill to its JoinGroup (later, and a wait for the dead "
                + "member's session could not show: this machine is too slow to tell)", r.number()).isLessThan(DEAD_MEMBER_EXPIRES);
        assertThat(r.fromKill("joined")).as("restart %d: from the kill to joining the group", r.number())
                .isLessThan(DEAD_MEMBER_EXPIRES);
        assertThat(r.firstDiagnosis().minus(r.at("joining"))).as("restart %d: from its JoinGroup to the first new diagnosis",
                r.number()).isLessThan(QUICK);
    }

    /** One restart: from the process start to each milestone, as the test and the service's log saw them. */
    record Restart(int number, Duration sinceKill, Duration firstDiagnosis, Duration allDiagnoses, Duration ready,
                   Duration cpuToFirstDiagnosis, Map<String, Double> log) {
        /** From the process start to a phase in the service's log. */
        Duration at(String phase) {
            assertThat(log).as("the service's log of restart %d", number).containsKey(phase);
            return Duration.ofMillis(Math.round(log.get(phase) * 1000));
        }

        Duration fromKill(String phase) {
            return sinceKill.plus(at(phase));
        }

        @Override
        public String toString() {
            return String.format("restart %d: killed %.1f s before the start; from the start: first new diagnosis %.1f s "
                            + "(%.1f CPU-s of the service), all %d %.1f s, /health/ready %.1f s; in the log: %s",
                    number, secs(sinceKill), secs(firstDiagnosis), secs(cpuToFirstDiagnosis), PROBES, secs(allDiagnoses),
                    secs(ready), log);
        }
    }

    private List<Restart> measure(String name, Map<String, String> extra, boolean loseStateDir, int count) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(SETTINGS);
        settings.putAll(extra);
        String app = "restart-" + name;
        Path state = dir.resolve("state");
        Workload w = Workload.generate(17, name + "-run", 30 * count, 30, 20, 40);
        List<List<TrainingTraffic.Event>> chunks = slices(w.events, count);
        List<Restart> restarts = new ArrayList<>();
        List<String> probeRuns = new ArrayList<>();
        long sent = 0;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(); Admin admin = Kafka.admin(broker.bootstrapServers());
             ServiceProcess service = new ServiceProcess(name, broker.bootstrapServers(), app, state, 4, settings,
                     dir.resolve(name + ".log"), JavaProcess.classpath(), List.of("-Dlogback.configurationFile=" + logConfig()))) {
            service.start().awaitReady(Duration.ofSeconds(120));
            for (int i = 1; i <= count; i++) {
                List<TrainingTraffic.Event> chunk = chunks.get(i - 1);
                Kafka.PacedSender sender = new Kafka.PacedSender(broker.bootstrapServers(), chunk, 300);
                sender.start();
                Kafka.awaitCommitted(admin, app, sent + chunk.size() / 2, Duration.ofSeconds(120));
                service.kill9();
                long killedAt = System.nanoTime();
                sender.awaitDone(Duration.ofSeconds(60));
                sent += chunk.size();
                if (loseStateDir) {
                    deleteTree(state);
                }
                try (KafkaConsumer<String, byte[]> diagnoses = fromTheEnd(broker.bootstrapServers())) {
                    List<String> probes = sendProbes(broker.bootstrapServers(), name + "-probe-" + i);
                    probeRuns.addAll(probes);
                    sent += probes.size();
                    Instant startedAt = Instant.now();
                    long start = System.nanoTime();
                    service.start();
                    Restart r = awaitProbes(i, service, diagnoses, probes, killedAt, start, startedAt);
                    System.out.printf("StaticMembershipIT (%s) %s; load average %s%n", name, r, loadAverage());
                    restarts.add(r);
                }
                service.awaitReady(Duration.ofSeconds(120));
            }
            Kafka.awaitCommitted(admin, app, sent, Duration.ofSeconds(120));

            List<ConsumerRecord<String, byte[]>> all = Kafka.readCommitted(broker.bootstrapServers(), Kafka.DIAGNOSES,
                    w.expectedDiagnoses() + probeRuns.size(), Duration.ofSeconds(3), Duration.ofSeconds(60));
            Map<String, List<JsonNode>> byRun = Kafka.byRun(all);
            for (String probe : probeRuns) {
                assertThat(byRun.remove(probe)).as("the probe run %s's diagnoses", probe).hasSize(1);
            }
            Kafka.assertSamePerRun("diagnosis events", w.diagnoses, byRun);
            assertThat(all).as("diagnosis events, none lost and none doubled").hasSize(w.expectedDiagnoses() + probeRuns.size());
        }
        return restarts;
    }

    /** New runs that send their first point while the service is down; each is {@code warming_up} at once. */
    private static List<String> sendProbes(String bootstrap, String prefix) {
        List<String> runs = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = Kafka.producer(bootstrap, Map.of())) {
            for (int k = 0; k < PROBES; k++) {
                String run = prefix + "-" + k;
                String json = "{\"type\":\"metrics\",\"run_id\":\"" + run + "\",\"epoch\":1,\"metrics\":{\"train_loss\":2.3,\"val_loss\":2.4}}";
                producer.send(new ProducerRecord<>(Kafka.METRICS, null, System.currentTimeMillis(), run,
                        json.getBytes(StandardCharsets.UTF_8)));
                runs.add(run);
            }
            producer.flush();
        }
        return runs;
    }

    private Restart awaitProbes(int number, ServiceProcess service, KafkaConsumer<String, byte[]> diagnoses, List<String> probes,
                                long killedAt, long start, Instant startedAt) {
        Map<String, JsonNode> seen = new LinkedHashMap<>();
        Duration first = null;
        Duration cpu = null;
        Duration ready = null;
        long deadline = start + Duration.ofSeconds(150).toNanos();
        while (seen.size() < probes.size()) {
            assertThat(System.nanoTime()).as("%d of %d probe diagnoses within 150 s of the restart; log:%n%s", seen.size(),
                    probes.size(), BrokerProcess.tail(service.log())).isLessThan(deadline);
            assertThat(service.isAlive()).as("the service is alive; log:%n%s", BrokerProcess.tail(service.log())).isTrue();
            for (ConsumerRecord<String, byte[]> r : diagnoses.poll(Duration.ofMillis(50))) {
                if (probes.contains(r.key())) {
                    seen.put(r.key(), Workload.reparse(r.value()));
                    if (first == null) {
                        first = Duration.ofNanos(System.nanoTime() - start);
                        cpu = cpuTime(service.pid());
                    }
                }
            }
            if (ready == null && service.get("/health/ready").status() == 200) {
                ready = Duration.ofNanos(System.nanoTime() - start);
            }
        }
        Duration all = Duration.ofNanos(System.nanoTime() - start);
        seen.forEach((run, d) -> {
            assertThat(d.path("diagnosis").asText()).as(run).isEqualTo("warming_up");
            assertThat(d.path("epoch").asDouble()).as(run).isEqualTo(1.0);
            assertThat(d.path("evidence").path("points").asInt()).as(run).isEqualTo(1);
        });
        return new Restart(number, Duration.ofNanos(start - killedAt), first, all, ready == null ? all : ready, cpu,
                milestones(service.log(), startedAt));
    }

    /** The seconds from the start to the first log line of each phase of a restart (the service logs at INFO for these). */
    private static Map<String, Double> milestones(String log, Instant startedAt) {
        Map<String, String> phases = new LinkedHashMap<>();
        phases.put("started", "Loss Doctor started");
        phases.put("joining", "(Re-)joining group");
        phases.put("joined", "Successfully joined group");
        phases.put("producer id", "ProducerId set to");
        phases.put("assigned", "Adding newly assigned partitions");
        phases.put("restored", "Finished restoring changelog");
        phases.put("running", "REBALANCING -> RUNNING");
        String[] lines = log.substring(log.lastIndexOf("==== ")).split("\n");
        LocalTime start = LocalTime.ofInstant(startedAt, ZoneId.systemDefault());
        Map<String, Double> out = new LinkedHashMap<>();
        phases.forEach((phase, marker) -> {
            for (String line : lines) {
                if (line.contains(marker) && line.length() > 12) {
                    try {
                        LocalTime at = LocalTime.parse(line.substring(0, 12));
                        out.put(phase, Math.round(Duration.between(start, at).toMillis() / 100.0) / 10.0);
                    } catch (RuntimeException e) {
                        continue;
                    }
                    break;
                }
            }
        });
        long restoredRecords = Stream.of(lines).filter(l -> l.contains("Finished restoring changelog"))
                .mapToLong(StaticMembershipIT::restoredRecords).sum();
        out.put("records restored", (double) restoredRecords);
        return out;
    }

    private static long restoredRecords(String line) {
        int at = line.lastIndexOf("total number of ");
        if (at < 0) {
            return 0;
        }
        String rest = line.substring(at + "total number of ".length()).replaceAll("[^0-9].*", "");
        return rest.isEmpty() ? 0 : Long.parseLong(rest);
    }

    /** A read_committed consumer of every partition of the diagnoses topic, placed at its end; it validates what it reads. */
    private static KafkaConsumer<String, byte[]> fromTheEnd(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, byte[]> c = SchemaChecks.consumer(p, new ByteArrayDeserializer());
        List<TopicPartition> partitions = c.partitionsFor(Kafka.DIAGNOSES).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        c.assign(partitions);
        c.seekToEnd(partitions);
        partitions.forEach(c::position);
        return c;
    }

    /** The service's log at INFO for the phases of a restart: transactions, the group join, restoration. */
    private Path logConfig() throws IOException {
        Path f = dir.resolve("logback-restart.xml");
        if (!Files.exists(f)) {
            Files.writeString(f, """
                    <configuration>
                      <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
                        <target>System.err</target>
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                      </appender>
                      <logger name="org.apache.kafka" level="WARN"/>
                      <logger name="org.apache.kafka.clients.producer.internals.TransactionManager" level="INFO"/>
                      <logger name="org.apache.kafka.clients.consumer.internals.ConsumerCoordinator" level="INFO"/>
                      <logger name="org.apache.kafka.clients.consumer.internals.AbstractCoordinator" level="INFO"/>
                      <logger name="org.apache.kafka.streams.processor.internals.StoreChangelogReader" level="INFO"/>
                      <logger name="org.apache.kafka.streams.processor.internals.StateDirectory" level="INFO"/>
                      <logger name="org.apache.kafka.streams.StreamsConfig" level="ERROR"/>
                      <logger name="dev.lossdoctor" level="INFO"/>
                      <root level="WARN"><appender-ref ref="STDERR"/></root>
                    </configuration>
                    """, StandardCharsets.UTF_8);
        }
        return f;
    }

    private static <T> List<List<T>> slices(List<T> all, int n) {
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(all.subList(all.size() * i / n, all.size() * (i + 1) / n));
        }
        return out;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * The CPU time (user and system) a process has used so far, from /proc: on a machine whose two
     * cores are shared with other builds, this says more of what a restart costs than the wall time.
     */
    private static Duration cpuTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15 of stat
            return Duration.ofMillis(ticks * 10); // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return Duration.ZERO;
        }
    }

    /** The machine's 1-minute load average: these timings are CPU-bound, and the cores are shared. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double secs(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
