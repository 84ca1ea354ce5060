package dev.lossdoctor.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.Forecast;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.StopAdvice;
import dev.lossdoctor.core.Siblings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The wire form of what Loss Doctor publishes: {@code training-diagnoses} events and
 * {@code training-run-status} values, as DESIGN.md section 2 spells them (snake_case, codes in
 * lower case). The one writer of both: the stream's serdes and {@code analyze --format jsonl}
 * call {@link #diagnosisBytes} / {@link #diagnosis}, so their bytes cannot drift apart. One
 * shared {@link ObjectMapper}.
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Straight to UTF-8 bytes (no String in between), with Jackson's Schubfach double writer: the
     * shortest text that reads back as the same double. The profile of the full topology showed
     * the JDK 17 {@code Double.toString} of the status curve as its hottest frame.
     */
    private static final ObjectWriter WRITER = MAPPER.writer().with(StreamWriteFeature.USE_FAST_DOUBLE_WRITER);

    private Json() {
    }

    public static ObjectNode diagnosisNode(DiagnosisEvent e) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("run_id", e.runId());
        n.put("epoch", e.epoch());
        n.put("step", e.step());
        n.put("diagnosis", e.diagnosis().code());
        n.put("previous", e.previous() == null ? null : e.previous().code());
        n.put("severity", e.severity().code());
        n.put("since_epoch", e.sinceEpoch());
        n.put("confidence", e.confidence());
        n.put("summary", e.summary());
        n.set("recommendations", strings(e.recommendations()));
        n.set("evidence", MAPPER.valueToTree(e.evidence()));
        putTime(n, "timestamp", e.timestamp());
        return n;
    }

    /**
     * A {@code training-diagnoses} value, as the stream writes it: the bytes of {@link #diagnosisNode},
     * written field by field without building the tree first (as {@link #statusBytes}; the tree and
     * the evidence's {@code valueToTree} were two thirds of the diagnosis's cost in the profile).
     * {@code JsonWriterProperties} checks the two give the same bytes.
     */
    public static byte[] diagnosisBytes(DiagnosisEvent e) {
        return generate(g -> writeDiagnosis(g, e), 384);
    }

    /** The bytes of the tree of {@link #diagnosisNode}: what {@link #diagnosisBytes} must equal (tests). */
    static byte[] diagnosisTreeBytes(DiagnosisEvent e) {
        return write(diagnosisNode(e));
    }

    /** Writes what {@link #diagnosisNode} holds, field for field and value type for value type (the tree's bytes). */
    private static void writeDiagnosis(JsonGenerator g, DiagnosisEvent e) throws IOException {
        g.writeStartObject();
        writeString(g, "run_id", e.runId());
        writeLong(g, "epoch", e.epoch());
        writeLong(g, "step", e.step());
        g.writeStringField("diagnosis", e.diagnosis().code());
        writeString(g, "previous", e.previous() == null ? null : e.previous().code());
        g.writeStringField("severity", e.severity().code());
        writeLong(g, "since_epoch", e.sinceEpoch());
        g.writeNumberField("confidence", e.confidence());
        writeString(g, "summary", e.summary());
        writeStrings(g, "recommendations", e.recommendations());
        g.writeFieldName("evidence");
        writeValue(g, e.evidence());
        if (e.timestamp() != null) {
            g.writeStringField("timestamp", e.timestamp().toString());
        }
        g.writeEndObject();
    }

    /**
     * A value of the evidence as {@code valueToTree} then the tree would write it: the types the
     * evidence holds (texts, whole and double numbers, booleans, lists and maps of them) directly,
     * any other through its tree, so that the bytes stay the tree's whatever a rule puts in.
     */
    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String t) {
            g.writeString(t);
        } else if (v instanceof Double d) {
            g.writeNumber(d.doubleValue());
        } else if (v instanceof Integer i) {
            g.writeNumber(i.intValue());
        } else if (v instanceof Long l) {
            g.writeNumber(l.longValue());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else if (v instanceof Map<?, ?> map && stringKeys(map)) {
            g.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                g.writeFieldName((String) entry.getKey());
                writeValue(g, entry.getValue());
            }
            g.writeEndObject();
        } else {
            g.writeTree(MAPPER.valueToTree(v));
        }
    }

    private static boolean stringKeys(Map<?, ?> map) {
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #diagnosisBytes} as text: one line of {@code analyze --format jsonl}. */
    public static String diagnosis(DiagnosisEvent e) {
        return new String(diagnosisBytes(e), StandardCharsets.UTF_8);
    }

    public static ObjectNode statusNode(RunStatus s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("run_id", s.runId());
        n.put("diagnosis", s.diagnosis().code());
        n.put("severity", s.severity().code());
        n.put("since_epoch", s.sinceEpoch());
        n.put("epoch", s.epoch());
        n.put("step", s.step());
        n.put("train_loss", s.trainLoss());
        n.put("val_loss", s.valLoss());
        n.put("train_loss_trend", s.trainTrend());
        n.put("val_loss_trend", s.valTrend());
        n.put("val_best_epoch", s.bestValEpoch());
        n.put("val_best_loss", s.bestValLoss());
        n.put("summary", s.summary());
        n.set("recommendations", strings(s.recommendations()));
        n.put("finished", s.finished());
        n.put("points", s.points());
        putTime(n, "updated", s.updated());
        if (s.restarts() > 0) {
            n.put("restarts", s.restarts());
        }
        if (s.afterStopAdvice() != null) {
            StopAdvice.Spent spent = s.afterStopAdvice();
            ObjectNode a = n.putObject("after_stop_advice");
            a.put("epochs", spent.epochs());
            a.put("seconds", spent.seconds());
            a.put("since_epoch", spent.sinceEpoch());
            a.put("diagnosis", spent.diagnosis().code());
        }
        putSiblingsAndSpikes(n, s);
        if (s.forecast() != null) {
            n.set("forecast", forecastNode(s.forecast()));
        }
        if (!s.curve().isEmpty()) { // the status topic carries no curve; /runs/{id} does
            n.set("curve", curveNode(s.curve()));
        }
        return n;
    }

    /** The status's siblings and spikes, each when it has them. */
    private static void putSiblingsAndSpikes(ObjectNode n, RunStatus s) {
        if (s.siblings() != null) {
            n.set("siblings", siblings(s.siblings()));
        }
        if (s.spikes() != null) {
            ObjectNode spikes = n.putObject("spikes");
            spikes.put("count", s.spikes().count());
            ArrayNode at = spikes.putArray("epochs");
            s.spikes().epochs().forEach(at::add);
        }
    }

    private static ArrayNode curveNode(List<RunStatus.CurvePoint> points) {
        ArrayNode curve = MAPPER.createArrayNode();
        for (RunStatus.CurvePoint p : points) {
            ObjectNode c = curve.addObject();
            c.put("epoch", p.epoch());
            c.put("step", p.step());
            // the window holds floats: written as floats, "0.1234" rather than "0.12339999526739120"
            c.put("train_loss", p.trainLoss() == null ? null : p.trainLoss().floatValue());
            c.put("val_loss", p.valLoss() == null ? null : p.valLoss().floatValue());
        }
        return curve;
    }

    /** The status's {@code siblings}: the run's place in its sweep at the checkpoint last compared. */
    private static ObjectNode siblings(Siblings s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("sweep_id", s.sweepId());
        n.put("rank", s.rank());
        n.put("of", s.of());
        n.put("median_best_val_loss", s.byScore() ? null : s.median());
        if (s.byScore()) {
            n.put("median_best_val_score", s.median());
        }
        n.put(s.byStep() ? "at_step" : "at_epoch", s.at());
        n.put("lagging", s.lagging());
        return n;
    }

    /**
     * A status's {@code forecast} object. Its x fields keep the contract's names for a run counted
     * in steps too ({@code unit} says which); {@code horizon} says where {@code at_epoch} came from.
     */
    static ObjectNode forecastNode(Forecast forecast) {
        Forecast f = forecast.rounded();
        ObjectNode n = MAPPER.createObjectNode();
        n.put("at_epoch", f.atEpoch());
        n.put("best_val_loss", f.bestValLoss());
        n.put("low", f.low());
        n.put("high", f.high());
        n.put("within_1pct_by_epoch", f.withinOnePctByEpoch());
        n.put("gain_90pct_by_epoch", f.mostGainByEpoch());
        n.put("unit", f.perStep() ? "step" : "epoch");
        n.put("horizon", f.horizonAssumed() ? "twice_seen" : "max_epochs");
        return n;
    }

    /**
     * A {@code training-run-status} value (and a {@code GET /runs} item), as the stream writes it:
     * the bytes of {@link #statusNode}, written field by field without building the tree first (a
     * status every tenth point of every run: the tree was a tenth of the stream thread's time).
     * {@code JsonWriterProperties} checks the two give the same bytes.
     */
    public static byte[] statusBytes(RunStatus s) {
        return generate(g -> writeStatus(g, s), 512);
    }

    private interface Writing {
        void to(JsonGenerator g) throws IOException;
    }

    /** What {@code writing} writes, as bytes. */
    private static byte[] generate(Writing writing, int sizeHint) {
        ByteArrayBuilder out = new ByteArrayBuilder(sizeHint);
        try (JsonGenerator g = WRITER.createGenerator(out)) {
            writing.to(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The bytes of the tree of {@link #statusNode}: what {@link #statusBytes} must equal (tests). */
    static byte[] statusTreeBytes(RunStatus s) {
        return write(statusNode(s));
    }

    /** Writes what {@link #statusNode} holds, field for field and value type for value type (the tree's bytes). */
    private static void writeStatus(JsonGenerator g, RunStatus s) throws IOException {
        g.writeStartObject();
        g.writeStringField("run_id", s.runId());
        g.writeStringField("diagnosis", s.diagnosis().code());
        g.writeStringField("severity", s.severity().code());
        writeLong(g, "since_epoch", s.sinceEpoch());
        writeLong(g, "epoch", s.epoch());
        writeLong(g, "step", s.step());
        writeDouble(g, "train_loss", s.trainLoss());
        writeDouble(g, "val_loss", s.valLoss());
        writeString(g, "train_loss_trend", s.trainTrend());
        writeString(g, "val_loss_trend", s.valTrend());
        writeLong(g, "val_best_epoch", s.bestValEpoch());
        writeDouble(g, "val_best_loss", s.bestValLoss());
        writeString(g, "summary", s.summary());
        writeStrings(g, "recommendations", s.recommendations());
        g.writeBooleanField("finished", s.finished());
        g.writeNumberField("points", s.points());
        if (s.updated() != null) {
            g.writeStringField("updated", s.updated().toString());
        }
        if (s.restarts() > 0) {
            g.writeNumberField("restarts", s.restarts());
        }
        if (s.afterStopAdvice() != null) {
            StopAdvice.Spent spent = s.afterStopAdvice();
            g.writeObjectFieldStart("after_stop_advice");
            g.writeNumberField("epochs", spent.epochs());
            writeLong(g, "seconds", spent.seconds());
            g.writeNumberField("since_epoch", spent.sinceEpoch());
            g.writeStringField("diagnosis", spent.diagnosis().code());
            g.writeEndObject();
        }
        if (s.siblings() != null || s.spikes() != null) { // the rarer parts through the tree, as statusNode puts them
            ObjectNode rare = MAPPER.createObjectNode();
            putSiblingsAndSpikes(rare, s);
            for (var it = rare.fields(); it.hasNext(); ) {
                var e = it.next();
                g.writeFieldName(e.getKey());
                g.writeTree(e.getValue());
            }
        }
        if (s.forecast() != null) {
            Forecast f = s.forecast().rounded();
            g.writeObjectFieldStart("forecast");
            g.writeNumberField("at_epoch", f.atEpoch());
            g.writeNumberField("best_val_loss", f.bestValLoss());
            g.writeNumberField("low", f.low());
            g.writeNumberField("high", f.high());
            g.writeNumberField("within_1pct_by_epoch", f.withinOnePctByEpoch());
            g.writeNumberField("gain_90pct_by_epoch", f.mostGainByEpoch());
            g.writeStringField("unit", f.perStep() ? "step" : "epoch");
            g.writeStringField("horizon", f.horizonAssumed() ? "twice_seen" : "max_epochs");
            g.writeEndObject();
        }
        if (!s.curve().isEmpty()) {
            g.writeFieldName("curve");
            g.writeTree(curveNode(s.curve()));
        }
        g.writeEndObject();
    }

    private static void writeStrings(JsonGenerator g, String name, List<String> items) throws IOException {
        g.writeArrayFieldStart(name);
        for (String r : items) {
            if (r == null) {
                g.writeNull();
            } else {
                g.writeString(r);
            }
        }
        g.writeEndArray();
    }

    private static void writeLong(JsonGenerator g, String name, Long v) throws IOException {
        if (v == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, v.longValue());
        }
    }

    private static void writeDouble(JsonGenerator g, String name, Double v) throws IOException {
        if (v == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, v.doubleValue());
        }
    }

    private static void writeString(JsonGenerator g, String name, String v) throws IOException {
        if (v == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, v);
        }
    }

    public static String status(RunStatus s) {
        return new String(statusBytes(s), StandardCharsets.UTF_8);
    }


    /** Reads back a diagnosis event's code and epoch etc. (consumers and tests). */
    public static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static Diagnosis diagnosisOf(JsonNode event) {
        return Diagnosis.fromCode(event.get("diagnosis").asText());
    }

    private static ArrayNode strings(List<String> items) {
        ArrayNode a = MAPPER.createArrayNode();
        items.forEach(a::add);
        return a;
    }

    private static void putTime(ObjectNode n, String field, Instant t) {
        if (t != null) {
            n.put(field, t.toString());
        }
    }

    /** Any tree (a {@code GET /runs} array of {@link #statusNode}s, an error) in the same form. */
    public static byte[] bytes(JsonNode n) {
        return write(n);
    }

    private static byte[] write(JsonNode n) {
        try {
            return WRITER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

}
