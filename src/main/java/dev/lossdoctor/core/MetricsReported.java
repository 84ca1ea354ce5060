package dev.lossdoctor.core;

import java.time.Instant;
import java.util.Map;

/**
 * One point of a run's curves. {@code epoch} and {@code step} may each be null (not both); metric
 * names are canonical ({@code train_loss}, {@code val_loss}, {@code train_accuracy}, ...), and a
 * non-finite value (NaN, Infinity, null on the wire) is {@link Double#NaN} or infinite.
 *
 * <p>A fractional epoch (Hugging Face's 0.25 after a quarter of the first epoch) is analysed as the
 * whole epoch it falls in, {@code epoch}, ordered by its {@code step}; {@code fractionalEpoch} keeps
 * the epoch as reported, for what shows or forwards it (charts, the repartition topic, {@code
 * publish}), and is null for a whole epoch. The analysis never reads it.
 */
public record MetricsReported(String runId, Long epoch, Long step, Instant timestamp, Map<String, Double> metrics,
                              Double fractionalEpoch) implements TrainingEvent {

    public MetricsReported {
        metrics = metrics instanceof MetricMap ? metrics : Map.copyOf(metrics); // (immutable already)
    }

    public MetricsReported(String runId, Long epoch, Long step, Instant timestamp, Map<String, Double> metrics) {
        this(runId, epoch, step, timestamp, metrics, null);
    }
}
