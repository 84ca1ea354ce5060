package dev.lossdoctor.cli;

import dev.lossdoctor.chart.AdviceCost;
import dev.lossdoctor.core.DiagnosisEvent;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** The human-readable timeline {@code analyze} prints by default. */
final class TimelineTable {

    private TimelineTable() {
    }

    /** The timelines, then what the runs trained after the advice to stop (when any was advised). */
    static void print(PrintWriter out, Map<String, List<DiagnosisEvent>> timelines, AdviceCost cost) {
        print(out, timelines);
        String headline = cost.headline();
        if (headline != null) {
            out.println();
            out.println(headline);
        }
    }

    static void print(PrintWriter out, Map<String, List<DiagnosisEvent>> timelines) {
        boolean firstRun = true;
        for (Map.Entry<String, List<DiagnosisEvent>> run : timelines.entrySet()) {
            if (!firstRun) {
                out.println();
            }
            firstRun = false;
            List<DiagnosisEvent> events = run.getValue();
            DiagnosisEvent last = events.get(events.size() - 1);
            out.printf("run %s: %s (%s)%n", run.getKey(), last.diagnosis().code(), last.severity().code());
            out.printf("  %8s  %-14s %-9s %s%n", "epoch", "diagnosis", "severity", "summary / advice");
            for (DiagnosisEvent e : events) {
                String epoch = e.epoch() == null ? "-" : String.valueOf(e.epoch());
                out.printf("  %8s  %-14s %-9s %s%n", epoch, e.diagnosis().code(), e.severity().code(), e.summary());
                if (!e.recommendations().isEmpty()) {
                    out.printf("  %8s  %-14s %-9s -> %s%n", "", "", "", String.join("; ", e.recommendations()));
                }
            }
        }
    }
}
