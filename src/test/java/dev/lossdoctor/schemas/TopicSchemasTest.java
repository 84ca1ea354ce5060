package dev.lossdoctor.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.lossdoctor.cli.LossDoctor;
import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.Severity;
import dev.lossdoctor.io.EventFiles;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.io.ParseResult;
import dev.lossdoctor.streams.RunStatusSerde;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The schemas say what the code really reads and writes: every event of the corpora, every line of
 * {@code analyze --format jsonl}, every status along the way, validated against the schemas the
 * jar ships; and the diagnosis codes of the schemas are exactly the code's.
 */
class TopicSchemasTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void shouldShipEverySchemaAsAValidDraft202012Schema() throws IOException {
        Schema meta = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
        for (String name : Schemas.ALL) {
            JsonNode schema = Schemas.json(name);
            assertThat(schema.path("$schema").asText()).as(name).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(Schemas.messages(meta.validate(schema))).as(name + " against the 2020-12 meta-schema").isEmpty();
            assertThat(schema.path("description").asText()).as(name + " says what it is").isNotBlank();
            Schemas.compile(schema); // and the validator takes it
        }
    }

    @Test
    void shouldValidateEveryInputEventOfTheCorporaAndAgreeWithTheParser() {
        EventParser parser = new EventParser();
        int events = 0, bare = 0;
        Map<String, Integer> types = new HashMap<>();
        for (Path file : Corpora.allEventFiles()) {
            int lineNo = 0;
            for (String line : Corpora.lines(file)) {
                lineNo++;
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                assertThat(parser.parse(null, bytes, null)).as(file + ":" + lineNo).isInstanceOf(ParseResult.Accepted.class);
                try {
                    Schemas.assertValid(Schemas.METRICS, bytes);
                } catch (AssertionError e) {
                    throw new AssertionError(file + ":" + lineNo + ": " + e.getMessage(), e);
                }
                events++;
                bare += Schemas.hasBareNonFinite(bytes) ? 1 : 0;
                types.merge(Schemas.read(Schemas.METRICS, bytes).path("type").asText("metrics"), 1, Integer::sum);
            }
        }
        System.out.printf("training-metrics: %d input events valid (%s), %d of them with bare NaN/Infinity%n", events, types, bare);
        assertThat(types).containsOnlyKeys("run_started", "metrics", "run_finished");
        assertThat(types.get("metrics")).isGreaterThan(5_000);
        assertThat(bare).as("the corpus has Python's bare NaN: the schema's reading of them is exercised").isPositive();
    }

    @Test
    void shouldValidateEveryLineOfAnalyzeJsonlOverTheDevRunsAndTheCorpus() throws IOException {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = LossDoctor.execute(new PrintWriter(out), new PrintWriter(err), "analyze", "--format", "jsonl",
                Corpora.DEV.toString(), Corpora.CORPUS.toString(), Corpora.DEMO.toString());
        assertThat(code).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        Set<String> codes = new TreeSet<>();
        Set<String> evidenceKeys = new TreeSet<>();
        for (String line : lines) {
            Schemas.assertValid(Schemas.DIAGNOSES, line);
            JsonNode event = MAPPER.readTree(line);
            codes.add(event.get("diagnosis").asText());
            event.get("evidence").fieldNames().forEachRemaining(evidenceKeys::add);
        }
        System.out.printf("training-diagnoses: %d lines of analyze --format jsonl valid; codes %s%n", lines.size(), codes);
        // the labels of the dev runs and the corpus: so every kind of evidence went through the schema
        assertThat(codes).contains("warming_up", "learning", "converged", "overfitting", "plateau", "data_issue", "diverging",
                "oscillating", "underfitting");
        // every evidence key the code writes is one the schema names (and so types)
        Set<String> named = new TreeSet<>();
        Schemas.json(Schemas.DIAGNOSES).at("/$defs/evidence/properties").fieldNames().forEachRemaining(named::add);
        assertThat(named).containsAll(evidenceKeys);
    }

    @Test
    void shouldValidateEveryStatusOfTheRunsAsTheTopicAndTheHttpApiWriteIt() throws IOException {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunStatusSerde serde = new RunStatusSerde();
        EventFiles reader = new EventFiles();
        int statuses = 0, answers = 0;
        Set<String> optional = new TreeSet<>();
        for (Path file : Corpora.allEventFiles()) {
            Map<String, RunState> runs = new HashMap<>();
            List<RunStatus> seen = new ArrayList<>();
            reader.read(file, event -> {
                RunState state = runs.computeIfAbsent(event.runId(), RunState::new);
                analyzer.apply(state, event);
                seen.add(analyzer.status(state));
            }, problem -> {
                throw new AssertionError(problem.toString());
            });
            for (RunStatus status : seen) {
                // on the topic: the serde's bytes, without the curve
                byte[] topicValue = serde.serializer().serialize("training-run-status", status.withoutCurve());
                Schemas.assertValid(Schemas.STATUS, topicValue);
                statuses++;
            }
            // GET /runs/{id}: with the curve (each run's last status: the longest curve)
            for (RunState state : runs.values()) {
                ObjectNode withCurve = Json.statusNode(analyzer.status(state));
                Schemas.assertValid(Schemas.STATUS, withCurve);
                withCurve.fieldNames().forEachRemaining(optional::add);
                answers++;
            }
        }
        System.out.printf("training-run-status: %d statuses valid as the topic writes them, %d as GET /runs/{id} answers them%n",
                statuses, answers);
        assertThat(statuses).isGreaterThan(5_000);
        assertThat(optional).contains("curve", "updated");
    }

    @Test
    void shouldListExactlyTheDiagnosisCodesOfTheCodeInEverySchema() {
        Set<String> codes = Arrays.stream(Diagnosis.values()).map(Diagnosis::code).collect(Collectors.toCollection(TreeSet::new));
        for (String name : List.of(Schemas.DIAGNOSES, Schemas.STATUS)) {
            assertThat(strings(Schemas.json(name).at("/$defs/diagnosis_code/enum"))).as(name).isEqualTo(codes);
            assertThat(strings(Schemas.json(name).at("/$defs/severity/enum")))
                    .isEqualTo(Arrays.stream(Severity.values()).map(Severity::code).collect(Collectors.toSet()));
        }
    }

    @Test
    void shouldAcceptEachCodeWithItsOwnSeverityOnly() {
        for (Diagnosis d : Diagnosis.values()) {
            for (Severity s : Severity.values()) {
                ObjectNode event = sampleEvent();
                event.put("diagnosis", d.code()).put("severity", s.code());
                assertThat(Schemas.errors(Schemas.DIAGNOSES, event)).as(d + " " + s).hasSize(s == d.severity() ? 0 : 1);
            }
        }
    }

    @Test
    void shouldKeepTheDefinitionsSharedByTheOutputSchemasIdentical() {
        JsonNode diagnoses = Schemas.json(Schemas.DIAGNOSES).get("$defs");
        JsonNode status = Schemas.json(Schemas.STATUS).get("$defs");
        for (String def : List.of("run_id", "diagnosis_code", "severity", "severity_of_code", "trend")) {
            assertThat(status.get(def)).as(def).isEqualTo(diagnoses.get(def));
        }
        assertThat(Schemas.json(Schemas.METRICS).at("/$defs/run_id")).isEqualTo(diagnoses.get("run_id"));
    }

    @Test
    void shouldLetConsumersIgnoreNewFieldsButNotMissOrRetypeOldOnes() {
        ObjectNode event = sampleEvent();
        assertThat(Schemas.errors(Schemas.DIAGNOSES, event)).isEmpty();
        assertThat(Schemas.errors(Schemas.DIAGNOSES, event.deepCopy().put("a_future_field", 1))).isEmpty();
        ObjectNode noSummary = event.deepCopy();
        noSummary.remove("summary");
        assertThat(Schemas.errors(Schemas.DIAGNOSES, noSummary)).singleElement().asString().contains("summary");
        assertThat(Schemas.errors(Schemas.DIAGNOSES, event.deepCopy().put("epoch", "17"))).isNotEmpty();
        assertThat(Schemas.errors(Schemas.DIAGNOSES, event.deepCopy().put("diagnosis", "sad"))).isNotEmpty();
        assertThat(Schemas.errors(Schemas.DIAGNOSES, event.deepCopy().put("timestamp", "yesterday"))).isNotEmpty();
    }

    /** Records the parser accepts and the schema too, and records both reject: the schema does not promise more than the parser keeps. */
    @Test
    void shouldAcceptAndRejectInputTheWayTheParserDoes() {
        List<String> acceptedByBoth = List.of(
                "{\"run_id\":\"r1\",\"epoch\":12,\"loss\":0.51,\"val_loss\":0.63,\"accuracy\":0.83,\"val_acc\":0.79}",
                "{\"type\":\"metrics\",\"run_id\":\"r1\",\"step\":4800,\"metrics\":{\"train_loss\":\"NaN\",\"val_loss\":null}}",
                "{\"type\":null,\"run_id\":\"r1\",\"epoch\":3,\"metrics\":{\"train_loss\":\"-Infinity\",\"val_loss\":\"inf\"}}",
                "{\"run_id\":\"r1\",\"epoch\":3,\"timestamp\":1764151200,\"metrics\":{\"train_loss\":1.5},\"host\":{\"gpu\":\"a100\"}}",
                "{\"run_id\":\"r1\",\"epoch\":3,\"timestamp\":\"2026-11-26T10:00:00+01:00\",\"metrics\":null,\"loss\":1.5}",
                "{\"type\":\"run_started\",\"run_id\":\"r1\",\"config\":{\"optimizer\":\"adam\",\"lr\":0.001,\"sweep_id\":\"s7\"}}",
                "{\"type\":\"run_started\",\"run_id\":\"r1\",\"config\":null,\"resumed_from_epoch\":12}",
                "{\"type\":\"run_started\",\"run_id\":\"r1\",\"resumed_from_epoch\":2.5,\"resumed_from_step\":5000}",
                "{\"type\":\"run_finished\",\"run_id\":\"r1\",\"epoch\":40,\"status\":\"completed\"}",
                "{\"type\":\"run_finished\",\"run_id\":\"r1\",\"epoch\":2.974,\"status\":\"completed\"}",
                "{\"run_id\":\"r1\",\"epoch\":0.25,\"step\":500,\"loss\":0.71,\"learning_rate\":4e-05}",
                "{\"run_id\":\"r1\",\"epoch\":2.0,\"metrics\":{\"val_loss\":0.5}}",
                "{\"type\":\"run_finished\",\"run_id\":\"r1\"}");
        List<String> rejectedByBoth = List.of(
                "[1,2]",
                "{\"type\":\"metrics\",\"run_id\":\"r1\",\"metrics\":{\"train_loss\":0.5}}", // no epoch nor step
                "{\"type\":\"checkpoint\",\"run_id\":\"r1\",\"epoch\":1}",
                "{\"type\":7,\"run_id\":\"r1\",\"epoch\":1}",
                "{\"run_id\":42,\"epoch\":1,\"loss\":0.5}",
                "{\"run_id\":\"\",\"epoch\":1,\"loss\":0.5}",
                "{\"run_id\":\"" + "x".repeat(EventParser.MAX_RUN_ID_LENGTH + 1) + "\",\"epoch\":1,\"loss\":0.5}",
                "{\"run_id\":\"a\\u0007b\",\"epoch\":1,\"loss\":0.5}",
                "{\"run_id\":\"r1\",\"epoch\":-1,\"loss\":0.5}",
                "{\"run_id\":\"r1\",\"epoch\":\"3\",\"loss\":0.5}",
                "{\"run_id\":\"r1\",\"epoch\":2.5,\"loss\":0.5}", // fractional, and no step to order it by
                "{\"run_id\":\"r1\",\"epoch\":-0.5,\"step\":3,\"loss\":0.5}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":[0.5]}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"metrics\":{\"train_loss\":\"low\"}}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":true}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"loss\":0.5,\"note\":\"flat form: every other field is a metric\"}",
                "{\"run_id\":\"r1\",\"epoch\":1,\"timestamp\":\"26/11/2026\",\"loss\":0.5}",
                "{\"type\":\"run_started\",\"run_id\":\"r1\",\"config\":\"adam\"}",
                "{\"type\":\"run_started\",\"run_id\":\"r1\",\"resumed_from_epoch\":-1}",
                "{\"type\":\"run_started\",\"run_id\":\"r1\",\"resumed_from_step\":2.5}",
                "{\"type\":\"run_finished\",\"run_id\":\"r1\",\"epoch\":1,\"status\":3}");
        EventParser parser = new EventParser();
        for (String json : acceptedByBoth) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            assertThat(parser.parse(null, bytes, null)).as(json).isInstanceOf(ParseResult.Accepted.class);
            assertThat(Schemas.errors(Schemas.METRICS, Schemas.read(Schemas.METRICS, bytes))).as(json).isEmpty();
        }
        for (String json : rejectedByBoth) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            assertThat(parser.parse(null, bytes, null)).as(json).isInstanceOf(ParseResult.Rejected.class);
            assertThat(Schemas.errors(Schemas.METRICS, Schemas.read(Schemas.METRICS, bytes))).as(json).isNotEmpty();
        }
    }

    @Test
    void shouldReadBareNonFiniteMetricsAsTheirStringForms() {
        byte[] python = "{\"run_id\":\"r1\",\"epoch\":3,\"metrics\":{\"train_loss\":NaN,\"val_loss\":-Infinity}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(Schemas.hasBareNonFinite(python)).isTrue();
        assertThat(Schemas.read(Schemas.METRICS, python).get("metrics").get("train_loss").asText()).isEqualTo("NaN");
        Schemas.assertValid(Schemas.METRICS, python);
        // Loss Doctor's own output is standard JSON: there a bare NaN fails
        assertThatThrownBy(() -> Schemas.assertValid(Schemas.DIAGNOSES, sampleEvent().toString().replace("0.93", "NaN")))
                .hasMessageContaining("not JSON");
    }

    private static ObjectNode sampleEvent() {
        try {
            return (ObjectNode) MAPPER.readTree("""
                    {"run_id":"r1","epoch":17,"step":6800,"diagnosis":"overfitting","previous":"learning",
                     "severity":"warning","since_epoch":14,"confidence":0.93,
                     "summary":"Validation loss has risen 12% since its best at epoch 14 (0.412) while training loss fell 30%.",
                     "recommendations":["Stop training and restore the epoch-14 checkpoint","Add data augmentation"],
                     "evidence":{"points":17,"train_loss":0.288,"train_loss_trend":"falling","val_loss":0.461,
                                 "val_loss_trend":"rising","val_best_epoch":14,"val_best_loss":0.412,
                                 "val_rise_since_best":0.12,"train_drop_since_val_best":0.3},
                     "timestamp":"2026-11-26T10:17:00Z"}""");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new LinkedHashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return new TreeSet<>(out);
    }
}
