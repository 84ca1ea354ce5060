package dev.lossdoctor.streams;

import dev.lossdoctor.core.Siblings;
import java.time.Instant;

/** A sweep task's verdict on one run, back to the run's task (keyed by run id); {@code at}: the point's time. */
record SweepVerdict(String runId, Siblings siblings, Instant at) {
}
