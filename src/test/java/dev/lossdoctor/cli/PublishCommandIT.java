package dev.lossdoctor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.io.EventFiles;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import dev.lossdoctor.kafka.EmbeddedKafkaBroker;
import dev.lossdoctor.schemas.SchemaChecks;
import dev.lossdoctor.schemas.Schemas;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loss-doctor publish} against a real broker, read back with a real consumer. */
class PublishCommandIT {

    private static final Path CORPUS = Path.of("bench/corpus");

    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private record Result(int exitCode, String out, String err, long millis) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private static Result publish(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("publish"));
        all.addAll(List.of(args));
        long start = System.nanoTime();
        int code = LossDoctor.execute(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @Test
    void shouldPublishEveryEventOfTheCorpusKeyedByRunIdInOrderPerRun() throws Exception {
        String topic = newTopic(4);
        Map<String, List<TrainingEvent>> expected = readPerRun(CORPUS);
        long events = expected.values().stream().mapToLong(List::size).sum();
        long lines = nonBlankLines(CORPUS, "pc-") + nonBlankLines(CORPUS, "sc-");
        long labels = nonBlankLines(CORPUS, "labels");

        Result r = publish("--bootstrap-servers", broker.bootstrapServers(), "--topic", topic, CORPUS.toString());

        assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
        assertThat(events).as("every line of the run files is an event").isEqualTo(lines);
        assertThat(expected).hasSize(77); // 64 pc- runs, 13 sc- schedule runs
        assertThat(r.out().lines().toList()).hasSize(1).first().asString()
                .startsWith("published " + events + " events of 77 runs from 78 file(s) to " + topic + " at " + broker.bootstrapServers() + " in ")
                .endsWith("; " + labels + " unusable line(s) skipped");
        // labels.jsonl is not an event file: each of its lines reported as analyze reports them
        assertThat(r.errLines()).hasSize((int) labels)
                .allMatch(l -> l.startsWith(CORPUS.resolve("labels.jsonl") + ":") && l.contains("needs an epoch or a step"));
        System.out.printf("publish: %d events of the corpus in %d ms (command, JVM warm): %s%n", events, r.millis(), r.out().strip());

        List<ConsumerRecord<String, byte[]>> records = consume(topic, events);
        assertThat(records).hasSize((int) events);
        EventParser parser = new EventParser();
        Map<String, Set<Integer>> partitions = new LinkedHashMap<>();
        Map<String, List<TrainingEvent>> received = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> rec : records) { // in offset order within each partition
            ParseResult parsed = parser.parse(null, rec.value(), null);
            assertThat(parsed).as("value at %s-%d", rec.partition(), rec.offset()).isInstanceOf(ParseResult.Accepted.class);
            TrainingEvent e = ((ParseResult.Accepted) parsed).event();
            assertThat(rec.key()).isEqualTo(e.runId());
            partitions.computeIfAbsent(rec.key(), k -> new TreeSet<>()).add(rec.partition());
            received.computeIfAbsent(rec.key(), k -> new ArrayList<>()).add(e);
        }
        assertThat(partitions.values()).as("each run on one partition").allMatch(p -> p.size() == 1);
        assertThat(partitions.values().stream().flatMap(Set::stream).distinct().count()).as("runs spread over partitions").isGreaterThan(1);
        assertThat(received.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((run, list) -> assertThat(received.get(run)).as("run %s, in file order", run).containsExactlyElementsOf(list));
        // the content, not only the count: a config, a point with its numbers, an end
        assertThat(received.get("pc-049").get(0)).isInstanceOfSatisfying(RunStarted.class, s -> {
            assertThat(s.config().optimizer()).isEqualTo("adagrad");
            assertThat(s.config().maxEpochs()).isEqualTo(30);
        });
        assertThat(received.get("pc-049").get(1)).isInstanceOfSatisfying(MetricsReported.class, m -> {
            assertThat(m.epoch()).isEqualTo(1);
            assertThat(m.step()).isEqualTo(27);
            assertThat(m.metrics()).containsEntry("train_loss", 0.7500205428827377).containsEntry("val_loss", 0.573603630065918);
        });
        assertThat(received.values()).allMatch(run -> run.get(run.size() - 1) instanceof RunFinished);
    }

    @Test
    void shouldPaceEachRunByItsOwnTimestampsTimesTheSpeed() throws Exception {
        String topic = newTopic(2);
        // "slow" took 16 s and "fast" 8 s, a day apart; "keras" (CSV) has no timestamps at all
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.writeString(logs.resolve("a.jsonl"), run("slow", "2026-01-05T09:00:00Z", 8, 2) + run("fast", "2026-01-06T09:00:00Z", 8, 1));
        Files.writeString(logs.resolve("keras.csv"), "epoch,loss,val_loss\n0,1.0,1.1\n1,0.8,0.9\n2,0.7,0.85\n");

        Result r = publish("--bootstrap-servers", broker.bootstrapServers(), "--topic", topic, "--speed", "8", logs.toString());

        assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("published 24 events of 3 runs").contains("paced at 8x");
        assertThat(r.errLines()).containsExactly("1 run(s) without timestamps go out unpaced: keras");
        assertThat(r.millis()).as("the slowest run: 16 s of timestamps at 8x").isGreaterThanOrEqualTo(2000);

        Map<String, List<ConsumerRecord<String, byte[]>>> byRun = consume(topic, 24).stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key, LinkedHashMap::new, Collectors.toList()));
        assertThat(byRun.keySet()).containsExactlyInAnyOrder("slow", "fast", "keras");
        // the records' timestamps are the send times: each run spread over its own span / 8
        assertThat(span(byRun.get("slow"))).isGreaterThanOrEqualTo(1900);
        assertThat(span(byRun.get("fast"))).isGreaterThanOrEqualTo(900);
        assertThat(epochs(byRun.get("slow"))).containsExactly(null, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 8L);
        assertThat(epochs(byRun.get("fast"))).containsExactly(null, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 8L);
        assertThat(epochs(byRun.get("keras"))).containsExactly(0L, 1L, 2L, 2L);
    }

    @Test
    void shouldTakeKafkaSettingsFromTheConfigFileAndSystemPropertiesAsRunDoes() throws Exception {
        String topic = newTopic(1);
        Path config = Files.writeString(dir.resolve("publish.properties"),
                "metrics.topic=" + topic + "\nkafka.compression.type=gzip\nkafka.commit.interval.ms=100\n");
        Path file = Files.writeString(dir.resolve("r.jsonl"), run("r", "2026-01-05T09:00:00Z", 3, 1));
        System.setProperty("lossdoctor.bootstrap.servers", broker.bootstrapServers());
        Result r;
        try {
            r = publish("--config", config.toString(), file.toString());
        } finally {
            System.clearProperty("lossdoctor.bootstrap.servers");
        }

        assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).startsWith("published 5 events of 1 runs from 1 file(s) to " + topic + " at " + broker.bootstrapServers());
        assertThat(epochs(consume(topic, 5))).containsExactly(null, 1L, 2L, 3L, 3L);
    }

    @Test
    void shouldRejectABadArgumentInOneLineAndPublishNothing() throws Exception {
        String topic = newTopic(1);
        Path file = Files.writeString(dir.resolve("r.jsonl"), run("r", "2026-01-05T09:00:00Z", 3, 1));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path missing = dir.resolve("missing.jsonl");
        Map<List<String>, String> cases = new LinkedHashMap<>();
        cases.put(List.of("--speed", "0", file.toString()), "loss-doctor: --speed must be a positive number (10: ten times the pace of the timestamps), not '0'");
        cases.put(List.of("--speed", "fast", file.toString()), "loss-doctor: --speed must be a positive number (10: ten times the pace of the timestamps), not 'fast'");
        cases.put(List.of(missing.toString()), "loss-doctor: " + missing + ": no such file or directory");
        cases.put(List.of(file.toString(), missing.toString()), "loss-doctor: " + missing + ": no such file or directory");
        cases.put(List.of(empty.toString()), "loss-doctor: nothing to publish: no usable events in " + empty);
        cases.put(List.of("--timeout", "soon", file.toString()), "loss-doctor: startup.timeout (command line): 'soon' is not a duration "
                + "(write it like 30m, 90s, 2h, 500ms, 1d or PT30M)");
        cases.put(List.of("--config", dir.resolve("none.properties").toString(), file.toString()),
                "loss-doctor: can't read the config file " + dir.resolve("none.properties") + ": no such file");

        cases.forEach((args, line) -> {
            List<String> all = new ArrayList<>(List.of("--bootstrap-servers", broker.bootstrapServers(), "--topic", topic));
            all.addAll(args);
            Result r = publish(all.toArray(String[]::new));

            assertThat(r.exitCode()).as("%s", args).isEqualTo(2);
            assertThat(r.errLines()).as("%s", args).containsExactly(line);
            assertThat(r.out()).isEmpty();
        });
        assertThat(endOffset(topic)).as("nothing published").isZero();
    }

    @Test
    void shouldGiveUpInOneLineWhenKafkaDoesNotAnswerInTime() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path file = Files.writeString(dir.resolve("r.jsonl"), run("r", "2026-01-05T09:00:00Z", 3, 1));

        Result r = publish("--bootstrap-servers", "127.0.0.1:" + closedPort, "--timeout", "2s", file.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("loss-doctor: Kafka at 127.0.0.1:" + closedPort + " did not answer within 2s");
        assertThat(r.out()).isEmpty();
        assertThat(r.millis()).isBetween(1500L, 20_000L);
    }

    /** A run's JSON Lines: run_started, a point every {@code secondsPerEpoch} s, run_finished. */
    private static String run(String id, String start, int epochs, int secondsPerEpoch) {
        java.time.Instant t0 = java.time.Instant.parse(start);
        StringBuilder s = new StringBuilder("{\"type\":\"run_started\",\"run_id\":\"" + id + "\",\"timestamp\":\"" + t0 + "\"}\n");
        for (int e = 1; e <= epochs; e++) {
            s.append("{\"run_id\":\"").append(id).append("\",\"epoch\":").append(e).append(",\"timestamp\":\"")
                    .append(t0.plusSeconds((long) e * secondsPerEpoch)).append("\",\"metrics\":{\"train_loss\":")
                    .append(1.0 / e).append(",\"val_loss\":").append(1.1 / e).append("}}\n");
        }
        return s.append("{\"type\":\"run_finished\",\"run_id\":\"").append(id).append("\",\"epoch\":").append(epochs)
                .append(",\"timestamp\":\"").append(t0.plusSeconds((long) epochs * secondsPerEpoch)).append("\"}\n").toString();
    }

    private static List<Long> epochs(List<ConsumerRecord<String, byte[]>> records) {
        EventParser parser = new EventParser();
        List<Long> epochs = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            TrainingEvent e = ((ParseResult.Accepted) parser.parse(r.key(), r.value(), null)).event();
            epochs.add(e instanceof MetricsReported m ? m.epoch() : e instanceof RunFinished f ? f.epoch() : null);
        }
        return epochs;
    }

    private static long span(List<ConsumerRecord<String, byte[]>> records) {
        return records.get(records.size() - 1).timestamp() - records.get(0).timestamp();
    }

    private static Map<String, List<TrainingEvent>> readPerRun(Path dir) throws IOException {
        Map<String, List<TrainingEvent>> runs = new LinkedHashMap<>();
        EventFiles reader = new EventFiles();
        for (Path f : EventFiles.expand(List.of(dir))) {
            reader.read(f, e -> runs.computeIfAbsent(e.runId(), k -> new ArrayList<>()).add(e), p -> { });
        }
        return runs;
    }

    private static long nonBlankLines(Path dir, String prefix) throws IOException {
        long n = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
                n += Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count();
            }
        }
        return n;
    }

    private static String newTopic(int partitions) throws Exception {
        String name = "metrics-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return name;
    }

    private static long endOffset(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Every record of the topic, partition by partition in offset order, once {@code count} are there (or after 60 s). */
    private static List<ConsumerRecord<String, byte[]>> consume(String topic, long count) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add); // anything past the count (a duplicate) shows too
        }
        records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset()));
        return records;
    }

    /** A consumer of a test's input topic (named for the test): each value it reads is validated against the input schema. */
    private static KafkaConsumer<String, byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return SchemaChecks.consumer(p, Schemas.METRICS, new ByteArrayDeserializer());
    }
}
