package dev.lossdoctor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.cli.LossDoctor;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.kafka.KafkaBrokerExtension;
import dev.lossdoctor.schemas.Schemas;
import dev.lossdoctor.streams.OfflineAnalysis;
import dev.lossdoctor.testing.PrometheusScrape;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where a run is heading and what training after the advice to stop cost, through a real broker and
 * two instances: real runs of the dev set and the corpus, spread over four partitions, each end in a
 * status on the status topic whose {@code forecast} and {@code after_stop_advice} are those of
 * {@code analyze --format status} on the same files, field by field; and the two instances' counters
 * of the epochs and seconds after the advice add up to the runs' totals.
 */
class ForecastAndCostTwoInstancesIT {

    private static final Path DEV = Path.of(System.getProperty("shared.dir", "../shared")).resolve("curves/dev");
    private static final Path CORPUS = Path.of("bench/corpus");
    private static final int PARTITIONS = 4;
    /**
     * Runs still improving at their end (a forecast: dev-001, dev-008, pc-006), runs advised to stop
     * and trained on (diverging, overfitting, converged; dev-032 with seconds that are not its epochs),
     * runs with both (a plateau or an early convergence with a forecast), and sc-005, a linear decay
     * per step read as learning to the schedule's end (converged at its last point: no time after).
     */
    private static final List<Path> RUNS = Stream.concat(
            Stream.of("dev-001", "dev-008", "dev-010", "dev-011", "dev-002", "dev-014", "dev-032")
                    .map(id -> DEV.resolve(id + ".jsonl")),
            Stream.of("pc-006", "pc-012", "pc-019", "sc-005", "sc-007").map(id -> CORPUS.resolve(id + ".jsonl"))).toList();

    @RegisterExtension
    static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();

    @Test
    void shouldPublishTheForecastAndTheTimeAfterTheStopAdviceAnalyzeGivesFromEitherInstance() throws Exception {
        Map<String, JsonNode> expected = analyzeStatuses(RUNS);
        assertThat(expected).hasSize(RUNS.size());
        assertThat(expected.values()).as("runs with a forecast").filteredOn(s -> s.hasNonNull("forecast")).hasSizeGreaterThanOrEqualTo(8);
        assertThat(expected.values()).as("runs trained on after the advice to stop")
                .filteredOn(s -> s.path("after_stop_advice").path("epochs").asLong() > 0).hasSizeGreaterThanOrEqualTo(8);
        assertThat(expected.values()).as("runs whose time after the advice is not one second an epoch")
                .filteredOn(s -> s.path("after_stop_advice").path("seconds").asLong() != s.path("after_stop_advice").path("epochs").asLong())
                .isNotEmpty();
        Set<Integer> partitions = new HashSet<>();
        for (String run : expected.keySet()) { // the default partitioner's choice for these keys
            partitions.add(Utils.toPositive(Utils.murmur2(run.getBytes())) % PARTITIONS);
        }
        assertThat(partitions).as("the runs' partitions").hasSizeGreaterThanOrEqualTo(3);

        try (LossDoctorService first = LossDoctorService.start(ItSupport.config(kafka.broker(),
                Files.createTempDirectory("loss-doctor-a-"), PARTITIONS));
             LossDoctorService second = LossDoctorService.start(ItSupport.config(kafka.broker(),
                     Files.createTempDirectory("loss-doctor-b-"), PARTITIONS))) {
            assertThat(first.awaitRunning(ItSupport.WAIT)).as("first RUNNING").isTrue();
            assertThat(second.awaitRunning(ItSupport.WAIT)).as("second RUNNING").isTrue();
            // each record stamped with its event's time (a run_finished without one, with the run's last): nothing
            // depends on the clock
            try (KafkaProducer<String, String> producer = ItSupport.producer(kafka.broker())) {
                for (Path file : RUNS) {
                    long time = 0;
                    for (String line : OfflineAnalysis.lines(file)) {
                        JsonNode event = Json.read(line);
                        if (event.hasNonNull("timestamp")) {
                            time = Instant.parse(event.get("timestamp").asText()).toEpochMilli();
                        }
                        producer.send(new ProducerRecord<>(Schemas.METRICS, null, time, event.get("run_id").asText(), line));
                    }
                }
                producer.flush();
            }

            // each run's statuses in the order they were published (one partition per run); its last is the finished one
            List<ConsumerRecord<String, String>> records = ItSupport.consume(kafka.broker(), Schemas.STATUS, new StringDeserializer(),
                    rs -> rs.stream().filter(r -> Json.read(r.value()).path("finished").asBoolean())
                            .map(ConsumerRecord::key).distinct().count() == expected.size());
            Map<String, JsonNode> published = new LinkedHashMap<>();
            records.forEach(r -> published.put(r.key(), Json.read(r.value())));
            for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
                String run = e.getKey();
                JsonNode want = e.getValue();
                JsonNode got = published.get(run);
                assertThat(got).as("%s: a status on the topic", run).isNotNull();
                assertThat(got.path("finished").asBoolean()).as("%s finished", run).isTrue();
                assertThat(got.get("points")).as("%s points", run).isEqualTo(want.get("points"));
                assertThat(got.get("diagnosis")).as("%s diagnosis", run).isEqualTo(want.get("diagnosis"));
                assertThat(got.get("forecast")).as("%s forecast", run).isEqualTo(want.get("forecast"));
                assertThat(got.get("after_stop_advice")).as("%s after_stop_advice", run).isEqualTo(want.get("after_stop_advice"));
                assertThat(got.get("summary")).as("%s summary (it says the forecast)", run).isEqualTo(want.get("summary"));
                assertThat(got.get("recommendations")).as("%s recommendations", run).isEqualTo(want.get("recommendations"));
            }

            // both instances took part: each holds some of the runs, and either answers for any with the same numbers
            await("both instances holding all the runs between them").atMost(ItSupport.WAIT).ignoreExceptions().until(() ->
                    local(first).size() + local(second).size() == expected.size());
            assertThat(local(first)).as("runs held by the first").isNotEmpty().doesNotContainAnyElementsOf(local(second));
            assertThat(local(second)).as("runs held by the second").isNotEmpty();
            for (String run : expected.keySet()) {
                for (LossDoctorService s : List.of(first, second)) {
                    JsonNode status = Json.read(ItSupport.get(s.httpPort(), "/runs/" + run).body());
                    assertThat(status.get("forecast")).as("GET /runs/%s forecast", run).isEqualTo(expected.get(run).get("forecast"));
                    assertThat(status.get("after_stop_advice")).as("GET /runs/%s after_stop_advice", run)
                            .isEqualTo(expected.get(run).get("after_stop_advice"));
                }
            }

            // the counters of the time after the advice, summed over the two instances, are the runs' totals
            Map<String, Long> epochs = new TreeMap<>();
            Map<String, Long> seconds = new TreeMap<>();
            for (JsonNode s : expected.values()) {
                JsonNode spent = s.path("after_stop_advice");
                if (spent.path("epochs").asLong() > 0) {
                    epochs.merge(spent.get("diagnosis").asText(), spent.get("epochs").asLong(), Long::sum);
                    seconds.merge(spent.get("diagnosis").asText(), spent.get("seconds").asLong(), Long::sum);
                }
            }
            await("the counters after the advice to stop").atMost(ItSupport.WAIT).untilAsserted(() -> {
                assertThat(counted(List.of(first, second), "lossdoctor_epochs_after_stop_advice_total")).isEqualTo(epochs);
                assertThat(counted(List.of(first, second), "lossdoctor_seconds_after_stop_advice_total")).isEqualTo(seconds);
            });
        }
    }

    /** What {@code analyze --format status} says of the files, in-process: each run's final status, by run id. */
    private static Map<String, JsonNode> analyzeStatuses(List<Path> files) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = Stream.concat(Stream.of("analyze", "--format", "status"), files.stream().map(Path::toString))
                .toArray(String[]::new);
        int code = LossDoctor.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertThat(code).as("analyze: %s", err).isZero();
        Map<String, JsonNode> statuses = new TreeMap<>();
        out.toString().lines().filter(l -> l.startsWith("{")).forEach(l -> {
            Schemas.assertValid(Schemas.STATUS, l);
            JsonNode s = Json.read(l);
            statuses.put(s.get("run_id").asText(), s);
        });
        return statuses;
    }

    private static Set<String> local(LossDoctorService service) {
        JsonNode runs = Json.read(ItSupport.get(service.httpPort(), "/runs?scope=local").body());
        return new HashSet<>(runs.findValuesAsText("run_id"));
    }

    /** A counter's samples summed over the instances, by diagnosis; zeros left out. */
    private static Map<String, Long> counted(List<LossDoctorService> services, String name) {
        Map<String, Long> sum = new TreeMap<>();
        for (LossDoctorService s : services) {
            PrometheusScrape scrape = ItSupport.metrics(s.httpPort());
            for (PrometheusScrape.Sample sample : scrape.samples(name)) {
                if (sample.value() > 0) {
                    sum.merge(sample.labels().get("diagnosis"), Math.round(sample.value()), Long::sum);
                }
            }
        }
        return sum;
    }
}
