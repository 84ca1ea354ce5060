package dev.lossdoctor.core;

import java.time.Instant;
import java.util.List;

/**
 * The latest full status of one run: what {@code training-run-status} carries and what
 * {@code GET /runs/{run_id}} answers. {@code curve} is the run's recent window (oldest first),
 * for charts. {@code forecast} is where a still-improving validation loss is heading, or null.
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
        Forecast forecast) {

    public Severity severity() {
        return diagnosis.severity();
    }

    /** The same status without its curve: what the compacted status topic carries. */
    public RunStatus withoutCurve() {
        return new RunStatus(runId, diagnosis, sinceEpoch, epoch, step, trainLoss, valLoss, trainTrend, valTrend, bestValEpoch,
                bestValLoss, summary, recommendations, finished, points, updated, List.of(), forecast);
    }

    /** One point of a run's recent curve; a missing or non-finite value is null. */
    public record CurvePoint(Long epoch, Long step, Double trainLoss, Double valLoss) {
    }
}
