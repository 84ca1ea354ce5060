package dev.lossdoctor.chart;

import dev.lossdoctor.core.Diagnosis;
import java.util.List;
import java.util.Objects;

/**
 * Everything one run's chart shows, independent of where it came from (a whole file offline, the
 * service's window live).
 *
 * @param runId    the run's id (drawn escaped)
 * @param xLabel   what the x axis counts: {@code "epoch"} or {@code "step"}
 * @param points   the curve, in x order
 * @param changes  the diagnosis timeline, in order: each change shades from its {@code since} to the next one's
 *                 (a later change dated back before an earlier one's start takes that stretch over)
 * @param bestValX where the validation loss was lowest, or null
 * @param projection where the validation loss is heading (drawn dotted, with its band), or null
 * @param spikes   the loss spikes the analysis saw recover (marked on the training loss), in x order
 */
public record ChartData(String runId, String xLabel, List<ChartPoint> points, List<Change> changes, Double bestValX,
                        Projection projection, List<Spike> spikes) {

    public ChartData(String runId, String xLabel, List<ChartPoint> points, List<Change> changes, Double bestValX) {
        this(runId, xLabel, points, changes, bestValX, null, List.of());
    }

    public ChartData(String runId, String xLabel, List<ChartPoint> points, List<Change> changes, Double bestValX,
                     Projection projection) {
        this(runId, xLabel, points, changes, bestValX, projection, List.of());
    }

    /**
     * A recovered loss spike drawn at {@code x}; {@code at} names where the analysis saw it
     * ({@code "epoch 30"}, or {@code "step 5200"}), which on a step axis may be an epoch.
     */
    public record Spike(double x, String at) {

        public Spike {
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * The forecast drawn on the chart: from the best so far at {@code fromX} to {@code y} at
     * {@code toX}, with its 80% band {@code [low, high]} there.
     */
    public record Projection(double fromX, double fromY, double toX, double y, double low, double high) {
    }

    public ChartData {
        Objects.requireNonNull(runId, "runId");
        xLabel = xLabel == null ? "epoch" : xLabel;
        points = List.copyOf(points);
        changes = List.copyOf(changes);
        spikes = spikes == null ? List.of() : List.copyOf(spikes);
    }

    /**
     * One point. A metric that was not reported is null (the line goes straight across it); one
     * reported but not finite is NaN or infinite (the line breaks and a marker shows at the top).
     */
    public record ChartPoint(double x, Double train, Double val, Double trainAcc, Double valAcc) {
    }

    /**
     * A change of diagnosis seen at {@code x} (where the marker goes), which the analysis dates back
     * to {@code since} (where its shaded stretch starts; null = at {@code x}).
     */
    public record Change(double x, Double since, Diagnosis diagnosis, String summary) {

        public Change {
            Objects.requireNonNull(diagnosis, "diagnosis");
            summary = summary == null ? "" : summary;
        }

        double start() {
            return since == null || !Double.isFinite(since) ? x : Math.min(since, x);
        }
    }
}
