package dev.lossdoctor.schemas;

import static dev.lossdoctor.schemas.SchemaCompatibility.Reader.CONSUMERS;
import static dev.lossdoctor.schemas.SchemaCompatibility.Reader.LOSS_DOCTOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.ParseResult;
import dev.lossdoctor.schemas.SchemaCompatibility.Reader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The schemas of this version against those of the last release: a change that breaks an old
 * consumer (or, for the input topic, an old producer) fails here; then it needs a new major version
 * of the event (a new {@code ce_type} and schema), not an edit.
 */
class SchemaCompatibilityTest {

    private static final String BASELINE = "v0.1.0";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Each released schema, and who reads the values it describes. */
    private static final Map<String, Reader> RELEASED = Map.of(
            Schemas.DIAGNOSES, CONSUMERS,
            Schemas.STATUS, CONSUMERS,
            Schemas.DLQ_HEADERS, CONSUMERS,
            Schemas.DLQ, CONSUMERS,
            Schemas.METRICS, LOSS_DOCTOR);

    /**
     * Where the released schema promised more than the released Loss Doctor accepted, and this one
     * says what it really accepts: no producer loses anything that worked. Each is checked below.
     */
    private static final Map<String, List<String>> CORRECTIONS = Map.of(
            // an epoch or step beyond a 64-bit integer (1e30, 25 digits) has always gone to the dead-letter topic
            Schemas.METRICS, Stream.of("/$defs/counter", "/$defs/metrics/epoch", "/$defs/metrics/step", "/$defs/run_finished/epoch")
                    .map(counter -> counter + ": maximum null became 9223372036854775807").toList());

    @Test
    void shouldNotBreakAnythingCodedAgainstTheLastRelease() {
        RELEASED.forEach((name, reader) -> assertThat(SchemaCompatibility.breaks(baseline(name), Schemas.json(name), reader))
                .as(name).containsExactlyInAnyOrderElementsOf(CORRECTIONS.getOrDefault(name, List.of())));
    }

    @Test
    void shouldCorrectOnlyWhatLossDoctorNeverAccepted() {
        EventParser parser = new EventParser();
        for (String counter : List.of("\"epoch\":1e30", "\"epoch\":9223372036854775808", "\"step\":1234567890123456789012345")) {
            byte[] event = ("{\"run_id\":\"r\"," + counter + ",\"metrics\":{\"train_loss\":0.5}}").getBytes(StandardCharsets.UTF_8);
            assertThat(parser.parse(null, event, null)).as(counter).isInstanceOf(ParseResult.Rejected.class);
            assertThat(Schemas.errors(Schemas.METRICS, Schemas.read(Schemas.METRICS, event))).as(counter + " under the corrected schema")
                    .isNotEmpty();
        }
        byte[] largest = "{\"run_id\":\"r\",\"step\":9223372036854775807,\"metrics\":{\"train_loss\":0.5}}".getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse(null, largest, null)).isInstanceOf(ParseResult.Accepted.class);
        assertThat(Schemas.errors(Schemas.METRICS, Schemas.read(Schemas.METRICS, largest))).isEmpty();
    }

    @Test
    void shouldFindTheBaselineUnchangedAgainstItself() {
        RELEASED.forEach((name, reader) ->
                assertThat(SchemaCompatibility.breaks(baseline(name), baseline(name), reader)).as(name).isEmpty());
    }

    @Test
    void shouldFailWhenAnOutputFieldIsRemoved() {
        assertThat(breaks(Schemas.DIAGNOSES, s -> {
            ((ObjectNode) s.get("properties")).remove("summary");
            removeRequired(s, "summary");
        })).contains("/summary: removed", "/summary: no longer required (old consumers expect it)");
        assertThat(breaks(Schemas.STATUS, s -> ((ObjectNode) s.get("properties")).remove("updated")))
                .containsExactly("/updated: removed");
    }

    @Test
    void shouldFailWhenAnOutputFieldIsRetypedOrWidened() {
        assertThat(breaks(Schemas.DIAGNOSES, s -> ((ObjectNode) s.at("/properties/confidence")).put("type", "string")))
                .containsExactly("/confidence: type [number] became [string]");
        // a fractional epoch would break a consumer that reads it as a whole number
        assertThat(breaks(Schemas.DIAGNOSES, s -> ((ObjectNode) s.at("/properties/epoch")).set("type", array("number", "null"))))
                .containsExactly("/epoch: type [integer, null] became [number, null]");
        assertThat(breaks(Schemas.STATUS, s -> ((ObjectNode) s.at("/properties/finished")).remove("type")))
                .containsExactly("/finished: type [boolean] became untyped");
        assertThat(breaks(Schemas.DIAGNOSES, s -> ((ObjectNode) s.at("/$defs/evidence/properties/points")).put("minimum", -1)))
                .contains("/$defs/evidence/points: minimum 0 became -1");
    }

    @Test
    void shouldFailWhenAFieldThatWasAlwaysThereBecomesOptional() {
        assertThat(breaks(Schemas.STATUS, s -> removeRequired(s, "points")))
                .containsExactly("/points: no longer required (old consumers expect it)");
    }

    @Test
    void shouldFailWhenADiagnosisCodeIsRemovedOrASeverityAdded() {
        assertThat(breaks(Schemas.DIAGNOSES, s -> removeValue((ArrayNode) s.at("/$defs/diagnosis_code/enum"), "plateau")))
                .anyMatch(b -> b.contains("values removed [\"plateau\"]"));
        assertThat(breaks(Schemas.DIAGNOSES, s -> ((ArrayNode) s.at("/$defs/severity/enum")).add("fatal")))
                .anyMatch(b -> b.contains("values added to a fixed enum [\"fatal\"]"));
    }

    @Test
    void shouldFailWhenTheInputGetsANewRequiredFieldOrANarrowerType() {
        assertThat(breaks(Schemas.METRICS, s -> ((ObjectNode) s).set("required", array("run_id"))))
                .containsExactly("/run_id: newly required (old producers don't send it)");
        assertThat(breaks(Schemas.METRICS, s -> ((ArrayNode) s.at("/$defs/timestamp/anyOf")).remove(1)))
                .anyMatch(b -> b.startsWith("/$defs/timestamp: type"));
        assertThat(breaks(Schemas.METRICS, s -> ((ObjectNode) s.at("/$defs/config")).put("additionalProperties", false)))
                .contains("/$defs/config: no longer accepts other properties");
        assertThat(breaks(Schemas.METRICS, s -> removeValue((ArrayNode) s.at("/properties/type/enum"), "run_finished")))
                .anyMatch(b -> b.contains("values removed [\"run_finished\"]"));
        assertThat(breaks(Schemas.METRICS, s -> ((ObjectNode) s.at("/$defs/run_id")).put("maxLength", 128)))
                .contains("/$defs/run_id: maxLength 256 became 128");
    }

    @Test
    void shouldAcceptTheChangesThePolicyAllows() {
        // outputs: a new optional field, a new diagnosis code, a narrower type
        assertThat(breaks(Schemas.DIAGNOSES, s -> {
            ((ObjectNode) s.get("properties")).putObject("instance").put("type", "string");
            ((ArrayNode) s.at("/$defs/diagnosis_code/enum")).add("lagging");
            ((ObjectNode) s.at("/properties/confidence")).put("type", "integer");
        })).isEmpty();
        // input: a wider type (a fractional epoch), a new optional config field, a new event type
        assertThat(breaks(Schemas.METRICS, s -> {
            ((ObjectNode) s.at("/$defs/counter")).set("type", array("number", "null"));
            ((ObjectNode) s.at("/$defs/config/properties")).putObject("warmup_steps").put("type", "integer");
            ((ArrayNode) s.at("/properties/type/enum")).add("checkpoint");
        })).isEmpty();
    }

    private static List<String> breaks(String name, Consumer<JsonNode> change) {
        JsonNode changed = baseline(name).deepCopy();
        change.accept(changed);
        return SchemaCompatibility.breaks(baseline(name), changed, RELEASED.get(name));
    }

    private static JsonNode baseline(String name) {
        String path = "/schemas/" + BASELINE + "/" + name + ".schema.json";
        try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new AssertionError("no baseline " + path);
            }
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeRequired(JsonNode schema, String field) {
        ArrayNode required = (ArrayNode) schema.get("required");
        removeValue(required, field);
    }

    private static void removeValue(ArrayNode array, String value) {
        for (int i = 0; i < array.size(); i++) {
            if (array.get(i).asText().equals(value)) {
                array.remove(i);
                return;
            }
        }
        throw new AssertionError("no " + value + " in " + array);
    }

    private static ArrayNode array(String... items) {
        ArrayNode a = MAPPER.createArrayNode();
        for (String i : items) {
            a.add(i);
        }
        return a;
    }
}
