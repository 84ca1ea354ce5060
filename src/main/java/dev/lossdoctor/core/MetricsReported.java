package dev.lossdoctor.core;

import java.time.Instant;
import java.util.Map;

/**
 * One point of a run's curves. {@code epoch} and {@code step} may each be null (not both); metric
 * names are canonical ({@code train_loss}, {@code val_loss}, {@code train_accuracy}, ...), and a
 * non-finite value (NaN, Infinity, null on the wire) is {@link Double#NaN} or infinite.
 */
public record MetricsReported(String runId, Long epoch, Long step, Instant timestamp, Map<String, Double> metrics)
        implements TrainingEvent {

    public MetricsReported {
        metrics = Map.copyOf(metrics);
    }
}
