package dev.lossdoctor.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The integration tests' contract checks, where records pass: the shared test clients build their
 * producers with {@link #sending} and their consumers with {@link #consumer}, so that every value an IT
 * sends to a Loss Doctor topic or reads from one is validated against its topic's JSON Schema (and
 * a dead letter's headers against theirs) on the way, and no test can forget to; their HTTP helpers
 * pass {@code GET /runs} answers through {@link #httpAnswer}. Input deliberately unusable goes
 * through {@link #poison} instead, which insists that the schema rejects it.
 *
 * <p>Each check is counted ({@link #counts()}); {@link SchemaCountsListener} reports the counts of
 * each test class. A record read twice is validated, and counted, twice.
 */
public final class SchemaChecks {

    /** What was checked: a schema and how the value came by (sent, read, ...). */
    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code GET /runs} and {@code GET /runs/{run_id}}, with or without a query; not {@code /runs/{run_id}/chart.svg}. */
    private static final Pattern RUNS = Pattern.compile("^/runs(/[^/?]+)?/?$");

    static final String SENT = "sent";
    static final String READ = "read";
    static final String POISON = "poison sent, invalid as meant";
    static final String HOSTILE_VALID_VALUE = "hostile sent, value valid (rejected for its key or a limit)";
    static final String RUNS_ANSWER = "in GET /runs answers";

    private SchemaChecks() {
    }

    /** The contract's name of a topic the tests use under its default name; fails for any other. */
    public static String contractOf(String topic) {
        if (List.of(Schemas.METRICS, Schemas.DIAGNOSES, Schemas.STATUS, Schemas.DLQ).contains(topic)) {
            return topic;
        }
        throw new AssertionError("no schema for topic '" + topic + "': name the contract topic it stands for "
                + "(SchemaChecks.sending/reading with a contract name)");
    }

    /** Validates each value as it is sent, against the schema of the topic it is sent to. */
    public static <V> Serializer<V> sending(Serializer<V> values) {
        return sending(null, values);
    }

    /** As {@link #sending(Serializer)}, every topic written being a {@code contract} topic under another name. */
    public static <V> Serializer<V> sending(String contract, Serializer<V> values) {
        return checked(values, (topic, bytes) -> sent(contract == null ? contractOf(topic) : contract, bytes));
    }

    /** For input meant to be rejected: checks that each value sent is invalid under its topic's schema ({@link #poison}). */
    public static <V> Serializer<V> poisoning(Serializer<V> values) {
        return checked(values, (topic, bytes) -> poison(contractOf(topic), bytes));
    }

    /** {@code values}, with {@code check} run on the bytes of each value before it goes out. */
    private static <V> Serializer<V> checked(Serializer<V> values, java.util.function.BiConsumer<String, byte[]> check) {
        return new Serializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                values.configure(configs, isKey);
            }

            @Override
            public byte[] serialize(String topic, V data) {
                return serialize(topic, new RecordHeaders(), data);
            }

            @Override
            public byte[] serialize(String topic, Headers headers, V data) {
                byte[] bytes = values.serialize(topic, headers, data);
                check.accept(topic, bytes);
                return bytes;
            }

            @Override
            public void close() {
                values.close();
            }
        };
    }

    /** Validates each record as it is read (its value; a dead letter's headers), against its topic's schemas. */
    public static <V> Deserializer<V> reading(Deserializer<V> values) {
        return reading(null, values);
    }

    /** As {@link #reading(Deserializer)}, every topic read being a {@code contract} topic under another name. */
    public static <V> Deserializer<V> reading(String contract, Deserializer<V> values) {
        return new Deserializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                values.configure(configs, isKey);
            }

            @Override
            public V deserialize(String topic, byte[] data) {
                return deserialize(topic, new RecordHeaders(), data);
            }

            @Override
            public V deserialize(String topic, Headers headers, byte[] data) {
                read(contract == null ? contractOf(topic) : contract, headers, data);
                return values.deserialize(topic, headers, data);
            }

            @Override
            public V deserialize(String topic, Headers headers, ByteBuffer data) {
                byte[] bytes = null;
                if (data != null) {
                    bytes = new byte[data.remaining()];
                    data.duplicate().get(bytes);
                }
                return deserialize(topic, headers, bytes);
            }

            @Override
            public void close() {
                values.close();
            }
        };
    }

    /**
     * A consumer (string keys) that validates each record it reads against its topic's schemas: the
     * values through {@link #reading(Deserializer)}, and the records with a null value (which Kafka
     * hands no deserializer) as {@link #poll} returns them, a dead letter's headers included.
     */
    public static <V> KafkaConsumer<String, V> consumer(Properties config, Deserializer<V> values) {
        return consumer(config, null, values);
    }

    /** As {@link #consumer(Properties, Deserializer)}, every topic read being a {@code contract} topic under another name. */
    public static <V> KafkaConsumer<String, V> consumer(Properties config, String contract, Deserializer<V> values) {
        return new KafkaConsumer<>(config, new StringDeserializer(), reading(contract, values)) {
            @Override
            public ConsumerRecords<String, V> poll(Duration timeout) {
                ConsumerRecords<String, V> records = super.poll(timeout);
                for (ConsumerRecord<String, V> r : records) {
                    if (r.value() == null) {
                        read(contract == null ? contractOf(r.topic()) : contract, r.headers(), null);
                    }
                }
                return records;
            }
        };
    }

    /** A value a test sends to a topic of the contract: valid under the topic's schema. */
    public static void sent(String contract, byte[] value) {
        if (contract.equals(Schemas.DLQ)) {
            throw new AssertionError("the tests send nothing to " + Schemas.DLQ + ": the service does");
        }
        Schemas.assertValid(contract, value);
        count(contract, SENT);
    }

    /** A record a test read from a topic of the contract: its value valid, and its headers where they have a schema. */
    public static void read(String contract, Headers headers, byte[] value) {
        if (contract.equals(Schemas.DLQ)) {
            // the value is whatever the producer sent (its schema accepts anything); the headers say why it is here
            Schemas.assertValidHeaders(Schemas.DLQ_HEADERS, headers);
            count(Schemas.DLQ_HEADERS, READ);
            return;
        }
        if (hasCloudEventsHeaders(headers)) {
            Schemas.assertValidHeaders(Schemas.CLOUDEVENTS_HEADERS, headers);
            count(Schemas.CLOUDEVENTS_HEADERS, READ);
        }
        Schemas.assertValid(contract, value);
        count(contract, READ);
    }

    /** Input a test sends to be rejected: the schema rejects it too (so a producer that validates would not send it). */
    public static void poison(String contract, byte[] value) {
        if (isValid(contract, value)) {
            throw new AssertionError("meant as unusable input, but valid under the " + contract + " schema: "
                    + (value == null ? null : new String(value, StandardCharsets.UTF_8)));
        }
        count(contract, POISON);
    }

    /** Hostile input whose value the schema accepts: rejected for what the schema does not express (its key, a size limit). */
    public static void hostileWithValidValue(String contract) {
        count(contract, HOSTILE_VALID_VALUE);
    }

    /** Whether the value is valid under the topic's schema (a null value, or one that is not JSON, is not). */
    public static boolean isValid(String contract, byte[] value) {
        if (value == null) {
            return false;
        }
        try {
            return Schemas.errors(contract, Schemas.read(contract, value)).isEmpty();
        } catch (AssertionError notJson) {
            return false;
        }
    }

    /**
     * An HTTP answer a test got from the service: a 200 of {@code GET /runs} (each run's status) or
     * {@code GET /runs/{run_id}} (one status, with its curve) is valid under the status schema.
     * Other paths and statuses pass unchecked.
     */
    public static void httpAnswer(URI uri, int status, String body) {
        if (status != 200 || uri.getRawPath() == null || !RUNS.matcher(uri.getRawPath()).matches()) {
            return;
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("GET " + uri + " answered 200 with a body that is not JSON: " + body, e);
        }
        if (uri.getRawPath().matches("^/runs/?$")) {
            if (!answer.isArray()) {
                throw new AssertionError("GET " + uri + " answered 200 with something else than an array: " + body);
            }
            answer.forEach(SchemaChecks::runsStatus);
        } else {
            runsStatus(answer);
        }
    }

    /** As {@link #httpAnswer(URI, int, String)}, for a path (and query) on the service. */
    public static void httpAnswer(String pathAndQuery, int status, String body) {
        httpAnswer(URI.create(pathAndQuery), status, body);
    }

    private static void runsStatus(JsonNode status) {
        Schemas.assertValid(Schemas.STATUS, status);
        count(Schemas.STATUS, RUNS_ANSWER);
    }

    private static boolean hasCloudEventsHeaders(Headers headers) {
        for (Header h : headers) {
            if (h.key().startsWith("ce_")) {
                return true;
            }
        }
        return false;
    }

    private static void count(String schema, String how) {
        COUNTS.computeIfAbsent(schema + " " + how, k -> new LongAdder()).increment();
    }

    /** Every check so far, by schema and how the value came by ("training-diagnoses read"), sorted. */
    public static Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        COUNTS.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
