package dev.lossdoctor.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lagging} over a run's own diagnosis: one per run of a sweep, beside its {@link RunState}
 * (which keeps only what the run's own curve says). The run's own diagnosis keeps being read
 * underneath; while the run lags, a problem diagnosis outranks lagging and shows, anything else
 * waits; lagging ends when the run catches up with its siblings or finishes, and the run's own
 * diagnosis is said again.
 *
 * <p>{@code plateau} and {@code underfitting} do not outrank it: their advice (another learning
 * rate, a bigger model) is what the sweep is already trying, and a sweep run stuck while its
 * siblings learn is best stopped. On TaskSet, where many configurations sit at chance, letting
 * them outrank lagging left 3 in 4 such runs running (bench/sweep_benchmark.py: 27% saved, not 70%).
 */
public final class SiblingOverlay {

    private boolean lagging;
    private DiagnosisEvent laggingEvent;
    private Siblings latest;

    public SiblingOverlay() {
    }

    /**
     * An overlay as {@link SweepCodec} stored it: whether the run lags, the lagging event's words
     * (what its status shows while it lags) and its latest place among its siblings.
     */
    public SiblingOverlay(boolean lagging, DiagnosisEvent laggingEvent, Siblings latest) {
        this.lagging = lagging && laggingEvent != null;
        this.laggingEvent = this.lagging ? laggingEvent : null;
        this.latest = latest;
    }

    /** The event that started the current lagging (null: not lagging). */
    public DiagnosisEvent laggingEvent() {
        return lagging ? laggingEvent : null;
    }

    /** Whether {@code lagging} is what the run shows now. */
    public boolean lagging() {
        return lagging;
    }

    /** The run's latest place among its siblings (null: not ranked yet). */
    public Siblings latest() {
        return latest;
    }

    static boolean isProblem(Diagnosis d) {
        return d != null && d != Diagnosis.LAGGING && d.severity() != Severity.INFO && d != Diagnosis.PLATEAU
                && d != Diagnosis.UNDERFITTING;
    }

    /** The run's own events after one of its events, as they show with lagging over them. */
    public List<DiagnosisEvent> own(RunState state, List<DiagnosisEvent> events, RunAnalyzer analyzer, Instant timestamp) {
        if (!lagging) {
            return events;
        }
        List<DiagnosisEvent> shown = new ArrayList<>(events.size());
        for (DiagnosisEvent e : events) {
            if (lagging && (isProblem(e.diagnosis()) || state.finished())) {
                lagging = false;
                shown.add(after(e));
            } else if (!lagging) {
                shown.add(e);
            }
        }
        if (lagging && state.finished()) { // finished with nothing new to say: its own verdict stands again
            lagging = false;
            shown.add(analyzer.restate(state, Diagnosis.LAGGING, timestamp));
        }
        return shown;
    }

    /**
     * The run's verdict after a point of its own ({@link SweepStats#verdict}, null: none): lagging
     * starts when the run lags and its own diagnosis is no problem; it ends when the run catches up.
     */
    public List<DiagnosisEvent> verdict(RunState state, Siblings verdict, RunAnalyzer analyzer, Instant timestamp) {
        if (verdict != null) {
            latest = verdict;
        }
        boolean lags = verdict != null && verdict.lagging();
        if (!lagging && lags && !state.finished() && !isProblem(state.current()) && state.size > 0) {
            lagging = true;
            laggingEvent = analyzer.lagging(state, verdict, timestamp);
            return List.of(laggingEvent);
        }
        if (lagging && verdict != null && !lags) {
            lagging = false;
            return List.of(analyzer.restate(state, Diagnosis.LAGGING, timestamp));
        }
        return List.of();
    }

    /** The run's status as it shows: lagging's words while it lags, and its place among its siblings. */
    public RunStatus status(RunStatus own) {
        RunStatus s = own.withSiblings(latest);
        if (!lagging) {
            return s;
        }
        return new RunStatus(s.runId(), Diagnosis.LAGGING, laggingEvent.sinceEpoch(), s.epoch(), s.step(), s.trainLoss(),
                s.valLoss(), s.trainTrend(), s.valTrend(), s.bestValEpoch(), s.bestValLoss(), laggingEvent.summary(),
                laggingEvent.recommendations(), s.finished(), s.points(), s.updated(), s.curve(), s.afterStopAdvice(), latest, s.spikes(), s.forecast(),
                s.restarts());
    }

    private static DiagnosisEvent after(DiagnosisEvent e) {
        return new DiagnosisEvent(e.runId(), e.epoch(), e.step(), e.diagnosis(), Diagnosis.LAGGING, e.sinceEpoch(),
                e.confidence(), e.summary(), e.recommendations(), e.evidence(), e.timestamp());
    }
}
