package dev.lossdoctor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.cli.LossDoctor;
import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.Siblings;
import dev.lossdoctor.core.SweepRule;
import dev.lossdoctor.core.SweepStats;
import dev.lossdoctor.core.Sweeps;
import dev.lossdoctor.core.SweepCodec;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.service.DiagnosisMeters;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs of a sweep through the whole topology: their points re-keyed by sweep id to the sweep's
 * task, the verdicts back to each run's task, and {@code lagging} out as {@code analyze} says it.
 */
class SweepTopologyTest {

    /** 18 runs of one sweep (a grid of learning rates and widths on sklearn's wine), trained with PyTorch. */
    private static final Path SWEEP = Path.of("bench/sweeps/wine.jsonl");

    private static final String UNTIMED = "@untimed@";

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, String> input;
    private TestOutputTopic<String, DiagnosisEvent> diagnoses;
    private TestOutputTopic<String, RunStatus> statuses;

    private void start() {
        start(TopologyConfig.defaults());
    }

    private void start(TopologyConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "loss-doctor-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("s" + System.nanoTime()).toString());
        Topics topics = Topics.defaults();
        driver = new TopologyTestDriver(LossDoctorTopology.build(config), props,
                Instant.parse("2026-02-01T08:00:00Z"));
        input = driver.createInputTopic(topics.metrics().name(), new StringSerializer(), new StringSerializer());
        diagnoses = driver.createOutputTopic(topics.diagnoses().name(), topics.diagnoses().keySerde().deserializer(),
                topics.diagnoses().valueSerde().deserializer());
        statuses = driver.createOutputTopic(topics.status().name(), topics.status().keySerde().deserializer(),
                topics.status().valueSerde().deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** A line of the file; {@code progress}: -1 for a start, the epoch of a point, MAX for an end. */
    private record Line(String runId, Instant at, long progress, String json) {
    }

    /** The lines; one without a time (this sweep's ends) gets its run's latest time as its record time. */
    private static List<Line> lines(Path file) {
        Map<String, Instant> last = new LinkedHashMap<>();
        return OfflineAnalysis.lines(file).stream().map(l -> {
            JsonNode n = Json.read(l);
            String run = n.get("run_id").asText();
            Instant at = n.has("timestamp") ? Instant.parse(n.get("timestamp").asText()) : last.get(run);
            last.put(run, at);
            String type = n.path("type").asText("metrics");
            long progress = type.equals("run_started") ? -1 : type.equals("run_finished") ? Long.MAX_VALUE : n.get("epoch").asLong();
            return new Line(run, at, progress, l);
        }).toList();
    }

    /**
     * The order analyze puts a sweep with untimed events in (cli.SweepOrder): every start, then
     * every run's epoch 1, 2, ..., then the ends; ties in file order.
     */
    private static List<Line> byProgress(List<Line> lines) {
        return lines.stream().sorted(Comparator.comparingLong(Line::progress)).toList();
    }

    private void send(List<Line> lines) {
        lines.forEach(l -> input.pipeInput(l.runId(), l.json(), l.at()));
    }

    private static List<String> analyze(Path file, String format) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = LossDoctor.execute(new PrintWriter(out), new PrintWriter(err), "analyze", "--format", format, file.toString());
        assertThat(code).as("stderr: " + err).isZero();
        return out.toString().lines().filter(l -> !l.isBlank()).toList();
    }

    /** Each run's events in order, as {@code run id -> wire JSON texts}. */
    private static Map<String, List<String>> byRun(List<String> json) {
        Map<String, List<String>> out = new TreeMap<>();
        json.forEach(j -> out.computeIfAbsent(Json.read(j).get("run_id").asText(), k -> new ArrayList<>()).add(j));
        return out;
    }

    @Test
    void shouldSayLaggingWithItsEvidenceAsAnalyzeDoes() {
        start();
        // the sweep's runs side by side, as analyze takes them
        List<Line> ordered = byProgress(lines(SWEEP));

        send(ordered);

        List<DiagnosisEvent> streamed = diagnoses.readValuesToList();
        List<String> offline = analyze(SWEEP, "jsonl");
        List<DiagnosisEvent> lagging = streamed.stream().filter(e -> e.diagnosis() == Diagnosis.LAGGING).toList();
        assertThat(lagging).as("lagging events").hasSizeGreaterThanOrEqualTo(3);
        DiagnosisEvent first = lagging.get(0);
        assertThat(first.evidence()).containsEntry("sweep_id", "torch-wine").containsKeys("rank", "siblings", "median_best_val_loss");
        assertThat(first.recommendations().get(0)).startsWith("stop: ").contains("siblings were better at epoch");
        // every event of every run, evidence included, the same as analyze's
        // the ends of this sweep's runs carry no time: analyze's events of them have none, the stream's the record's
        Map<String, List<String>> stream = byRun(OfflineAnalysis.json(streamed)), analyze = byRun(offline.stream()
                .map(j -> Json.read(j).has("timestamp") ? j : j.substring(0, j.length() - 1) + ",\"timestamp\":\"" + UNTIMED + "\"}")
                .toList());
        stream.forEach((run, events) -> analyze.put(run, analyze.getOrDefault(run, List.of()).stream()
                .map(j -> j.replace(UNTIMED, Json.read(events.get(events.size() - 1)).get("timestamp").asText()))
                .toList()));
        assertThat(stream.keySet()).isEqualTo(analyze.keySet());
        stream.forEach((run, events) -> assertThat(events).as(run).containsExactlyElementsOf(analyze.get(run)));

        Map<String, RunStatus> latest = statuses.readKeyValuesToMap();
        RunStatus laggard = latest.get(first.runId());
        assertThat(laggard.siblings()).isNotNull();
        assertThat(laggard.siblings().sweepId()).isEqualTo("torch-wine");
        // its place among its siblings in its last status, as analyze's status says it
        JsonNode offlineStatus = analyze(SWEEP, "status").stream().map(Json::read)
                .filter(n -> n.get("run_id").asText().equals(first.runId())).findFirst().orElseThrow();
        JsonNode siblings = offlineStatus.get("siblings");
        assertThat(laggard.siblings().rank()).isEqualTo(siblings.get("rank").asInt());
        assertThat(laggard.siblings().of()).isEqualTo(siblings.get("of").asInt());
        assertThat(laggard.siblings().at()).isEqualTo(siblings.get("at_epoch").asLong());
        assertThat(laggard.siblings().lagging()).isEqualTo(siblings.get("lagging").asBoolean());
        assertThat(laggard.diagnosis().id()).isEqualTo(Diagnosis.valueOf(offlineStatus.get("diagnosis").asText().toUpperCase()).id());
    }

    @Test
    void shouldReachTheSameVerdictsWhateverTheOrderTheSiblingsArriveIn() {
        List<Line> all = lines(SWEEP);
        Map<String, Siblings> inOrder = finalVerdicts(byProgress(all), all);
        assertThat(inOrder).hasSize(18);
        assertThat(inOrder.values()).as("some run lags at the end, some does not")
                .anyMatch(Siblings::lagging).anyMatch(s -> !s.lagging());
        for (long seed = 1; seed <= 3; seed++) {
            close();
            assertThat(finalVerdicts(interleaved(all, new Random(seed)), all)).as("seed " + seed).isEqualTo(inOrder);
        }
    }

    /**
     * Each run's place among its siblings once every run has reported all its points: the lines in
     * the given order, then each run's last point once more (a duplicate: it changes no statistic,
     * and asks the sweep for a verdict on the full set).
     */
    private Map<String, Siblings> finalVerdicts(List<Line> order, List<Line> all) {
        start();
        send(order);
        Map<String, Line> lastPoint = new LinkedHashMap<>();
        all.stream().filter(l -> l.json().contains("\"metrics\"")).forEach(l -> lastPoint.put(l.runId(), l));
        send(List.copyOf(lastPoint.values()));
        KeyValueStore<String, SweepCodec.Member> members = driver.getKeyValueStore(LossDoctorTopology.SWEEP_MEMBER_STORE);
        Map<String, Siblings> out = new TreeMap<>();
        lastPoint.keySet().forEach(run -> out.put(run, members.get(run).overlay().latest()));
        return out;
    }

    /**
     * Random sweeps (6 to 12 runs, random curves) through the topology in two random interleavings
     * (each run's points in its own order) that pass the same cuts, where every run has reported
     * exactly its epochs up to the cut: at every cut each run's latest place among its siblings (its
     * overlay in the member store) is the same in both, and it is what the core says of the points
     * up to the cut, whichever run reported last.
     */
    @Test
    void shouldGiveEveryRunTheSameVerdictAtEveryEpochAllSiblingsReportedWhateverTheInterleaving() {
        int ranked = 0;
        for (long seed = 1; seed <= 4; seed++) {
            Random rnd = new Random(seed);
            int runs = 6 + rnd.nextInt(7), epochs = 12 + rnd.nextInt(25);
            float[][] val = new float[runs][epochs + 1];
            for (int r = 0; r < runs; r++) {
                double level = 0.2 + rnd.nextDouble(), rate = 0.05 + rnd.nextDouble() * 0.3;
                for (int e = 0; e <= epochs; e++) {
                    val[r][e] = (float) (level + Math.exp(-rate * e) + 0.05 * rnd.nextGaussian());
                }
            }
            List<Integer> cuts = new ArrayList<>();
            for (int e = 0; e < epochs; e++) {
                if (rnd.nextInt(3) == 0) {
                    cuts.add(e);
                }
            }
            cuts.add(epochs);
            List<Map<String, Siblings>> a = verdictsAtCuts(val, cuts, new Random(100 + seed));
            List<Map<String, Siblings>> b = verdictsAtCuts(val, cuts, new Random(200 + seed));
            for (int i = 0; i < cuts.size(); i++) {
                Map<String, Siblings> expected = coreVerdicts(val, cuts.get(i));
                assertThat(a.get(i)).as("seed %d, cut at epoch %d", seed, cuts.get(i)).isEqualTo(expected);
                assertThat(b.get(i)).as("seed %d, cut at epoch %d", seed, cuts.get(i)).isEqualTo(a.get(i));
            }
            ranked += a.get(cuts.size() - 1).size();
            assertThat(a.get(cuts.size() - 1).values()).as("seed %d: every run ranked at the end", seed).hasSize(runs);
        }
        assertThat(ranked).isGreaterThanOrEqualTo(4 * 6);
    }

    private static String run(int r) {
        return "sw-r" + r;
    }

    /** Each run's latest place among its siblings (its overlay) at each cut, the points interleaved at random between cuts. */
    private List<Map<String, Siblings>> verdictsAtCuts(float[][] val, List<Integer> cuts, Random rnd) {
        close();
        start();
        Instant t = Instant.parse("2026-02-01T08:00:00Z");
        for (int r = 0; r < val.length; r++) {
            input.pipeInput(run(r), "{\"type\":\"run_started\",\"run_id\":\"" + run(r) + "\",\"timestamp\":\"" + t
                    + "\",\"config\":{\"sweep_id\":\"sw\"}}", t);
        }
        KeyValueStore<String, SweepCodec.Member> members = driver.getKeyValueStore(LossDoctorTopology.SWEEP_MEMBER_STORE);
        List<Map<String, Siblings>> out = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            List<Deque<Integer>> queues = new ArrayList<>();
            List<Integer> runOf = new ArrayList<>();
            for (int r = 0; r < val.length; r++) {
                Deque<Integer> q = new ArrayDeque<>();
                for (int e = from; e <= cut; e++) {
                    q.add(e);
                }
                queues.add(q);
                runOf.add(r);
            }
            while (!queues.isEmpty()) {
                int i = rnd.nextInt(queues.size());
                int r = runOf.get(i), e = queues.get(i).poll();
                t = t.plusSeconds(1);
                input.pipeInput(run(r), "{\"run_id\":\"" + run(r) + "\",\"epoch\":" + e + ",\"timestamp\":\"" + t
                        + "\",\"metrics\":{\"train_loss\":" + val[r][e] + ",\"val_loss\":" + val[r][e] + "}}", t);
                if (queues.get(i).isEmpty()) {
                    queues.remove(i);
                    runOf.remove(i);
                }
            }
            Map<String, Siblings> latest = new TreeMap<>();
            for (int r = 0; r < val.length; r++) {
                Siblings s = members.get(run(r)).overlay().latest();
                if (s != null) {
                    latest.put(run(r), s);
                }
            }
            out.add(latest);
            from = cut + 1;
        }
        return out;
    }

    /** What the core says of each run given every run's points up to {@code cut}. */
    private static Map<String, Siblings> coreVerdicts(float[][] val, int cut) {
        SweepStats stats = new SweepStats("sw");
        for (int r = 0; r < val.length; r++) {
            for (int e = 0; e <= cut; e++) {
                stats.add(run(r), Sweeps.point(new MetricsReported(run(r), (long) e, null, null,
                        Map.of("train_loss", (double) val[r][e], "val_loss", (double) val[r][e]))));
            }
        }
        Map<String, Siblings> out = new TreeMap<>();
        for (int r = 0; r < val.length; r++) {
            Siblings s = stats.verdict(run(r), null, SweepRule.DEFAULT);
            if (s != null) {
                out.put(run(r), s);
            }
        }
        return out;
    }

    /**
     * The {@code lossdoctor_runs} gauges count a lagging run as lagging (what its status shows), not
     * as its own diagnosis underneath; once the sweep's runs finished and the grace passed, the runs
     * and the sweep's statistics are let go, and every gauge is back to zero.
     */
    @Test
    void shouldCountLaggingRunsAsLaggingAndLetTheSweepGoWhenItIsOver() {
        DiagnosisMeters meters = new DiagnosisMeters(0);
        start(TopologyConfig.defaults().withMetrics(meters));
        List<Line> ordered = byProgress(lines(SWEEP));
        send(ordered.stream().filter(l -> l.progress() != Long.MAX_VALUE).toList());

        Map<String, RunStatus> latest = statuses.readKeyValuesToMap();
        assertThat(latest).hasSize(18);
        Map<Diagnosis, Long> shown = latest.values().stream()
                .collect(java.util.stream.Collectors.groupingBy(RunStatus::diagnosis, java.util.stream.Collectors.counting()));
        assertThat(shown.get(Diagnosis.LAGGING)).as("runs lagging before their ends").isGreaterThanOrEqualTo(3);
        for (Diagnosis d : Diagnosis.values()) {
            assertThat(meters.runs(d)).as(d.code()).isEqualTo(shown.getOrDefault(d, 0L));
        }
        KeyValueStore<String, ?> sweeps = driver.getKeyValueStore(LossDoctorTopology.SWEEP_STORE);
        assertThat(sweeps.get("torch-wine")).isNotNull();

        send(ordered.stream().filter(l -> l.progress() == Long.MAX_VALUE).toList());
        assertThat(meters.runs(Diagnosis.LAGGING)).as("a finished run lags no more").isZero();
        // the sweeper's clock (the driver's, from 08:00) 5 minutes past the sweep's last record time
        Instant last = ordered.stream().map(Line::at).max(Comparator.naturalOrder()).orElseThrow();
        driver.advanceWallClockTime(java.time.Duration.between(Instant.parse("2026-02-01T08:00:00Z"), last).plusMinutes(5));
        assertThat(sweeps.get("torch-wine")).as("within the grace").isNotNull();
        driver.advanceWallClockTime(TopologyConfig.DEFAULT_FINISHED_GRACE);
        assertThat(sweeps.get("torch-wine")).as("all runs finished, the grace passed").isNull();
        for (Diagnosis d : Diagnosis.values()) {
            assertThat(meters.runs(d)).as(d.code()).isZero();
        }
    }

    /** The runs' lines randomly interleaved, each run's own in its order (as each run's partition keeps them). */
    private static List<Line> interleaved(List<Line> lines, Random random) {
        Map<String, Deque<Line>> perRun = new LinkedHashMap<>();
        lines.forEach(l -> perRun.computeIfAbsent(l.runId(), k -> new ArrayDeque<>()).add(l));
        List<Deque<Line>> queues = new ArrayList<>(perRun.values());
        List<Line> out = new ArrayList<>(lines.size());
        while (!queues.isEmpty()) {
            int i = random.nextInt(queues.size());
            out.add(queues.get(i).poll());
            if (queues.get(i).isEmpty()) {
                queues.remove(i);
            }
        }
        return out;
    }
}
