package dev.lossdoctor.core;

import java.util.List;
import java.util.Map;

/**
 * What the analysis read off a run's curve at one point: the diagnosis, since when (an epoch, or
 * {@link Point#NONE}), how sure, the numbers that decided it, and what to tell a person.
 */
record Reading(Diagnosis diagnosis, long since, double confidence, Map<String, Object> evidence, String summary,
               List<String> recommendations) {

    static Reading warmingUp(long points) {
        return new Reading(Diagnosis.WARMING_UP, Point.NONE, 1.0, Map.of("points", points),
                "Too few points to read the curves yet (" + points + " so far).", List.of("Keep training"));
    }
}
