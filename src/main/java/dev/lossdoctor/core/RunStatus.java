package dev.lossdoctor.core;

import java.time.Instant;
import java.util.List;

/**
 * The latest full status of one run: what {@code training-run-status} carries and what
 * {@code GET /runs/{run_id}} answers. {@code curve} is the run's recent window (oldest first),
 * for charts; {@code afterStopAdvice} what the run trained after it was first advised to stop (null
 * if it never was); {@code siblings} the run's place in its sweep (null: not a run of a sweep, or not
 * ranked yet); {@code spikes} the loss spikes that recovered (DESIGN.md section 4), null when none;
 * {@code forecast} where a still-improving validation loss is heading, or null; {@code restarts} the
 * times the run resumed from a checkpoint (DESIGN.md section 2).
 */
public record RunStatus(
        String runId,
        Diagnosis diagnosis,
        Long sinceEpoch,
        Long epoch,
        Long step,
        Double trainLoss,
        Double valLoss,
        String trainTrend,
        String valTrend,
        Long bestValEpoch,
        Double bestValLoss,
        String summary,
        List<String> recommendations,
        boolean finished,
        long points,
        Instant updated,
        List<CurvePoint> curve,
        StopAdvice.Spent afterStopAdvice,
        Siblings siblings,
        Spikes spikes,
        Forecast forecast,
        int restarts) {

    /** A status of a run never restarted. */
    public RunStatus(String runId, Diagnosis diagnosis, Long sinceEpoch, Long epoch, Long step, Double trainLoss, Double valLoss,
            String trainTrend, String valTrend, Long bestValEpoch, Double bestValLoss, String summary,
            List<String> recommendations, boolean finished, long points, Instant updated, List<CurvePoint> curve,
            StopAdvice.Spent afterStopAdvice, Siblings siblings, Spikes spikes, Forecast forecast) {
        this(runId, diagnosis, sinceEpoch, epoch, step, trainLoss, valLoss, trainTrend, valTrend, bestValEpoch, bestValLoss,
                summary, recommendations, finished, points, updated, curve, afterStopAdvice, siblings, spikes, forecast, 0);
    }

    /** A status with nothing after a stop advice, no place among siblings, no spikes, no forecast (a reader that knows none of them). */
    public RunStatus(String runId, Diagnosis diagnosis, Long sinceEpoch, Long epoch, Long step, Double trainLoss, Double valLoss,
            String trainTrend, String valTrend, Long bestValEpoch, Double bestValLoss, String summary,
            List<String> recommendations, boolean finished, long points, Instant updated, List<CurvePoint> curve) {
        this(runId, diagnosis, sinceEpoch, epoch, step, trainLoss, valLoss, trainTrend, valTrend, bestValEpoch, bestValLoss,
                summary, recommendations, finished, points, updated, curve, null, null, null, null);
    }

    /** A status with a forecast and none of the other optional parts. */
    public RunStatus(String runId, Diagnosis diagnosis, Long sinceEpoch, Long epoch, Long step, Double trainLoss, Double valLoss,
            String trainTrend, String valTrend, Long bestValEpoch, Double bestValLoss, String summary,
            List<String> recommendations, boolean finished, long points, Instant updated, List<CurvePoint> curve,
            Forecast forecast) {
        this(runId, diagnosis, sinceEpoch, epoch, step, trainLoss, valLoss, trainTrend, valTrend, bestValEpoch, bestValLoss,
                summary, recommendations, finished, points, updated, curve, null, null, null, forecast);
    }

    public Severity severity() {
        return diagnosis.severity();
    }

    /** The same status without its curve: what the compacted status topic carries. */
    public RunStatus withoutCurve() {
        return new RunStatus(runId, diagnosis, sinceEpoch, epoch, step, trainLoss, valLoss, trainTrend, valTrend, bestValEpoch,
                bestValLoss, summary, recommendations, finished, points, updated, List.of(), afterStopAdvice, siblings, spikes, forecast,
                restarts);
    }

    /** The same status with the run's place among its siblings. */
    public RunStatus withSiblings(Siblings s) {
        return new RunStatus(runId, diagnosis, sinceEpoch, epoch, step, trainLoss, valLoss, trainTrend, valTrend, bestValEpoch,
                bestValLoss, summary, recommendations, finished, points, updated, curve, afterStopAdvice, s, spikes, forecast, restarts);
    }

    /** Loss spikes that recovered: how many, and where the latest few were (epochs, or steps of a step-only run). */
    public record Spikes(long count, List<Long> epochs) {
    }

    /** One point of a run's recent curve; a missing or non-finite value is null. */
    public record CurvePoint(Long epoch, Long step, Double trainLoss, Double valLoss) {
    }
}
