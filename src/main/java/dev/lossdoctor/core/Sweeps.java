package dev.lossdoctor.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
     * ({@link RunAnalyzer#apply}): unchanged for a run of no sweep. A point (or end) of a run of a
     * sweep may also move its siblings' verdicts ({@link SweepStats#verdicts}): their events follow,
     * said on their states ({@code states}: a run's state by its id, null when unknown).
     */
    public List<DiagnosisEvent> apply(RunState state, TrainingEvent event, List<DiagnosisEvent> own, RunAnalyzer analyzer,
                                      Function<String, RunState> states) {
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
        SweepStats stats = sweeps.computeIfAbsent(sweep, SweepStats::new);
        List<SweepStats.Verdict> verdicts = List.of();
        if (event instanceof MetricsReported m) {
            Point p = Points.from(m);
            if (p != null && stats.add(runId, p, state.config().maxEpochs())) {
                verdicts = stats.verdicts(runId, rule);
            }
        } else if (event instanceof RunFinished) {
            stats.finish(runId);
            verdicts = stats.verdicts(runId, rule);
        }
        for (SweepStats.Verdict v : verdicts) {
            RunState of = v.runId().equals(runId) ? state : states.apply(v.runId());
            SiblingOverlay o = overlays.get(v.runId());
            if (of != null && o != null) {
                out.addAll(o.verdict(of, v.siblings(), analyzer, event.timestamp()));
            }
        }
        return out;
    }

    /** A run's status as it shows (with lagging and its place among its siblings, for a run of a sweep). */
    public RunStatus status(RunStatus own) {
        SiblingOverlay overlay = overlays.get(own.runId());
        return overlay == null ? own : overlay.status(own);
    }
}
