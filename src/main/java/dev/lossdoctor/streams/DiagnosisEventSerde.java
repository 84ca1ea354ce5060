package dev.lossdoctor.streams;

import static dev.lossdoctor.streams.JsonReads.diagnosis;
import static dev.lossdoctor.streams.JsonReads.doubleValue;
import static dev.lossdoctor.streams.JsonReads.field;
import static dev.lossdoctor.streams.JsonReads.instant;
import static dev.lossdoctor.streams.JsonReads.longValue;
import static dev.lossdoctor.streams.JsonReads.requiredText;
import static dev.lossdoctor.streams.JsonReads.strings;
import static dev.lossdoctor.streams.JsonReads.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code training-diagnoses} values: the JSON of DESIGN.md section 2 ({@link Json#diagnosisBytes}). */
public final class DiagnosisEventSerde extends BaseSerde<DiagnosisEvent> {

    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    public DiagnosisEventSerde() {
        super("diagnosis event");
    }

    @Override
    byte[] write(DiagnosisEvent event) {
        return Json.diagnosisBytes(event);
    }

    @Override
    DiagnosisEvent read(byte[] bytes) {
        try {
            return fromJson(Json.MAPPER.readTree(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DiagnosisEvent fromJson(JsonNode n) {
        JsonNode evidence = field(n, "evidence");
        Map<String, Object> evidenceMap = evidence == null ? Map.of() : Json.MAPPER.convertValue(evidence, MAP);
        Double confidence = doubleValue(n, "confidence");
        return new DiagnosisEvent(requiredText(n, "run_id"), longValue(n, "epoch"), longValue(n, "step"),
                diagnosis(n, "diagnosis"), diagnosis(n, "previous"), longValue(n, "since_epoch"),
                confidence == null ? Double.NaN : confidence, text(n, "summary"), strings(n, "recommendations"),
                evidenceMap, instant(n, "timestamp"));
    }
}
