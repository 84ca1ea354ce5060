package dev.lossdoctor.core;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code training-diagnoses} carries: emitted each time a run's diagnosis changes.
 * {@code evidence} holds the numbers that decided it (insertion-ordered, JSON-friendly values).
 */
public record DiagnosisEvent(
        String runId,
        Long epoch,
        Long step,
        Diagnosis diagnosis,
        Diagnosis previous,
        Long sinceEpoch,
        double confidence,
        String summary,
        List<String> recommendations,
        Map<String, Object> evidence,
        Instant timestamp) {

    public Severity severity() {
        return diagnosis.severity();
    }
}
