package dev.lossdoctor.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.cli.LossDoctor;
import dev.lossdoctor.io.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo --replay DIR}: the user's own logs, any format, replayed through the embedded broker and service. */
class DemoReplayIT {

    private static final Path CORPUS = Path.of("bench/corpus");

    @TempDir
    Path dir;

    private record Run(String diagnosis, boolean finished) {
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldServeTheReplayedRunsWithTheDiagnosesAnalyzeGivesTheSameLogs() throws Exception {
        // three JSON Lines runs (diverging, learning, data issue), one as a Keras CSVLogger file, one unusable line
        Path logs = Files.createDirectories(dir.resolve("my-runs"));
        for (String run : List.of("pc-043", "pc-018", "pc-025")) {
            Files.copy(CORPUS.resolve(run + ".jsonl"), logs.resolve(run + ".jsonl"));
        }
        Files.writeString(logs.resolve("keras-045.csv"), kerasCsv(CORPUS.resolve("pc-045.jsonl")));
        Files.writeString(logs.resolve("notes.jsonl"), "{\"run_id\":\"x\",\"note\":\"no epoch here\"}\n");
        Map<String, String> analyzed = lastDiagnoses(logs);
        assertThat(analyzed).containsOnlyKeys("pc-043", "pc-018", "pc-025", "keras-045");

        int kafkaPort = Ports.freePort();
        int httpPort = Ports.freePort();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread demo = new Thread(() -> exit.set(LossDoctor.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "demo", "--replay", logs.toString(), "--kafka-port", "" + kafkaPort, "--http-port", "" + httpPort,
                "--speed", "20", "--duration", "200", "--plain")), "demo-replay-under-test");
        demo.start();

        Map<String, Run> onRuns = Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (demo.isAlive() && System.nanoTime() < deadline
                && !(onRuns.keySet().equals(analyzed.keySet()) && onRuns.values().stream().allMatch(Run::finished))) {
            Thread.sleep(500);
            onRuns = runs(httpPort);
        }
        Map<String, Integer> onTopics = demo.isAlive() ? DemoIT.readTopics(kafkaPort) : Map.of();
        demo.interrupt();
        demo.join(TimeUnit.SECONDS.toMillis(30));
        System.out.println(out);

        assertThat(exit.get()).as("exit code; stderr: %s", err).isZero();
        assertThat(err.toString()).contains(logs.resolve("notes.jsonl") + ":1: ").contains("1 unusable line(s) skipped");
        assertThat(onRuns.keySet()).as("the runs of the logs, and no bundled one").isEqualTo(analyzed.keySet());
        assertThat(onRuns.values()).allMatch(Run::finished);
        onRuns.forEach((id, run) -> assertThat(run.diagnosis()).as("run %s", id).isEqualTo(analyzed.get(id)));
        assertThat(analyzed.values()).as("a problem among them").contains("diverging");
        assertThat(out.toString()).contains("run pc-043").contains("run keras-045").doesNotContain("run demo-");
        // the replayed events (the Keras CSV's too) and what the service made of them, each valid under its schema
        System.out.println("DemoReplayIT: records on the demo broker's topics, each valid under its schema: " + onTopics);
        assertThat(onTopics.get("training-metrics")).as("replayed events on the topic").isPositive();
        assertThat(onTopics.get("training-diagnoses")).as("diagnosis events on the topic").isPositive();
    }

    /** The Keras CSVLogger form of a corpus run: epoch from 0, loss, val_loss (no config, no timestamps). */
    private static String kerasCsv(Path jsonl) throws Exception {
        StringBuilder csv = new StringBuilder("epoch,loss,val_loss\n");
        for (String line : Files.readAllLines(jsonl)) {
            JsonNode e = Json.read(line);
            if (e.has("metrics") && e.get("metrics").has("train_loss") && e.get("metrics").has("val_loss")) {
                csv.append(e.get("epoch").asLong() - 1).append(',').append(e.get("metrics").get("train_loss").asText())
                        .append(',').append(e.get("metrics").get("val_loss").asText()).append('\n');
            }
        }
        return csv.toString();
    }

    /** run id → its last diagnosis, by {@code analyze --format jsonl}. */
    private static Map<String, String> lastDiagnoses(Path logs) throws Exception {
        StringWriter out = new StringWriter();
        int code = LossDoctor.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "analyze", "--format", "jsonl",
                logs.toString());
        assertThat(code).isZero();
        Map<String, String> last = new TreeMap<>();
        for (String line : out.toString().lines().toList()) {
            JsonNode d = Json.read(line);
            last.put(d.get("run_id").asText(), d.get("diagnosis").asText());
        }
        return last;
    }

    /** run id → diagnosis and finished, from GET /runs (empty while the service is not answering yet). */
    private static Map<String, Run> runs(int httpPort) {
        Map<String, Run> runs = new TreeMap<>();
        DemoIT.statuses(httpPort).forEach(run -> runs.put(run.get("run_id").asText(),
                new Run(run.get("diagnosis").asText(), run.path("finished").asBoolean())));
        return runs;
    }
}
