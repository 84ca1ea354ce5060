package dev.lossdoctor.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunConfig;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads one training event (DESIGN.md section 2) from its JSON bytes, or says in one line why it
 * can't be used. Never throws on any input: the stream sends what it rejects to the dead-letter
 * topic, {@code analyze} reports it with file and line.
 */
public final class EventParser {

    public static final int MAX_RUN_ID_LENGTH = 256;
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    public static final int MAX_METRICS = 256;
    private static final int MAX_NAME_LENGTH = 128;
    private static final int MAX_CONFIG_STRING = 256;

    private static final Set<String> ENVELOPE = Set.of("type", "run_id", "epoch", "step", "timestamp", "metrics", "config", "status");
    private static final Map<String, String> ALIASES = Map.of(
            "loss", "train_loss",
            "accuracy", "train_accuracy",
            "acc", "train_accuracy",
            "val_acc", "val_accuracy",
            "learning_rate", "lr");

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(32)
                            .maxNumberLength(64)
                            .maxStringLength(MAX_VALUE_BYTES)
                            .build())
                    .build())
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // one value per record
            .build();

    /**
     * @param key the record key (the run id), or null
     * @param value the record value
     * @param fallbackTime the record's timestamp, for events that carry none (may be null)
     */
    public ParseResult parse(String key, byte[] value, Instant fallbackTime) {
        if (value == null || value.length == 0) {
            return reject("empty value");
        }
        if (value.length > MAX_VALUE_BYTES) {
            return reject("value of " + value.length + " bytes is over the limit of " + MAX_VALUE_BYTES);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(value);
        } catch (JsonProcessingException e) {
            return reject("not JSON: " + oneLine(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            return reject("not JSON: " + oneLine(String.valueOf(e.getMessage())));
        }
        if (root == null || !root.isObject()) {
            return reject("not a JSON object");
        }
        try {
            return new ParseResult.Accepted(event(key, root, fallbackTime));
        } catch (InvalidEvent e) {
            return reject(e.getMessage());
        }
    }

    private static TrainingEvent event(String key, JsonNode root, Instant fallbackTime) {
        String runId = runId(key, root);
        Instant timestamp = timestamp(root, fallbackTime);
        JsonNode type = root.get("type");
        String kind = type == null || type.isNull() ? "metrics" : type.isTextual() ? type.asText() : null;
        if (kind == null) {
            throw new InvalidEvent("type is not a string");
        }
        return switch (kind) {
            case "metrics" -> metrics(runId, root, timestamp);
            case "run_started" -> new RunStarted(runId, timestamp, config(root.get("config")));
            case "run_finished" -> new RunFinished(runId, counter(root, "epoch"), optionalText(root, "status"), timestamp);
            default -> throw new InvalidEvent("unknown event type '" + clip(kind) + "'");
        };
    }

    private static String runId(String key, JsonNode root) {
        JsonNode node = root.get("run_id");
        String fromValue = null;
        if (node != null && !node.isNull()) {
            if (!node.isTextual()) {
                throw new InvalidEvent("run_id is not a string");
            }
            fromValue = node.asText();
        }
        String runId = key != null ? key : fromValue;
        if (runId == null || runId.isBlank()) {
            throw new InvalidEvent("no run id (neither a record key nor run_id)");
        }
        if (key != null && fromValue != null && !key.equals(fromValue)) {
            throw new InvalidEvent("record key '" + clip(key) + "' and run_id '" + clip(fromValue) + "' disagree");
        }
        if (runId.length() > MAX_RUN_ID_LENGTH) {
            throw new InvalidEvent("run id of " + runId.length() + " characters is over the limit of " + MAX_RUN_ID_LENGTH);
        }
        for (int i = 0; i < runId.length(); i++) {
            if (Character.isISOControl(runId.charAt(i))) {
                throw new InvalidEvent("run id holds a control character");
            }
        }
        return runId;
    }

    private static MetricsReported metrics(String runId, JsonNode root, Instant timestamp) {
        Long epoch = counter(root, "epoch");
        Long step = counter(root, "step");
        if (epoch == null && step == null) {
            throw new InvalidEvent("a metrics event needs an epoch or a step");
        }
        Map<String, Double> metrics = new HashMap<>();
        JsonNode nested = root.get("metrics");
        if (nested != null && !nested.isNull()) {
            if (!nested.isObject()) {
                throw new InvalidEvent("metrics is not an object");
            }
            addMetrics(nested, metrics, Set.of()); // other top-level fields are the producer's own
        } else {
            addMetrics(root, metrics, ENVELOPE); // the flat form of a Keras callback's logs
        }
        return new MetricsReported(runId, epoch, step, timestamp, metrics);
    }

    private static void addMetrics(JsonNode object, Map<String, Double> into, Set<String> skip) {
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (skip.contains(f.getKey())) {
                continue;
            }
            String name = f.getKey().trim();
            if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
                throw new InvalidEvent("metric name '" + clip(f.getKey()) + "' is empty or too long");
            }
            name = canonicalName(name);
            into.put(name, metricValue(name, f.getValue()));
            if (into.size() > MAX_METRICS) {
                throw new InvalidEvent("more than " + MAX_METRICS + " metrics in one event");
            }
        }
    }

    /** The canonical name of a metric: lower case, Keras' names mapped (loss → train_loss, acc → train_accuracy...). */
    public static String canonicalName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return ALIASES.getOrDefault(n, n);
    }

    /** A number, or NaN/Infinity as bare tokens, strings or null: all non-finite but usable. */
    private static double metricValue(String name, JsonNode v) {
        if (v.isNull()) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            String s = v.asText().trim().toLowerCase(Locale.ROOT);
            switch (s) {
                case "nan", "-nan", "none", "null" -> {
                    return Double.NaN;
                }
                case "inf", "+inf", "infinity", "+infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-inf", "-infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> {
                    try {
                        return Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw new InvalidEvent("metric " + clip(name) + " is not a number: '" + clip(v.asText()) + "'");
                    }
                }
            }
        }
        throw new InvalidEvent("metric " + clip(name) + " is not a number");
    }

    /** An epoch or step: a non-negative whole number, or absent. */
    private static Long counter(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new InvalidEvent(field + " is not a number");
        }
        double d = v.doubleValue();
        if (!v.canConvertToLong() || d < 0 || d != Math.rint(d)) {
            throw new InvalidEvent(field + " is not a non-negative whole number: " + clip(v.asText()));
        }
        return v.longValue();
    }

    /** Timestamps a trainer can mean: 1970 to 9999 (and within what every clock API can hold). */
    private static final Instant EARLIEST = Instant.EPOCH, LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private static Instant timestamp(JsonNode root, Instant fallback) {
        JsonNode v = root.get("timestamp");
        if (v == null || v.isNull()) {
            return fallback;
        }
        Instant t;
        if (v.isTextual()) {
            try {
                t = fastUtc(v.asText());
                t = t != null ? t : Instant.parse(v.asText().trim());
            } catch (DateTimeParseException e) {
                try {
                    t = java.time.OffsetDateTime.parse(v.asText().trim()).toInstant();
                } catch (DateTimeParseException e2) {
                    throw new InvalidEvent("timestamp is not ISO-8601: '" + clip(v.asText()) + "'");
                }
            }
        } else if (v.isNumber() && v.canConvertToLong() && v.longValue() >= 0) {
            long n = v.longValue(); // seconds, or milliseconds when that large
            t = n > 100_000_000_000L ? Instant.ofEpochMilli(n) : Instant.ofEpochSecond(n);
        } else {
            throw new InvalidEvent("timestamp is neither an ISO-8601 string nor epoch seconds");
        }
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            throw new InvalidEvent("timestamp " + clip(v.asText()) + " is outside 1970-9999");
        }
        return t;
    }

    /** The config is advice only: known fields are read leniently, a field of the wrong type is ignored. */
    private static RunConfig config(JsonNode c) {
        if (c == null || c.isNull()) {
            return RunConfig.EMPTY;
        }
        if (!c.isObject()) {
            throw new InvalidEvent("config is not an object");
        }
        return new RunConfig(
                text(c, "optimizer"),
                number(c, "lr", "learning_rate", "learning_rate_init"),
                whole(c, "batch_size", "bs"),
                text(c, "task"),
                text(c, "loss", "loss_func", "loss_function"),
                text(c, "output_activation"),
                text(c, "hidden_activation", "activation"),
                whole(c, "max_epochs", "epochs"),
                whole(c, "num_classes", "n_classes", "classes"),
                text(c, "model"),
                text(c, "dataset"));
    }

    private static JsonNode first(JsonNode c, String... names) {
        for (String n : names) {
            JsonNode v = c.get(n);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private static String text(JsonNode c, String... names) {
        JsonNode v = first(c, names);
        return v != null && v.isValueNode() ? clip(v.asText(), MAX_CONFIG_STRING) : null;
    }

    private static Double number(JsonNode c, String... names) {
        JsonNode v = first(c, names);
        if (v == null) {
            return null;
        }
        double d = v.isNumber() ? v.doubleValue() : v.isTextual() ? parseOrNaN(v.asText()) : Double.NaN;
        return Double.isFinite(d) ? d : null;
    }

    private static Integer whole(JsonNode c, String... names) {
        Double d = number(c, names);
        return d == null || d < 0 || d > Integer.MAX_VALUE || d != Math.rint(d) ? null : d.intValue();
    }

    private static double parseOrNaN(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidEvent(field + " is not a string");
        }
        return clip(v.asText(), MAX_CONFIG_STRING);
    }

    private static ParseResult reject(String reason) {
        return new ParseResult.Rejected(reason);
    }

    private static String clip(String s) {
        return clip(s, 60);
    }

    private static String clip(String s, int max) {
        String clean = oneLine(s);
        return clean.length() <= max ? clean : clean.substring(0, max) + "...";
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return s.replaceAll("\\p{Cntrl}+", " ").trim();
            }
        }
        return s.trim(); // the common case: no regex
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ssZ} (what trainers write, Python's isoformat with a Z) read without
     * the general parser; anything else (fractions, offsets) is left to it: null.
     */
    static Instant fastUtc(String s) {
        if (s.length() != 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':' || s.charAt(19) != 'Z') {
            return null;
        }
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second);
    }

    private static int digits(String s, int from, int count) {
        int n = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** Why an event can't be used; caught in {@link #parse}, never escapes it. */
    private static final class InvalidEvent extends RuntimeException {
        InvalidEvent(String message) {
            super(message, null, false, false);
        }
    }
}
