package dev.lossdoctor.core;

import java.time.Instant;

/** A run's start; {@code sweepId} ({@code config.sweep_id}) names the sweep it belongs to (null: none). */
public record RunStarted(String runId, Instant timestamp, RunConfig config, String sweepId) implements TrainingEvent {

    public RunStarted(String runId, Instant timestamp, RunConfig config) {
        this(runId, timestamp, config, null);
    }
}
