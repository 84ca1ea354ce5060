package dev.lossdoctor.streams;

import static dev.lossdoctor.streams.JsonReads.diagnosis;
import static dev.lossdoctor.streams.JsonReads.doubleValue;
import static dev.lossdoctor.streams.JsonReads.field;
import static dev.lossdoctor.streams.JsonReads.instant;
import static dev.lossdoctor.streams.JsonReads.longValue;
import static dev.lossdoctor.streams.JsonReads.requiredText;
import static dev.lossdoctor.streams.JsonReads.strings;
import static dev.lossdoctor.streams.JsonReads.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lossdoctor.core.Forecast;
import dev.lossdoctor.core.RunStatus;
import dev.lossdoctor.core.StopAdvice;
import dev.lossdoctor.core.Siblings;
import dev.lossdoctor.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code training-run-status} values and {@code GET /runs} items: the JSON of
 * {@link Json#statusBytes}. Read back when one instance asks another for a run it holds.
 */
public final class RunStatusSerde extends BaseSerde<RunStatus> {

    public RunStatusSerde() {
        super("run status");
    }

    @Override
    byte[] write(RunStatus status) {
        return Json.statusBytes(status);
    }

    @Override
    RunStatus read(byte[] bytes) {
        try {
            return fromJson(Json.MAPPER.readTree(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RunStatus fromJson(JsonNode n) {
        List<RunStatus.CurvePoint> curve = new ArrayList<>();
        JsonNode points = field(n, "curve");
        if (points != null) {
            for (JsonNode p : points) {
                curve.add(new RunStatus.CurvePoint(longValue(p, "epoch"), longValue(p, "step"),
                        doubleValue(p, "train_loss"), doubleValue(p, "val_loss")));
            }
        }
        JsonNode finished = field(n, "finished");
        RunStatus.Spikes spikes = null;
        JsonNode sp = field(n, "spikes");
        if (sp != null && sp.isObject()) {
            List<Long> at = new ArrayList<>();
            JsonNode epochs = field(sp, "epochs");
            if (epochs != null) {
                epochs.forEach(e -> at.add(e.asLong()));
            }
            Long count = longValue(sp, "count");
            spikes = new RunStatus.Spikes(count == null ? at.size() : count, List.copyOf(at));
        }
        Long pointCount = longValue(n, "points");
        Long restarts = longValue(n, "restarts");
        return new RunStatus(requiredText(n, "run_id"), diagnosis(n, "diagnosis"), longValue(n, "since_epoch"),
                longValue(n, "epoch"), longValue(n, "step"), doubleValue(n, "train_loss"), doubleValue(n, "val_loss"),
                text(n, "train_loss_trend"), text(n, "val_loss_trend"), longValue(n, "val_best_epoch"),
                doubleValue(n, "val_best_loss"), text(n, "summary"), strings(n, "recommendations"),
                finished != null && finished.asBoolean(), pointCount == null ? 0 : pointCount, instant(n, "updated"),
                List.copyOf(curve), afterStopAdvice(field(n, "after_stop_advice")), siblings(field(n, "siblings")), spikes,
                forecast(field(n, "forecast")), restarts == null ? 0 : (int) Math.min(Integer.MAX_VALUE, restarts));
    }

    private static StopAdvice.Spent afterStopAdvice(JsonNode a) {
        if (a == null || !a.isObject()) {
            return null;
        }
        Long epochs = longValue(a, "epochs"), since = longValue(a, "since_epoch");
        return new StopAdvice.Spent(diagnosis(a, "diagnosis"), since == null ? 0 : since, epochs == null ? 0 : epochs,
                longValue(a, "seconds"));
    }

    /**
     * A status's siblings object, or null when it has none: what the status shows of it (the
     * threshold and the run's own value are in the lagging event's evidence, not here: NaN).
     */
    static Siblings siblings(JsonNode s) {
        if (s == null || !s.isObject() || text(s, "sweep_id") == null) {
            return null;
        }
        Long rank = longValue(s, "rank"), of = longValue(s, "of");
        Long atStep = longValue(s, "at_step"), atEpoch = longValue(s, "at_epoch");
        Double byScore = doubleValue(s, "median_best_val_score");
        Double median = byScore != null ? byScore : doubleValue(s, "median_best_val_loss");
        if (rank == null || of == null || (atStep == null && atEpoch == null) || median == null) {
            return null;
        }
        JsonNode lagging = field(s, "lagging");
        return new Siblings(text(s, "sweep_id"), atStep != null ? atStep : atEpoch, atStep != null, byScore != null,
                rank.intValue(), of.intValue(), median, Double.NaN, Double.NaN, lagging != null && lagging.asBoolean());
    }

    /** A status's forecast object, or null when it has none (or one this reader cannot make sense of). */
    static Forecast forecast(JsonNode f) {
        if (f == null || !f.isObject()) {
            return null;
        }
        Long at = longValue(f, "at_epoch");
        Double best = doubleValue(f, "best_val_loss");
        Double low = doubleValue(f, "low");
        Double high = doubleValue(f, "high");
        Long within = longValue(f, "within_1pct_by_epoch");
        Long most = longValue(f, "gain_90pct_by_epoch");
        if (at == null || best == null || low == null || high == null || within == null) {
            return null;
        }
        return new Forecast(at, best, low, high, within, most == null ? within : most,
                "twice_seen".equals(text(f, "horizon")), "step".equals(text(f, "unit")));
    }
}
