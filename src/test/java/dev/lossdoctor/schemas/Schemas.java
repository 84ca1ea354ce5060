package dev.lossdoctor.schemas;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The topics' JSON Schemas as the jar ships them ({@code schemas/<name>.schema.json} on the class
 * path), for tests: {@code Schemas.assertValid("training-diagnoses", value)} for every record a test
 * produces or consumes. The first argument is the topic's name in the contract (DESIGN.md section 2),
 * whatever name a test gave the topic.
 */
public final class Schemas {

    public static final String METRICS = "training-metrics";
    public static final String DIAGNOSES = "training-diagnoses";
    public static final String STATUS = "training-run-status";
    public static final String DLQ = "training-metrics-dlq";
    public static final String DLQ_HEADERS = "training-metrics-dlq-headers";
    public static final String CLOUDEVENTS_HEADERS = "cloudevents-headers";

    /** Every schema the jar ships. */
    public static final List<String> ALL = List.of(METRICS, DIAGNOSES, STATUS, DLQ, DLQ_HEADERS, CLOUDEVENTS_HEADERS);

    /** Standard JSON only: what any consumer's JSON parser reads; one value per record (nothing after it). */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    /** The input topic's reader also takes Python's bare NaN/Infinity (not JSON, but Loss Doctor reads them). */
    private static final ObjectMapper LENIENT = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    // format assertions on: "date-time" is part of the contract, not a hint
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final Map<String, Schema> LOADED = new ConcurrentHashMap<>();

    private Schemas() {
    }

    /** The schema's JSON text, from the class path (as in the jar). */
    public static JsonNode json(String name) {
        String path = "/schemas/" + name + ".schema.json";
        try (InputStream in = Schemas.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no schema " + path + " on the class path");
            }
            return STRICT.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A compiled schema, from a schema document (the shipped ones, or a copy a test changed). */
    public static Schema compile(JsonNode schema) {
        return REGISTRY.getSchema(schema);
    }

    private static Schema schema(String name) {
        return LOADED.computeIfAbsent(name, n -> compile(json(n)));
    }

    /** What is wrong with {@code value} under the named schema; empty when it is valid. */
    public static List<String> errors(String name, JsonNode value) {
        return messages(schema(name).validate(value));
    }

    public static List<String> messages(List<Error> errors) {
        return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }

    /** Fails, with every error and the value, unless the value is valid under its topic's schema. */
    public static void assertValid(String topic, JsonNode value) {
        List<String> errors = errors(topic, value);
        if (!errors.isEmpty()) {
            throw new AssertionError(topic + " value does not match its schema: " + errors + "\n  value: " + value);
        }
    }

    public static void assertValid(String topic, String json) {
        assertValid(topic, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * As a record's value bytes. A dead-letter value is anything the producer sent (its schema is
     * open and it need not be JSON). An input event may write non-finite metrics as Python's bare
     * NaN/Infinity: they are read as the strings the schema names, which mean the same.
     */
    public static void assertValid(String topic, byte[] value) {
        if (topic.equals(DLQ)) {
            return;
        }
        if (value == null) {
            throw new AssertionError(topic + ": a null value (a tombstone); no topic of the contract has them");
        }
        assertValid(topic, read(topic, value));
    }

    /** A value's JSON as a consumer of the topic reads it (see {@link #assertValid(String, byte[])}). */
    public static JsonNode read(String topic, byte[] value) {
        try {
            if (topic.equals(METRICS)) {
                return nonFiniteAsStrings(LENIENT.readTree(value));
            }
            return STRICT.readTree(value);
        } catch (IOException e) {
            throw new AssertionError(topic + " value is not JSON: " + e.getMessage() + "\n  value: "
                    + new String(value, StandardCharsets.UTF_8), e);
        }
    }

    /** True when the bytes hold a bare NaN or Infinity token: valid for Loss Doctor, but not JSON. */
    public static boolean hasBareNonFinite(byte[] value) {
        try {
            STRICT.readTree(value);
            return false;
        } catch (IOException e) {
            try {
                return !nonFiniteAsStrings(LENIENT.readTree(value)).equals(LENIENT.readTree(value));
            } catch (IOException notJsonEither) {
                return false;
            }
        }
    }

    /** Fails unless a record's headers match the headers schema of its topic (dead letters), or of CloudEvents. */
    public static void assertValidHeaders(String schemaName, Headers headers) {
        assertValid(schemaName, headersJson(headers));
    }

    /** Kafka headers as the headers schemas see them: name to UTF-8 value (a name given twice: its last value). */
    public static ObjectNode headersJson(Headers headers) {
        ObjectNode n = STRICT.createObjectNode();
        for (Header h : headers) {
            n.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        return n;
    }

    private static JsonNode nonFiniteAsStrings(JsonNode n) {
        if (n.isDouble() || n.isFloat()) {
            double d = n.doubleValue();
            if (Double.isNaN(d)) {
                return TextNode.valueOf("NaN");
            }
            if (Double.isInfinite(d)) {
                return TextNode.valueOf(d > 0 ? "Infinity" : "-Infinity");
            }
            return n;
        }
        if (n.isObject()) {
            ObjectNode copy = STRICT.createObjectNode();
            n.fields().forEachRemaining(e -> copy.set(e.getKey(), nonFiniteAsStrings(e.getValue())));
            return copy;
        }
        if (n.isArray()) {
            ArrayNode copy = STRICT.createArrayNode();
            n.forEach(item -> copy.add(nonFiniteAsStrings(item)));
            return copy;
        }
        return n;
    }
}
