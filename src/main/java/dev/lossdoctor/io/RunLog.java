package dev.lossdoctor.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.RunStarted;
import dev.lossdoctor.core.TrainingEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One run read from a log of another tool (Hugging Face, Lightning, Keras, TensorBoard, MLflow),
 * gathered whole and then handed on as events: its config, its points in the log's order, and how
 * it ended. Gathered first because the config often comes last in the file.
 */
final class RunLog {

    /** A point as the log gives it: the epoch may be fractional; metric names are canonical. */
    record Point(Double epoch, Long step, Instant timestamp, Map<String, Double> metrics) {
    }

    final String runId;
    final ObjectNode config = Json.MAPPER.createObjectNode();
    Instant startedAt;
    private final List<Point> points = new ArrayList<>();
    private String finishStatus;
    private Instant finishedAt;
    private boolean finished;

    RunLog(String runId) {
        this.runId = runId;
    }

    /** Other tools' names of the config fields DESIGN section 2 names. */
    private static final Map<String, String> CONFIG_NAMES = Map.of(
            "learning_rate", "lr",
            "train_batch_size", "batch_size",
            "per_device_train_batch_size", "batch_size",
            "num_train_epochs", "max_epochs",
            "num_epochs", "max_epochs",
            "n_epochs", "max_epochs",
            "optimizer_name", "optimizer",
            "model_name", "model",
            "model_type", "model");

    /**
     * One config value of the log (a hyper-parameter, an MLflow param), kept under its own name and,
     * when another tool names a DESIGN field differently, under DESIGN's name too (the first value wins).
     * Only scalars: a nested value is no config field the analysis reads.
     */
    void param(String name, com.fasterxml.jackson.databind.JsonNode value) {
        if (value == null || !value.isValueNode()) {
            return;
        }
        String key = name.trim();
        if (!config.has(key)) {
            config.set(key, value);
        }
        String design = CONFIG_NAMES.get(key.toLowerCase(java.util.Locale.ROOT));
        if (design != null && !config.has(design)) {
            config.set(design, value);
        }
    }

    void add(Double epoch, Long step, Instant timestamp, Map<String, Double> metrics) {
        points.add(new Point(epoch, step, timestamp, new LinkedHashMap<>(metrics)));
    }

    int size() {
        return points.size();
    }

    List<Point> points() {
        return points;
    }

    /** The log ends the run (the whole run is in the file): a {@code run_finished} follows the points. */
    void finish(String status, Instant at) {
        finished = true;
        finishStatus = status;
        finishedAt = at;
    }

    /**
     * The core's epoch for a point, as {@link EventParser} reads the same point sent as an event (so
     * that {@code analyze} of a log and {@code publish} of it read one run): a whole epoch as it is; a
     * fractional one (Hugging Face's 0.25 after a quarter of the first epoch) as the epoch it falls in,
     * its step ordering it there. Null for a fractional epoch without a step, which nothing could order.
     */
    static Long coreEpoch(Double epoch, Long step) {
        if (epoch == null || !(epoch >= 0)) {
            return null;
        }
        if (epoch == Math.rint(epoch)) {
            return (long) epoch.doubleValue();
        }
        return step != null ? EventParser.wholeEpoch(epoch) : null;
    }

    /**
     * Hands the run on: {@code run_started} with its config, the points in the log's order, then
     * {@code run_finished} when the log holds the whole run. Where the log's order is known, epochs
     * going back (a Hugging Face log continued after a resume, a Lightning CSV appended by a second
     * training) are a restart (DESIGN section 2): a resume from just before the point that went back
     * ({@link #resumeBefore}) comes before it, so its training replaces the points after it.
     */
    void emit(Consumer<TrainingEvent> events) {
        Instant start = startedAt != null ? startedAt : points.isEmpty() ? null : points.get(0).timestamp();
        events.accept(new RunStarted(runId, start, EventParser.config(config)));
        Long lastEpoch = null;
        Point previous = null;
        for (Point p : points) {
            Long epoch = coreEpoch(p.epoch(), p.step());
            if (epoch == null && p.step() == null) {
                continue; // no axis at all (or a fractional epoch alone): nothing the core could place
            }
            if (previous != null && wentBack(previous, p)) {
                events.accept(resumeBefore(runId, p.timestamp(), epoch, p.step()));
            }
            previous = p;
            Double fractional = epoch != null && p.epoch() != epoch.doubleValue() ? p.epoch() : null;
            events.accept(new MetricsReported(runId, epoch, p.step(), p.timestamp(), p.metrics(), fractional));
            lastEpoch = epoch;
        }
        if (finished) {
            Instant end = finishedAt != null ? finishedAt : points.isEmpty() ? start : points.get(points.size() - 1).timestamp();
            events.accept(new RunFinished(runId, lastEpoch, finishStatus, end));
        }
    }

    /**
     * A point before the one before it in the log: its step went back, or (no steps) its epoch as
     * reported. An epoch that goes back while the step goes on (a second phase of training counting
     * its epochs from 0 again, the global step continued) is no restart: nothing is reported again.
     */
    private static boolean wentBack(Point before, Point p) {
        if (before.step() != null && p.step() != null) {
            return p.step() < before.step() && (before.epoch() == null || p.epoch() == null || p.epoch() < before.epoch());
        }
        return before.epoch() != null && p.epoch() != null && p.epoch() < before.epoch();
    }

    /**
     * The resume a log implies when a point ({@code epoch} as the core reads it, and {@code step})
     * goes back: from just before it, its step when it has one (precise within a fractional epoch),
     * else its epoch; from 0 at the earliest (a training started over keeps the first value of epoch
     * or step 0, as the wire can say no earlier checkpoint).
     */
    static RunStarted resumeBefore(String runId, Instant at, Long epoch, Long step) {
        return step != null ? new RunStarted(runId, at, dev.lossdoctor.core.RunConfig.EMPTY, null, null, Math.max(0, step - 1))
                : new RunStarted(runId, at, dev.lossdoctor.core.RunConfig.EMPTY, null, (double) Math.max(0, epoch - 1), null);
    }
}
