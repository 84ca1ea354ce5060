package dev.lossdoctor.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lossdoctor.core.MetricMap;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunConfig;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one training event (DESIGN.md section 2) from its JSON bytes, or says in one line why it
 * can't be used. Never throws on any input: the stream sends what it rejects to the dead-letter
 * topic, {@code analyze} reports it with file and line.
 */
public final class EventParser {

    public static final int MAX_RUN_ID_LENGTH = 256;
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    public static final int MAX_METRICS = 256;
    static final int MAX_NAME_LENGTH = 128;
    private static final int MAX_CONFIG_STRING = 256;

    private static final Map<String, String> ALIASES = Map.of(
            "loss", "train_loss",
            "accuracy", "train_accuracy",
            "acc", "train_accuracy",
            "val_acc", "val_accuracy",
            "learning_rate", "lr");

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER) // correctly rounded too, and faster
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
        ParseResult unreadable = checkSize(value);
        if (unreadable != null) {
            return unreadable;
        }
        MetricsReported common = commonShape(key, value, fallbackTime);
        if (common != null) {
            return new ParseResult.Accepted(common);
        }
        Fields fields;
        try {
            fields = Fields.read(value);
        } catch (IOException | RuntimeException e) {
            fields = null;
        }
        if (fields == null) {
            return fromTree(key, value, fallbackTime); // not an object, or not JSON: the tree reader says what, in its words
        }
        try {
            return new ParseResult.Accepted(event(key, fields, fallbackTime));
        } catch (InvalidEvent e) {
            return reject(e.getMessage());
        }
    }

    /**
     * The event of a line of the one shape trainers send ({@link MetricsLine}), read without a
     * tokenizer, or null when the line is of another shape or anything in it is wrong: the general
     * reader then reads it, and words the reason.
     */
    private static MetricsReported commonShape(String key, byte[] value, Instant fallbackTime) {
        MetricsLine line = MetricsLine.read(value);
        if (line == null || line.metrics < 0 || line.epoch < 0 && line.step < 0) {
            return null;
        }
        try {
            String runId = runId(key, line.runId(key));
            Instant timestamp = fallbackTime;
            if (line.timeFrom >= 0) {
                timestamp = fastUtc(value, line.timeFrom, line.timeTo);
                if (timestamp == null) {
                    timestamp = textTime(new String(value, line.timeFrom, line.timeTo - line.timeFrom, StandardCharsets.US_ASCII));
                }
                if (timestamp.isBefore(EARLIEST) || timestamp.isAfter(LATEST)) {
                    return null;
                }
            }
            return new MetricsReported(runId, line.epoch < 0 ? null : line.epoch, line.step < 0 ? null : line.step, timestamp,
                    MetricMap.of(line.names, line.values, line.metrics), null);
        } catch (InvalidEvent e) {
            return null;
        }
    }

    /** Reads every value as {@link #parse} does, from the whole tree: the reference the token reader is tested against. */
    ParseResult parseTree(String key, byte[] value, Instant fallbackTime) {
        ParseResult unreadable = checkSize(value);
        return unreadable != null ? unreadable : fromTree(key, value, fallbackTime);
    }

    private ParseResult fromTree(String key, byte[] value, Instant fallbackTime) {
        try {
            JsonNode root = MAPPER.readTree(value);
            if (root == null || !root.isObject()) {
                return reject("not a JSON object");
            }
            return new ParseResult.Accepted(event(key, Fields.of(root), fallbackTime));
        } catch (JsonProcessingException e) {
            return reject("not JSON: " + oneLine(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            return reject(e instanceof InvalidEvent ? e.getMessage() : "not JSON: " + oneLine(String.valueOf(e.getMessage())));
        }
    }

    private static ParseResult checkSize(byte[] value) {
        if (value == null || value.length == 0) {
            return reject("empty value");
        }
        if (value.length > MAX_VALUE_BYTES) {
            return reject("value of " + value.length + " bytes is over the limit of " + MAX_VALUE_BYTES);
        }
        return null;
    }

    /**
     * The fields of one event's JSON object, read from its tokens (no tree: the tree reader was the
     * largest single cost of the stream): the envelope's fields by name, the metrics object's fields
     * and the other top-level ones (the flat form's metrics) in their order. As in a tree, a name
     * given twice keeps its first place and its last value. Objects and arrays where a value is
     * expected are read as trees (to say what is wrong with them, or for the config).
     */
    private static final class Fields {

        /** Stands for a {@code metrics} field that is an object (its fields are in {@link #nested}). */
        private static final JsonNode NESTED = JsonNodeFactory.instance.objectNode();
        private static final ObjectReader SUBTREE = MAPPER.readerFor(JsonNode.class)
                .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

        private JsonNode type, runId, epoch, step, timestamp, metrics, config, status;
        private Map<String, JsonNode> nested = Map.of();
        private final Map<String, JsonNode> others = new LinkedHashMap<>();

        /** An envelope field, or null when absent. */
        JsonNode get(String name) {
            return switch (name) {
                case "type" -> type;
                case "run_id" -> runId;
                case "epoch" -> epoch;
                case "step" -> step;
                case "timestamp" -> timestamp;
                case "metrics" -> metrics;
                case "config" -> config;
                case "status" -> status;
                default -> throw new IllegalArgumentException(name + " is not an envelope field");
            };
        }

        /** Sets an envelope field; false when {@code name} is not one. */
        private boolean set(String name, JsonNode value) {
            switch (name) {
                case "type" -> type = value;
                case "run_id" -> runId = value;
                case "epoch" -> epoch = value;
                case "step" -> step = value;
                case "timestamp" -> timestamp = value;
                case "metrics" -> metrics = value;
                case "config" -> config = value;
                case "status" -> status = value;
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** The fields of one JSON object, or null when the value is not one, or is not JSON, or has trailing tokens. */
        static Fields read(byte[] value) throws IOException {
            try (JsonParser p = MAPPER.createParser(value)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                Fields f = new Fields();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    JsonToken t = p.nextToken();
                    if (t == JsonToken.START_OBJECT && name.equals("metrics")) {
                        f.metrics = NESTED;
                        f.nested = new LinkedHashMap<>();
                        for (String metric = p.nextFieldName(); metric != null; metric = p.nextFieldName()) {
                            f.nested.put(metric, value(p, p.nextToken()));
                        }
                    } else {
                        JsonNode v = value(p, t);
                        if (!f.set(name, v)) {
                            f.others.put(name, v);
                        }
                    }
                }
                return p.nextToken() == null ? f : null;
            }
        }

        /** The same fields, from a tree. */
        static Fields of(JsonNode root) {
            Fields f = new Fields();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("metrics") && e.getValue().isObject()) {
                    f.metrics = NESTED;
                    f.nested = new LinkedHashMap<>();
                    e.getValue().fields().forEachRemaining(m -> f.nested.put(m.getKey(), m.getValue()));
                } else if (!f.set(e.getKey(), e.getValue())) {
                    f.others.put(e.getKey(), e.getValue());
                }
            }
            return f;
        }

        /** The value at the parser's current token, as the tree reader makes it. */
        private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
            return switch (t) {
                case VALUE_STRING -> TextNode.valueOf(p.getText());
                case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                    case INT -> IntNode.valueOf(p.getIntValue());
                    case LONG -> LongNode.valueOf(p.getLongValue());
                    default -> BigIntegerNode.valueOf(p.getBigIntegerValue());
                };
                case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(p.getDoubleValue());
                case VALUE_TRUE -> BooleanNode.TRUE;
                case VALUE_FALSE -> BooleanNode.FALSE;
                case VALUE_NULL -> NullNode.getInstance();
                default -> SUBTREE.readTree(p); // an object or an array
            };
        }
    }

    private static TrainingEvent event(String key, Fields root, Instant fallbackTime) {
        String runId = runId(key, root);
        Instant timestamp = timestamp(root, fallbackTime);
        JsonNode type = root.get("type");
        String kind = type == null || type.isNull() ? "metrics" : type.isTextual() ? type.asText() : null;
        if (kind == null) {
            throw new InvalidEvent("type is not a string");
        }
        return switch (kind) {
            case "metrics" -> metrics(runId, root, timestamp);
            case "run_started" -> new RunStarted(runId, timestamp, config(root.get("config")), sweepId(root.get("config")),
                    resumedFromEpoch(root.others.get("resumed_from_epoch")), resumedFrom(root.others, "resumed_from_step"));
            case "run_finished" -> new RunFinished(runId, epoch(root, true), optionalText(root, "status"), timestamp);
            default -> throw new InvalidEvent("unknown event type '" + clip(kind) + "'");
        };
    }

    private static String runId(String key, Fields root) {
        JsonNode node = root.get("run_id");
        String fromValue = null;
        if (node != null && !node.isNull()) {
            if (!node.isTextual()) {
                throw new InvalidEvent("run_id is not a string");
            }
            fromValue = node.asText();
        }
        return runId(key, fromValue);
    }

    /** The run id of the record key and the value's run_id (either may be null), checked. */
    private static String runId(String key, String fromValue) {
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

    private static MetricsReported metrics(String runId, Fields root, Instant timestamp) {
        Long step = counter(root, "step");
        Long epoch = epoch(root, step != null);
        JsonNode reported = root.get("epoch");
        Double fractional = epoch != null && reported.isFloatingPointNumber() && reported.doubleValue() != epoch
                ? reported.doubleValue() : null;
        if (epoch == null && step == null) {
            throw new InvalidEvent("a metrics event needs an epoch or a step");
        }
        Map<String, Double> metrics = new HashMap<>();
        JsonNode nested = root.get("metrics");
        if (nested != null && !nested.isNull()) {
            if (!nested.isObject()) {
                throw new InvalidEvent("metrics is not an object");
            }
            addMetrics(root.nested, metrics); // other top-level fields are the producer's own
        } else {
            addMetrics(root.others, metrics); // the flat form of a Keras callback's logs
        }
        return new MetricsReported(runId, epoch, step, timestamp, metrics, fractional);
    }

    private static void addMetrics(Map<String, JsonNode> fields, Map<String, Double> into) {
        for (Map.Entry<String, JsonNode> f : fields.entrySet()) {
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

    /**
     * The core's epoch of an event: its whole part. A fractional epoch (Hugging Face's Trainer logs
     * 0.25 after a quarter of the first epoch, DESIGN section 2) is read as the epoch it falls in, and
     * the event's step orders it among that epoch's points, as for any run reporting several steps an
     * epoch: the analysis' epochs keep their meaning (trends over epochs, not points). Without a step
     * nothing could order a fractional epoch's points within their epoch (each would be taken for a
     * duplicate of the first), so a metrics event needs one; a run's end needs none.
     */
    private static Long epoch(Fields root, boolean orderedByStep) {
        JsonNode v = root.get("epoch");
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new InvalidEvent("epoch is not a number");
        }
        double d = v.doubleValue();
        if (!(d >= 0)) {
            throw new InvalidEvent("epoch is not a number >= 0: " + clip(v.asText()));
        }
        if (v.isIntegralNumber() ? !v.canConvertToLong() : d >= MAX_EPOCH) {
            throw new InvalidEvent("epoch " + clip(v.asText()) + " is too large");
        }
        if (v.isIntegralNumber() || d == Math.rint(d)) {
            return v.longValue();
        }
        if (!orderedByStep) {
            throw new InvalidEvent("epoch " + clip(v.asText()) + " is fractional and there is no step to order it by"
                    + " within its epoch: send the step too");
        }
        return wholeEpoch(d);
    }

    /**
     * The epoch a fractional epoch falls in (the one place that decides it, for the stream and the log
     * readers alike): its whole part, the epochs completed.
     */
    static long wholeEpoch(double fractional) {
        return (long) Math.floor(fractional);
    }

    /** Fractional epochs beyond this are no trainer's (and their whole part no longer exact in a double). */
    private static final double MAX_EPOCH = 1L << 53;

    /** An epoch or step: a non-negative whole number, or absent. */
    private static Long counter(Fields root, String field) {
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

    /**
     * {@code resumed_from_epoch} of a {@code run_started} (DESIGN.md section 2): a number >= 0, whole
     * or fractional as a point's epoch; null when absent or null.
     */
    private static Double resumedFromEpoch(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !(v.doubleValue() >= 0) || v.doubleValue() >= MAX_EPOCH) {
            throw new InvalidEvent("resumed_from_epoch is not a number >= 0 (below 2^53): " + clip(v.toString()));
        }
        return v.doubleValue();
    }

    /** {@code resumed_from_step} of a {@code run_started}: a whole number >= 0; null when absent or null. */
    private static Long resumedFrom(Map<String, JsonNode> fields, String field) {
        JsonNode v = fields.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || !v.canConvertToLong() || v.doubleValue() < 0 || v.doubleValue() != Math.rint(v.doubleValue())) {
            throw new InvalidEvent(field + " is not a non-negative whole number: " + clip(v.toString()));
        }
        return v.longValue();
    }

    /** Timestamps a trainer can mean: 1970 to 9999 (and within what every clock API can hold). */
    private static final Instant EARLIEST = Instant.EPOCH, LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private static Instant timestamp(Fields root, Instant fallback) {
        JsonNode v = root.get("timestamp");
        if (v == null || v.isNull()) {
            return fallback;
        }
        Instant t;
        if (v.isTextual()) {
            t = textTime(v.asText());
        } else if (v.isNumber() && v.canConvertToLong() && v.longValue() >= 0) {
            long n = v.longValue(); // seconds, or milliseconds when that large
            t = n > 100_000_000_000L ? Instant.ofEpochMilli(n) : Instant.ofEpochSecond(n);
        } else {
            throw new InvalidEvent("timestamp is neither an ISO-8601 string nor epoch seconds");
        }
        return checkedTime(t, v.asText());
    }

    /** An ISO-8601 timestamp's instant. */
    private static Instant textTime(String text) {
        Instant t = fastUtc(text);
        if (t != null) {
            return t;
        }
        try {
            return isoInstant(text);
        } catch (DateTimeParseException e) {
            throw new InvalidEvent("timestamp is not ISO-8601: '" + clip(text) + "'");
        }
    }

    /** {@code t}, when a trainer can mean it ({@code written} is how the event wrote it). */
    private static Instant checkedTime(Instant t, String written) {
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            throw new InvalidEvent("timestamp " + clip(written) + " is outside 1970-9999");
        }
        return t;
    }

    /**
     * The config is advice only: known fields are read leniently, a field of the wrong type is ignored.
     * Also reads the configs the other tools' logs give ({@link RunLog}), so there is one reading of a config.
     */
    static RunConfig config(JsonNode c) {
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

    /** {@code config.sweep_id} (DESIGN.md section 2): a string or a number; null when absent, blank or of another type. */
    static String sweepId(JsonNode c) {
        if (c == null || !c.isObject()) {
            return null;
        }
        String id = text(c, "sweep_id");
        return id == null || id.isBlank() ? null : id;
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

    private static String optionalText(Fields root, String field) {
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

    /** The general ISO-8601 reading: an instant, or a date-time with an offset. */
    static Instant isoInstant(String text) {
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            return java.time.OffsetDateTime.parse(text.trim()).toInstant();
        }
    }

    /**
     * The ISO-8601 forms trainers write, read without the general parser: {@code
     * yyyy-MM-ddTHH:mm:ss}, an optional fraction of up to 9 digits, then {@code Z} or an offset
     * {@code ±HH:MM} (Python's {@code isoformat()}, JavaScript's {@code toISOString()}, Java's
     * {@code Instant}). Anything else (leap seconds, other forms) is left to the general parser: null.
     */
    static Instant fastUtc(String s) {
        // (a character beyond Latin-1 becomes '?', which, like it, is none of the form's characters)
        byte[] latin1 = s.getBytes(StandardCharsets.ISO_8859_1);
        return fastUtc(latin1, 0, latin1.length);
    }

    /** {@link #fastUtc(String)} of the characters at {@code from..to} of a line (one byte each). */
    static Instant fastUtc(byte[] s, int from, int to) {
        int n = to - from;
        if (n < 20 || s[from + 4] != '-' || s[from + 7] != '-' || s[from + 10] != 'T' || s[from + 13] != ':'
                || s[from + 16] != ':') {
            return null;
        }
        int year = digits(s, from, 4), month = digits(s, from + 5, 2), day = digits(s, from + 8, 2);
        int hour = digits(s, from + 11, 2), minute = digits(s, from + 14, 2), second = digits(s, from + 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = from + 19, nanos = 0;
        if (s[i] == '.') {
            int start = ++i;
            while (i < to && i - start < 9 && s[i] >= '0' && s[i] <= '9') {
                nanos = nanos * 10 + (s[i++] - '0');
            }
            if (i == start) {
                return null;
            }
            for (int k = i - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == to - 1 && s[i] == 'Z') {
            offsetSeconds = 0;
        } else if (i == to - 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
            int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
            if (oh < 0 || om < 0 || om > 59 || oh * 60 + om > 18 * 60) {
                return null;
            }
            offsetSeconds = (s[i] == '-' ? -1 : 1) * (oh * 3_600 + om * 60);
        } else {
            return null;
        }
        return Instant.ofEpochSecond(epochDay(year, month, day) * 86_400 + hour * 3_600L + minute * 60L + second - offsetSeconds,
                nanos);
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> java.time.Year.isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** {@code LocalDate.of(year, month, day).toEpochDay()} for a year of 0 to 9999, without the date object. */
    private static long epochDay(int year, int month, int day) {
        long y = year;
        long total = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400 + (367 * month - 362) / 12 + day - 1;
        if (month > 2) {
            total -= java.time.Year.isLeap(year) ? 1 : 2;
        }
        return total - 719_528; // the days from 0000-01-01 to 1970-01-01
    }

    private static int digits(byte[] s, int from, int count) {
        int n = 0;
        for (int i = from; i < from + count; i++) {
            byte c = s[i];
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
