package dev.lossdoctor.streams;

import dev.lossdoctor.core.Point;
import java.time.Instant;

/**
 * What a run's task tells its sweep's task (keyed by sweep id, on an internal topic): one point of
 * the run, or that it finished ({@code point} null). {@code at} is the run's event's own time, so
 * that the verdict sent back carries it and its words match {@code analyze}'s.
 */
record SweepPoint(String runId, String sweepId, Point point, Integer maxEpochs, Instant at) {

    boolean finished() {
        return point == null;
    }
}
