package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.io.ParseResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** No input makes the parser throw, and no sequence of events makes the analysis throw. */
class RobustnessProperties {

    private static final ObjectMapper STRICT = new ObjectMapper();
    private final EventParser parser = new EventParser();

    @Provide
    Arbitrary<String> jsonObjects() {
        return EventArbitraries.jsonObject();
    }

    @Provide
    Arbitrary<String> jsonValues() {
        return EventArbitraries.jsonValue();
    }

    @Provide
    Arbitrary<List<TrainingEvent>> anyRun() {
        return EventArbitraries.anyRun("any");
    }

    /** Parses, checks what came back, and feeds an accepted event to the analysis. */
    private void parseAndAnalyse(String key, byte[] value) {
        ParseResult r = parser.parse(key, value, Instant.parse("2026-11-26T10:00:00Z"));
        assertThat(r).isNotNull();
        if (r instanceof ParseResult.Rejected rejected) {
            assertThat(rejected.reason()).isNotBlank().doesNotContain("\n");
            return;
        }
        TrainingEvent e = ((ParseResult.Accepted) r).event();
        assertThat(e.runId()).isNotBlank().hasSizeLessThanOrEqualTo(EventParser.MAX_RUN_ID_LENGTH);
        assertThat(e.runId().chars()).noneMatch(Character::isISOControl);
        if (e instanceof MetricsReported m) {
            assertThat(m.epoch() != null || m.step() != null).isTrue();
            assertThat(m.epoch() == null || m.epoch() >= 0).isTrue();
            assertThat(m.step() == null || m.step() >= 0).isTrue();
        }
        RunState s = new RunState(e.runId());
        new RunAnalyzer().apply(s, e);
    }

    @Property(tries = 300, seed = "1001")
    void theParserTakesAnyStringWithoutThrowing(@ForAll @Size(max = 300) String text) {
        assertThatCode(() -> parseAndAnalyse(null, text.getBytes(StandardCharsets.UTF_8))).doesNotThrowAnyException();
    }

    @Property(tries = 300, seed = "1002")
    void theParserTakesAnyBytesWithoutThrowing(@ForAll @Size(max = 300) byte[] bytes, @ForAll String key) {
        assertThatCode(() -> parseAndAnalyse(key.isEmpty() ? null : key, bytes)).doesNotThrowAnyException();
    }

    @Property(tries = 200, seed = "1003")
    void theParserTakesAnyJsonObjectWithoutThrowing(@ForAll("jsonObjects") String json) {
        assertThatCode(() -> parseAndAnalyse(null, json.getBytes(StandardCharsets.UTF_8))).doesNotThrowAnyException();
    }

    @Property(tries = 200, seed = "1004")
    void theParserTakesAnyJsonValueWithoutThrowing(@ForAll("jsonValues") String json) {
        assertThatCode(() -> parseAndAnalyse("k", json.getBytes(StandardCharsets.UTF_8))).doesNotThrowAnyException();
    }

    @Property(tries = 200, seed = "1005")
    void theParserTakesAnyEditOfAValidEventWithoutThrowing(@ForAll @Size(max = 5) List<Integer> positions,
                                                           @ForAll @Size(min = 5, max = 5) List<Character> replacements) {
        String valid = "{\"type\":\"metrics\",\"run_id\":\"r1\",\"epoch\":12,\"step\":4800,\"timestamp\":\"2026-11-26T10:12:00Z\","
                + "\"metrics\":{\"train_loss\":0.51,\"val_loss\":NaN,\"val_accuracy\":0.79,\"lr\":0.001}}";
        StringBuilder b = new StringBuilder(valid);
        for (int i = 0; i < positions.size(); i++) {
            b.setCharAt(Math.floorMod(positions.get(i), b.length()), replacements.get(i));
        }
        assertThatCode(() -> parseAndAnalyse(null, b.toString().getBytes(StandardCharsets.UTF_8))).doesNotThrowAnyException();
    }

    @Property(tries = 200, seed = "1006")
    void noSequenceOfEventsMakesTheAnalysisThrow(@ForAll("anyRun") List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState("any");
        Diagnosis said = null;
        for (TrainingEvent e : events) {
            for (DiagnosisEvent d : analyzer.apply(s, e)) {
                assertThat(d.previous()).isEqualTo(said);
                assertThat(d.diagnosis()).isNotEqualTo(said);
                assertThat(d.summary()).isNotBlank();
                assertThat(d.runId()).isEqualTo("any");
                assertThat(d.confidence()).isBetween(0.0, 1.0);
                said = d.diagnosis();
            }
        }
        assertThat(s.current()).isEqualTo(said);
        assertThat(analyzer.status(s)).isNotNull();
        analyzer.checkStalled(s, Instant.parse("2100-01-01T00:00:00Z"), Duration.ofMinutes(5))
                .ifPresent(d -> assertThat(d.diagnosis()).isEqualTo(Diagnosis.STALLED));
        assertThat(RunStateCodec.decode(RunStateCodec.encode(s))).isEqualTo(s);
    }

    @Property(tries = 100, seed = "1007")
    void everyDiagnosisOfAnyRunIsStrictJson(@ForAll("anyRun") List<TrainingEvent> events) throws Exception {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState("any");
        for (TrainingEvent e : events) {
            for (DiagnosisEvent d : analyzer.apply(s, e)) {
                JsonNode n = STRICT.readTree(Json.diagnosis(d));
                assertThat(n.get("diagnosis").asText()).isEqualTo(d.diagnosis().code());
                assertThat(n.get("run_id").asText()).isEqualTo("any");
            }
        }
        STRICT.readTree(Json.status(analyzer.status(s)));
    }
}
