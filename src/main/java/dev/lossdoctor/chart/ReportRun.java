package dev.lossdoctor.chart;

import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.StopAdvice;
import java.util.List;
import java.util.Objects;

/**
 * One run of a report: its chart, its diagnosis timeline (oldest first; may be empty), how far it
 * got ({@code span}: epochs, or steps for a run reporting steps only) and what it trained after it
 * was first advised to stop (null if it never was).
 */
public record ReportRun(ChartData chart, List<DiagnosisEvent> timeline, long span, StopAdvice.Spent afterStopAdvice) {

    public ReportRun {
        Objects.requireNonNull(chart, "chart");
        timeline = List.copyOf(timeline);
    }

    /** A run whose reader kept no state (a chart and timeline only). */
    public ReportRun(ChartData chart, List<DiagnosisEvent> timeline) {
        this(chart, timeline, 0, null);
    }

    public String runId() {
        return chart.runId();
    }

    /** The run's latest diagnosis, or null when it never got one. */
    public DiagnosisEvent last() {
        return timeline.isEmpty() ? null : timeline.get(timeline.size() - 1);
    }
}
