package dev.lossdoctor.core;

import java.util.Map;

/** Picks the curves the analysis reads out of a metrics event. */
final class Points {

    private Points() {
    }

    /**
     * The point a metrics event gives: training loss ({@code train_loss}, else another minimized
     * training metric), validation loss ({@code val_loss}, else another minimized validation metric)
     * and a validation score ({@code val_accuracy}, else another maximized validation metric).
     * Null when the event has neither loss.
     */
    static Point from(MetricsReported m) {
        Map<String, Double> metrics = m.metrics();
        // (no value is null, MetricsReported copies them with Map.copyOf: a get found is a key present, one lookup)
        Double trainValue = metrics.get("train_loss"), valValue = metrics.get("val_loss");
        String trainName = trainValue != null ? "train_loss" : pick(metrics, false, true);
        String valName = valValue != null ? "val_loss" : pick(metrics, true, true);
        // (a scan for another score only when some metric is neither loss)
        int lossNames = (trainName != null ? 1 : 0) + (valName != null && !valName.equals(trainName) ? 1 : 0);
        Double scoreValue = metrics.get("val_accuracy");
        String scoreName = scoreValue != null ? "val_accuracy"
                : metrics.size() > lossNames ? pick(metrics, true, false) : null;
        if (trainName == null && valName == null) {
            return null;
        }
        int flags = 0;
        float train = Float.NaN, val = Float.NaN, score = Float.NaN;
        if (trainName != null) {
            flags |= Point.HAS_TRAIN;
            train = toFloat(trainValue != null ? trainValue : metrics.get(trainName));
        }
        if (valName != null) {
            flags |= Point.HAS_VAL;
            val = toFloat(valValue != null ? valValue : metrics.get(valName));
        }
        if (scoreName != null) {
            double v = scoreValue != null ? scoreValue : metrics.get(scoreName);
            if (Double.isFinite(v)) {
                flags |= Point.HAS_VAL_SCORE;
                score = (float) v;
            }
        }
        float lr = Float.NaN;
        Double reportedLr = metrics.get("lr"); // (the parser maps learning_rate to lr)
        if (reportedLr != null && Double.isFinite(reportedLr) && reportedLr >= 0) {
            flags |= Point.HAS_LR;
            lr = (float) reportedLr.doubleValue();
        }
        long epoch = m.epoch() == null ? Point.NONE : m.epoch();
        long step = m.step() == null ? Point.NONE : m.step();
        return new Point(epoch, step, train, val, score, flags, lr);
    }

    /** Beyond a float's range a loss has diverged anyway: it becomes infinite. */
    private static float toFloat(Double v) {
        return v == null ? Float.NaN : (float) v.doubleValue();
    }

    /** The alphabetically first metric of the wanted kind (a stable choice, whatever the map's order). */
    private static String pick(Map<String, Double> metrics, boolean validation, boolean minimized) {
        String chosen = null;
        for (String name : metrics.keySet()) {
            if (name.startsWith("val_") == validation && (chosen == null || name.compareTo(chosen) < 0)
                    && MetricNames.direction(name) == (minimized ? -1 : 1)) {
                chosen = name;
            }
        }
        return chosen;
    }
}
