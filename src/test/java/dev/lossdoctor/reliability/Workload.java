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

/**
 * Generated valid traffic (many runs interleaved, noisy decaying curves) and what a fault-free run
 * of the service must publish for it: every run's diagnosis events in order and its last status,
 * from the same analysis the stream runs, offline. Compared as parsed JSON, every field included:
 * time in the events comes from the records, so nothing in them depends on when they were made.
 */
final class Workload {

    final List<TrainingTraffic.Event> events = new ArrayList<>();
    final Map<String, List<JsonNode>> diagnoses = new LinkedHashMap<>();
    final Map<String, JsonNode> finalStatus = new LinkedHashMap<>();

    /**
     * Event time (one second per epoch) ends about now: no timestamp in the future, and no run looks
     * stalled or idle to the service's wall-clock sweeper during a test.
     */
    static Workload generate(long seed, String prefix, int runs, int concurrent, int minEpochs, int maxEpochs) {
        Workload w = new Workload();
        new TrainingTraffic(seed, Instant.now().minusSeconds(maxEpochs + 5), prefix).fleet(runs, concurrent, minEpochs, maxEpochs, Long.MAX_VALUE, w.events::add);
        w.analyse();
        return w;
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
