package dev.lossdoctor.streams;

import dev.lossdoctor.core.Diagnosis;
import dev.lossdoctor.core.DiagnosisEvent;
import dev.lossdoctor.core.RunAnalyzer;
import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.RunStatus;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Publishes what a run's update caused: its diagnosis events, then its new status, each to its sink.
 * Without CloudEvents the records get no headers of their own ({@link Record} makes its empty ones:
 * an empty set passed in would be copied into a second).
 */
final class RunOutputs {

    /** Points between two status records of a run whose diagnosis did not change. */
    static final int STATUS_EVERY_POINTS = 10;

    private final ProcessorContext<String, Object> context;
    private final String diagnosesSink;
    private final String statusSink;
    private final RunAnalyzer analyzer;
    private final AnalysisMetrics metrics;
    private final CloudEventsHeaders cloudEvents;

    RunOutputs(ProcessorContext<String, Object> context, String diagnosesSink, String statusSink, RunAnalyzer analyzer,
               AnalysisMetrics metrics, CloudEventsHeaders cloudEvents) {
        this.context = context;
        this.diagnosesSink = diagnosesSink;
        this.statusSink = statusSink;
        this.analyzer = analyzer;
        this.metrics = metrics;
        this.cloudEvents = cloudEvents;
    }

    /**
     * @param previous the run's diagnosis before the update, or null for a run new to this task
     * @param timestamp the timestamp of the outputs: the input record's, or the punctuation's
     */
    void publish(RunState state, Diagnosis previous, List<DiagnosisEvent> events, long timestamp) {
        publish(state, previous, events, timestamp, UnaryOperator.identity());
    }

    /** @param shown the status as it shows (a run of a sweep: with lagging and its place among its siblings) */
    void publish(RunState state, Diagnosis previous, List<DiagnosisEvent> events, long timestamp, UnaryOperator<RunStatus> shown) {
        for (DiagnosisEvent event : events) {
            context.forward(new Record<String, Object>(state.runId(), event, timestamp,
                    cloudEvents.enabled() ? cloudEvents.diagnosis(event, timestamp) : null), diagnosesSink);
            metrics.diagnosed(event);
        }
        if (metrics.followsRuns()) {
            metrics.runUpdated(shown.apply(analyzer.brief(state)), previous); // as it shows: lagging counts as lagging
        }
        // the full status reads the curves again and is a few hundred bytes: published when the
        // diagnosis changes, when the run finishes, and every few points in between (the latest
        // numbers stay fresh without doubling the work per record); the curve stays in the store
        if (!events.isEmpty() || state.finished() || state.points() % STATUS_EVERY_POINTS == 0) {
            RunStatus status = shown.apply(analyzer.statusWithoutCurve(state));
            metrics.runRead(status);
            context.forward(new Record<String, Object>(state.runId(), status, timestamp,
                    cloudEvents.enabled() ? cloudEvents.status(status, timestamp) : null), statusSink);
        }
    }
}
