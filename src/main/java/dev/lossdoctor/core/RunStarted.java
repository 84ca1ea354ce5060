package dev.lossdoctor.core;

import java.time.Instant;

public record RunStarted(String runId, Instant timestamp, RunConfig config) implements TrainingEvent {
}
