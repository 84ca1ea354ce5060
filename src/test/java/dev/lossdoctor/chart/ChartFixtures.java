package dev.lossdoctor.chart;

import dev.lossdoctor.chart.ChartData.Change;
import dev.lossdoctor.chart.ChartData.ChartPoint;
import dev.lossdoctor.core.Diagnosis;
import java.util.ArrayList;
import java.util.List;

/** Builds chart data for tests: {@code aRun("r").withTrainLoss(...).withValLoss(...).build()}. */
final class ChartFixtures {

    private final String runId;
    private String xLabel = "epoch";
    private double[] train = new double[0], val = new double[0], trainAcc, valAcc;
    private double firstX = 1;
    private final List<Change> changes = new ArrayList<>();
    private Double bestValX;

    private ChartFixtures(String runId) {
        this.runId = runId;
    }

    static ChartFixtures aRun(String runId) {
        return new ChartFixtures(runId);
    }

    ChartFixtures withTrainLoss(double... v) {
        train = v;
        return this;
    }

    ChartFixtures withValLoss(double... v) {
        val = v;
        return this;
    }

    ChartFixtures withAccuracy(double[] train, double[] val) {
        trainAcc = train;
        valAcc = val;
        return this;
    }

    ChartFixtures perStep(double firstStep) {
        xLabel = "step";
        firstX = firstStep;
        return this;
    }

    ChartFixtures changedTo(Diagnosis d, double atX, Double since, String summary) {
        changes.add(new Change(atX, since, d, summary));
        return this;
    }

    ChartFixtures bestValAt(double x) {
        bestValX = x;
        return this;
    }

    ChartData build() {
        int n = Math.max(train.length, val.length);
        List<ChartPoint> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            points.add(new ChartPoint(firstX + i, at(train, i), at(val, i), at(trainAcc, i), at(valAcc, i)));
        }
        return new ChartData(runId, xLabel, points, changes, bestValX);
    }

    private static Double at(double[] a, int i) {
        return a == null || i >= a.length ? null : a[i];
    }

    /** A curve falling fast then slowly, from {@code from} at the first point to {@code to} at the last. */
    static double[] falling(int n, double from, double to) {
        double[] v = new double[n];
        double k = 4, end = Math.exp(-k);
        for (int i = 0; i < n; i++) {
            double t = (Math.exp(-k * i / Math.max(1, n - 1)) - end) / (1 - end);
            v[i] = to + (from - to) * t;
        }
        return v;
    }
}
