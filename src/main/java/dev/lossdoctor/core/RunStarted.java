package dev.lossdoctor.core;

import java.time.Instant;

/**
 * A run's start; {@code sweepId} ({@code config.sweep_id}) names the sweep it belongs to (null: none).
 * A run resumed from a checkpoint starts again with {@code resumedFromEpoch} and/or {@code
 * resumedFromStep} (null: not said): from then on its points replace the run's points after that one
 * (DESIGN.md section 2). A fractional {@code resumedFromEpoch} is kept as reported; the analysis
 * reads it as the whole epoch it falls in, as it reads a point's.
 */
public record RunStarted(String runId, Instant timestamp, RunConfig config, String sweepId, Double resumedFromEpoch,
                         Long resumedFromStep) implements TrainingEvent {

    public RunStarted(String runId, Instant timestamp, RunConfig config, String sweepId) {
        this(runId, timestamp, config, sweepId, null, null);
    }

    public RunStarted(String runId, Instant timestamp, RunConfig config) {
        this(runId, timestamp, config, null);
    }

    /** A resume from a checkpoint (not a plain start): it says where the run went back to. */
    public boolean resumed() {
        return resumedFromEpoch != null || resumedFromStep != null;
    }
}
