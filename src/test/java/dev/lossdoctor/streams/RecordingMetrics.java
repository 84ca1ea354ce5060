package dev.lossdoctor.streams;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunStatus;
import java.util.ArrayList;
import java.util.List;

/** Remembers what the topology told its metrics. */
final class RecordingMetrics implements AnalysisMetrics {

    record Released(String runId, Diagnosis current, Release why) {
    }

    int accepted;
    final List<String> rejectedReasons = new ArrayList<>();
    final List<Released> released = new ArrayList<>();
    long lastRecordTimestamp = -1;

    @Override
    public void accepted() {
        accepted++;
    }

    @Override
    public void rejected(String reason) {
        rejectedReasons.add(reason);
    }

    @Override
    public void processed(long recordTimestampMillis) {
        lastRecordTimestamp = recordTimestampMillis;
    }

    @Override
    public void diagnosed(DiagnosisEvent event) {
    }

    @Override
    public void runUpdated(RunStatus status, Diagnosis previous) {
    }

    @Override
    public void runReleased(String runId, Diagnosis current, Release why) {
        released.add(new Released(runId, current, why));
    }
}
