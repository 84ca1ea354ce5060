package dev.lossdoctor.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.cli.LossDoctor;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.schemas.SchemaChecks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code loss-doctor demo} for real: embedded broker, service, trainers; its plain output and its HTTP answers. */
class DemoIT {

    private static final Set<String> PROBLEMS = Set.of("overfitting", "plateau", "data_issue", "diverging", "oscillating", "underfitting");
    private static final Pattern CHANGE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d run (\\S+)(?: epoch \\d+)?: ([a-z_]+) \\((info|warning|critical)\\)",
            Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldShowTheRunsAndTheirDiagnosesInItsPlainOutputAndOnRuns() throws Exception {
        int kafkaPort = Ports.freePort();
        int httpPort = Ports.freePort();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        long start = System.nanoTime();
        // --duration is the backstop: the test stops the demo (as Ctrl-C would) once it has seen enough
        Thread demo = new Thread(() -> exit.set(LossDoctor.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "demo", "--kafka-port", "" + kafkaPort, "--http-port", "" + httpPort, "--speed", "10", "--duration", "200",
                "--plain")), "demo-under-test");
        demo.start();

        // while it runs: /runs answers with the runs and their diagnoses
        Map<String, String> onRuns = new TreeMap<>();
        try {
            await().atMost(Duration.ofSeconds(180)).pollInSameThread().pollInterval(Duration.ofMillis(500)).until(() -> {
                onRuns.putAll(runs(httpPort));
                Map<String, List<String>> seen = changes(out.toString());
                return !demo.isAlive()
                        || seen.size() >= 8 && anyProblem(seen) && onRuns.values().stream().anyMatch(PROBLEMS::contains);
            });
        } catch (ConditionTimeoutException e) {
            // the assertions below say what was missing
        }
        System.out.printf("demo saw enough after %.1f s; /runs had %s%n", (System.nanoTime() - start) / 1e9, onRuns);
        Map<String, Integer> onTopics = demo.isAlive() ? readTopics(kafkaPort) : Map.of();
        demo.interrupt();
        demo.join(TimeUnit.SECONDS.toMillis(30));
        System.out.println(out);

        assertThat(demo.isAlive()).as("demo stopped").isFalse();
        assertThat(exit.get()).as("exit code; stderr: %s", err).isZero();
        assertThat(out.toString()).contains("Kafka:   127.0.0.1:" + kafkaPort + " — point your trainers here")
                .contains("http://127.0.0.1:" + httpPort + "/runs")
                .contains("http://127.0.0.1:" + httpPort + "/metrics")
                .contains("http://127.0.0.1:" + httpPort + "/health/ready")
                .contains(" stopped: ")
                .doesNotContain("\u001b[");
        Map<String, List<String>> printed = changes(out.toString());
        assertThat(printed.keySet()).as("runs in the output").hasSizeGreaterThanOrEqualTo(8).allMatch(id -> id.startsWith("demo-"));
        assertThat(anyProblem(printed)).as("a problem diagnosis in the output: %s", printed).isTrue();
        assertThat(onRuns).as("runs on /runs").isNotEmpty();
        assertThat(onRuns.keySet()).anyMatch(printed::containsKey);
        assertThat(onRuns.values()).as("diagnoses on /runs").anyMatch(PROBLEMS::contains);
        assertThat(onTopics).as("records on the demo broker's topics, each valid under its schema")
                .hasEntrySatisfying("training-metrics", n -> assertThat(n).isPositive())
                .hasEntrySatisfying("training-diagnoses", n -> assertThat(n).isPositive())
                .hasEntrySatisfying("training-run-status", n -> assertThat(n).isPositive());
        assertThat(Ports.isFree("127.0.0.1", kafkaPort) && Ports.isFree("127.0.0.1", httpPort)).as("ports released").isTrue();
    }

    /** run id → the diagnoses the plain output printed for it, in order. */
    private static Map<String, List<String>> changes(String text) {
        Map<String, List<String>> printed = new TreeMap<>();
        Matcher m = CHANGE.matcher(text);
        while (m.find()) {
            printed.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
        }
        return printed;
    }

    private static boolean anyProblem(Map<String, List<String>> printed) {
        return printed.values().stream().flatMap(List::stream).anyMatch(PROBLEMS::contains);
    }

    @Test
    void shouldSayInOneLineWhichPortIsInUseAndStartNothing() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();
            int free = Ports.freePort();

            for (String option : List.of("--kafka-port", "--http-port")) {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                List<String> args = new ArrayList<>(List.of("demo", "--plain", "--duration", "1"));
                args.addAll(option.equals("--kafka-port")
                        ? List.of("--kafka-port", "" + port, "--http-port", "" + free)
                        : List.of("--kafka-port", "" + free, "--http-port", "" + port));

                int exit = LossDoctor.execute(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));

                assertThat(exit).isNotZero();
                assertThat(err.toString()).isEqualTo("loss-doctor: port " + port + " is already in use (try " + option + ")"
                        + System.lineSeparator());
                assertThat(out.toString()).isEmpty();
                assertThat(Ports.isFree("127.0.0.1", free)).as("nothing left listening").isTrue();
            }
        }
    }

    /**
     * How many records each topic of the contract holds on the demo's broker, read from the start to
     * its end offsets (read_committed), each validated against its topic's schemas as it is read.
     */
    static Map<String, Integer> readTopics(int kafkaPort) {
        Map<String, Integer> counts = new TreeMap<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        for (String topic : List.of("training-metrics", "training-diagnoses", "training-run-status", "training-metrics-dlq")) {
            try (KafkaConsumer<String, byte[]> consumer = SchemaChecks.consumer(p, new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(i -> new TopicPartition(topic, i.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                int n = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                    n += consumer.poll(Duration.ofMillis(200)).count();
                }
                counts.put(topic, n);
            }
        }
        return counts;
    }

    /** run id → diagnosis, from GET /runs (empty while the service is not answering yet). */
    private static Map<String, String> runs(int httpPort) {
        Map<String, String> runs = new TreeMap<>();
        statuses(httpPort).forEach(run -> runs.put(run.get("run_id").asText(), run.get("diagnosis").asText()));
        return runs;
    }

    /** The run statuses GET /runs answers, each validated against the status schema (none while the service is not answering yet). */
    static List<JsonNode> statuses(int httpPort) {
        List<JsonNode> statuses = new ArrayList<>();
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/runs"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                SchemaChecks.httpAnswer(r.uri(), r.statusCode(), r.body());
                Json.read(r.body()).forEach(statuses::add);
            }
        } catch (java.io.IOException e) {
            // not up yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return statuses;
    }
}
