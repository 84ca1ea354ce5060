package dev.lossdoctor.streams;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.core.Diagnosis;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Lenient readers of optional JSON fields, for the serdes of what Loss Doctor itself writes. */
final class JsonReads {

    private JsonReads() {
    }

    static JsonNode field(JsonNode n, String name) {
        JsonNode v = n.get(name);
        return v == null || v.isNull() ? null : v;
    }

    static String text(JsonNode n, String name) {
        JsonNode v = field(n, name);
        return v == null ? null : v.asText();
    }

    static String requiredText(JsonNode n, String name) {
        String v = text(n, name);
        if (v == null) {
            throw new IllegalArgumentException("no " + name);
        }
        return v;
    }

    static Long longValue(JsonNode n, String name) {
        JsonNode v = field(n, name);
        return v == null ? null : v.asLong();
    }

    static Double doubleValue(JsonNode n, String name) {
        JsonNode v = field(n, name);
        return v == null || !v.isNumber() ? null : v.asDouble();
    }

    static Diagnosis diagnosis(JsonNode n, String name) {
        String code = text(n, name);
        return code == null ? null : Diagnosis.fromCode(code);
    }

    static Instant instant(JsonNode n, String name) {
        String t = text(n, name);
        return t == null ? null : Instant.parse(t);
    }

    static List<String> strings(JsonNode n, String name) {
        List<String> out = new ArrayList<>();
        JsonNode v = field(n, name);
        if (v != null) {
            v.forEach(item -> out.add(item.asText()));
        }
        return List.copyOf(out);
    }
}
