package dev.lossdoctor.core;

import java.time.Instant;

/** One event a trainer publishes about a run (DESIGN.md section 2), already validated. */
public sealed interface TrainingEvent permits RunStarted, MetricsReported, RunFinished {

    String runId();

    /** The event's own timestamp, else the Kafka record's (or file order) timestamp. */
    Instant timestamp();
}
