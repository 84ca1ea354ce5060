package dev.lossdoctor.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunConfig;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import dev.lossdoctor.io.EventParser;
import dev.lossdoctor.io.Json;
import dev.lossdoctor.io.ParseResult;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A parsed training event, for the repartition topic: written in the input's own canonical JSON
 * form (DESIGN.md section 2) and read back by the very parser that read it first, so the event on
 * the far side is the same event.
 */
public final class TrainingEventSerde extends BaseSerde<TrainingEvent> {

    private final EventParser parser = new EventParser();

    public TrainingEventSerde() {
        super("training event");
    }

    @Override
    byte[] write(TrainingEvent event) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("run_id", event.runId());
        if (event.timestamp() != null) {
            n.put("timestamp", event.timestamp().toString());
        }
        if (event instanceof MetricsReported m) {
            n.put("type", "metrics");
            if (m.fractionalEpoch() != null) {
                n.put("epoch", m.fractionalEpoch()); // read back as the same event: its whole part, ordered by its step
            } else {
                n.put("epoch", m.epoch());
            }
            n.put("step", m.step());
            ObjectNode metrics = n.putObject("metrics");
            // non-finite values as strings ("NaN", "Infinity"), which the parser reads back as such
            new TreeMap<>(m.metrics()).forEach((name, v) -> {
                if (Double.isFinite(v)) {
                    metrics.put(name, v);
                } else {
                    metrics.put(name, v.toString());
                }
            });
        } else if (event instanceof RunStarted s) {
            n.put("type", "run_started");
            n.set("config", config(s.config()));
            if (s.resumedFromEpoch() != null) { // a resume: read back as the same event
                double e = s.resumedFromEpoch();
                if (e == Math.rint(e)) {
                    n.put("resumed_from_epoch", (long) e);
                } else {
                    n.put("resumed_from_epoch", e);
                }
            }
            if (s.resumedFromStep() != null) {
                n.put("resumed_from_step", s.resumedFromStep());
            }
        } else {
            RunFinished f = (RunFinished) event;
            n.put("type", "run_finished");
            n.put("epoch", f.epoch());
            n.put("status", f.status());
        }
        try {
            return Json.MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new SerializationException(e);
        }
    }

    private static ObjectNode config(RunConfig c) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("optimizer", c.optimizer());
        fields.put("lr", c.lr());
        fields.put("batch_size", c.batchSize());
        fields.put("task", c.task());
        fields.put("loss", c.loss());
        fields.put("output_activation", c.outputActivation());
        fields.put("hidden_activation", c.hiddenActivation());
        fields.put("max_epochs", c.maxEpochs());
        fields.put("num_classes", c.numClasses());
        fields.put("model", c.model());
        fields.put("dataset", c.dataset());
        fields.forEach((name, v) -> {
            if (v != null) {
                n.set(name, Json.MAPPER.valueToTree(v));
            }
        });
        return n;
    }

    @Override
    TrainingEvent read(byte[] bytes) {
        ParseResult r = parser.parse(null, bytes, null);
        if (r instanceof ParseResult.Accepted a) {
            return a.event();
        }
        throw new SerializationException("not a training event: " + ((ParseResult.Rejected) r).reason());
    }
}
