package dev.lossdoctor.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.bench.TrainingTraffic;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.io.ParseResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import dev.lossdoctor.service.AppConfig;
import dev.lossdoctor.streams.AnalysisMetrics;
import dev.lossdoctor.streams.LossDoctorTopology;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Generated valid traffic (many runs interleaved, noisy decaying curves) and what a fault-free run
 * of the service must publish for it: every run's diagnosis events in order, from the same
 * analysis the stream runs, offline (as {@code loss-doctor analyze}); and every run's status
 * records in order, from the service's own topology in {@link TopologyTestDriver} with the
 * service's settings. Compared as parsed JSON, every field included: time in the events comes
 * from the records, so nothing in them depends on when they were made.
 */
final class Workload {

    final List<TrainingTraffic.Event> events = new ArrayList<>();
    final Map<String, List<JsonNode>> diagnoses = new LinkedHashMap<>();
    final Map<String, List<JsonNode>> statuses = new LinkedHashMap<>();
    /** Every run's diagnosis events as the service's topology publishes them, all input in one go without a fault. */
    final Map<String, List<JsonNode>> topologyDiagnoses = new LinkedHashMap<>();
    /** Each run's full status at the end, curve included, as {@code GET /runs/{id}} answers it. */
    final Map<String, JsonNode> finalStatus = new LinkedHashMap<>();

    /**
     * Event time (one second per epoch) ends about now: no timestamp in the future, and no run looks
     * stalled or idle to the service's wall-clock sweeper during a test.
     */
    static Workload generate(long seed, String prefix, int runs, int concurrent, int minEpochs, int maxEpochs) {
        Workload w = new Workload();
        new TrainingTraffic(seed, Instant.now().minusSeconds(maxEpochs + 5), prefix).fleet(runs, concurrent, minEpochs, maxEpochs, Long.MAX_VALUE, w.events::add);
        w.analyse();
        w.throughTheTopology(ServiceKillIT.SETTINGS);
        return w;
    }

    /** Status records and diagnosis events per run, as the service's topology publishes them without any fault. */
    private void throughTheTopology(Map<String, String> settings) {
        AppConfig config = AppConfig.of(settings);
        Properties props = config.streamsProperties(null);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/workload-" + System.nanoTime());
        try (TopologyTestDriver driver = new TopologyTestDriver(
                LossDoctorTopology.build(config.topologyConfig(AnalysisMetrics.NONE)), props)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(config.topics().metrics().name(),
                    new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<String, byte[]> status = driver.createOutputTopic(config.topics().status().name(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<String, byte[]> diagnosis = driver.createOutputTopic(config.topics().diagnoses().name(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            for (TrainingTraffic.Event e : events) {
                in.pipeInput(e.runId().getBytes(StandardCharsets.UTF_8), e.value(), e.timestampMillis());
            }
            status.readRecordsToList().forEach(r -> statuses.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(reparse(r.value())));
            diagnosis.readRecordsToList().forEach(r ->
                    topologyDiagnoses.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(reparse(r.value())));
        }
    }

    int expectedStatuses() {
        return statuses.values().stream().mapToInt(List::size).sum();
    }

    private void analyse() {
        EventParser parser = new EventParser();
        RunAnalyzer analyzer = new RunAnalyzer();
        Map<String, RunState> runs = new LinkedHashMap<>();
        for (TrainingTraffic.Event e : events) {
            ParseResult r = parser.parse(e.runId(), e.value(), Instant.ofEpochMilli(e.timestampMillis()));
            if (!(r instanceof ParseResult.Accepted accepted)) {
                throw new IllegalStateException("the generated traffic holds an invalid event: " + r + " " + e.json());
            }
            RunState state = runs.computeIfAbsent(e.runId(), RunState::new);
            List<JsonNode> out = diagnoses.computeIfAbsent(e.runId(), k -> new ArrayList<>());
            for (DiagnosisEvent d : analyzer.apply(state, accepted.event())) {
                out.add(reparse(Json.diagnosis(d)));
            }
        }
        runs.forEach((id, state) -> finalStatus.put(id, reparse(Json.status(analyzer.status(state)))));
    }

    int expectedDiagnoses() {
        return diagnoses.values().stream().mapToInt(List::size).sum();
    }

    /** Through text and back, as a consumer sees it (NaN as the string Jackson writes, numbers as read). */
    static JsonNode reparse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode reparse(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
