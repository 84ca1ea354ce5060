package dev.lossdoctor.core;

import java.time.Instant;

/** {@code epoch} and {@code status} may be null. */
public record RunFinished(String runId, Long epoch, String status, Instant timestamp) implements TrainingEvent {
}
