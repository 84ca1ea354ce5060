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
     * {@code run_finished} when the log holds the whole run. Points whose epochs go back (a resumed
     * Hugging Face log, a Keras CSVLogger appended by a second training) are handed on as they are,
     * in the log's order: the core keeps the first value of an epoch it has already seen (a duplicate
     * changes nothing), so the later training's points count only past the epochs already seen, until
     * the core reads a restart (DESIGN section 2: a {@code run_started} with {@code resumed_from_epoch}).
     */
    void emit(Consumer<TrainingEvent> events) {
        Instant start = startedAt != null ? startedAt : points.isEmpty() ? null : points.get(0).timestamp();
        events.accept(new RunStarted(runId, start, EventParser.config(config)));
        Long lastEpoch = null;
        for (Point p : points) {
            Long epoch = coreEpoch(p.epoch(), p.step());
            if (epoch == null && p.step() == null) {
                continue; // no axis at all (or a fractional epoch alone): nothing the core could place
            }
            Double fractional = epoch != null && p.epoch() != epoch.doubleValue() ? p.epoch() : null;
            events.accept(new MetricsReported(runId, epoch, p.step(), p.timestamp(), p.metrics(), fractional));
            lastEpoch = epoch;
        }
        if (finished) {
            Instant end = finishedAt != null ? finishedAt : points.isEmpty() ? start : points.get(points.size() - 1).timestamp();
            events.accept(new RunFinished(runId, lastEpoch, finishStatus, end));
        }
    }
}
