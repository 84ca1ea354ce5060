package dev.lossdoctor.chart;

import dev.lossdoctor.core.DiagnosisEvent;
import java.util.List;
import java.util.Objects;

/** One run of a report: its chart and its diagnosis timeline (oldest first; may be empty). */
public record ReportRun(ChartData chart, List<DiagnosisEvent> timeline) {

    public ReportRun {
        Objects.requireNonNull(chart, "chart");
        timeline = List.copyOf(timeline);
    }

    public String runId() {
        return chart.runId();
    }

    /** The run's latest diagnosis, or null when it never got one. */
    public DiagnosisEvent last() {
        return timeline.isEmpty() ? null : timeline.get(timeline.size() - 1);
    }
}
