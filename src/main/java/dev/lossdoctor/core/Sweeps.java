package dev.lossdoctor.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sweeps of the runs {@code analyze} is given, in one process: each sweep's
 * {@link SweepStats} and each of its runs' {@link SiblingOverlay}. The stream splits the same
 * work between a task per sweep (the stats and the verdict) and the run's own task (the overlay).
 * A run belongs to the sweep its {@code run_started} names; its points before that are not counted.
 */
public final class Sweeps {

    private final SweepRule rule;
    private final Map<String, SweepStats> sweeps = new HashMap<>();
    private final Map<String, String> sweepOf = new HashMap<>();
    private final Map<String, SiblingOverlay> overlays = new HashMap<>();

    public Sweeps(SweepRule rule) {
        this.rule = rule;
    }

    /** The sweep a run's start names, if any (the first one said stands). */
    public static String sweepId(TrainingEvent e) {
        return e instanceof RunStarted s ? s.sweepId() : null;
    }

    /** What a sweep counts of a run's event: its point (null: none, or not a report of metrics). */
    public static Point point(TrainingEvent e) {
        return e instanceof MetricsReported m ? Points.from(m) : null;
    }

    /**
     * The diagnosis events of one of a run's events, given {@code own}, what its own analysis said
     * ({@link RunAnalyzer#apply}): unchanged for a run of no sweep.
     */
    public List<DiagnosisEvent> apply(RunState state, TrainingEvent event, List<DiagnosisEvent> own, RunAnalyzer analyzer) {
        String runId = state.runId();
        if (sweepId(event) != null) {
            sweepOf.putIfAbsent(runId, sweepId(event));
        }
        String sweep = sweepOf.get(runId);
        if (sweep == null) {
            return own;
        }
        SiblingOverlay overlay = overlays.computeIfAbsent(runId, k -> new SiblingOverlay());
        List<DiagnosisEvent> out = new ArrayList<>(overlay.own(state, own, analyzer, event.timestamp()));
        if (event instanceof MetricsReported m) {
            Point p = Points.from(m);
            SweepStats stats = sweeps.computeIfAbsent(sweep, SweepStats::new);
            if (p != null && stats.add(runId, p)) {
                Siblings verdict = stats.verdict(runId, state.config().maxEpochs(), rule);
                out.addAll(overlay.verdict(state, verdict, analyzer, m.timestamp()));
            }
        } else if (event instanceof RunFinished) {
            sweeps.computeIfAbsent(sweep, SweepStats::new).finish(runId);
        }
        return out;
    }

    /** A run's status as it shows (with lagging and its place among its siblings, for a run of a sweep). */
    public RunStatus status(RunStatus own) {
        SiblingOverlay overlay = overlays.get(own.runId());
        return overlay == null ? own : overlay.status(own);
    }
}
