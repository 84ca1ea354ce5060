package dev.lossdoctor.io;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Points from two series logged at their own pace (TensorBoard, MLflow): one point per validation
 * value, in step order, with the latest training loss at or before its step; its epoch is its place
 * among the validation values (from 1), its step the log's, its time the log's. Without validation
 * values, one point per training value. A series logged at one step throughout (MLflow's step 0 on
 * every line) is ordered by line: its values are numbered 1, 2, ... and paired by that number.
 */
final class Pairing {

    private Pairing() {
    }

    static void pair(Series train, Series val, RunLog run) {
        for (Series s : new Series[] {train, val}) {
            if (s != null && s.size() > 1 && s.flat()) {
                s.renumber();
            }
            if (s != null) {
                s.sortStable();
            }
        }
        Series axis = val != null && val.size() > 0 ? val : train;
        if (axis == null) {
            return;
        }
        for (int i = 0; i < axis.size(); i++) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put(axis.name, axis.value(i));
            if (axis != train && train != null) {
                int t = train.latestAtOrBefore(axis.x(i));
                if (t >= 0) {
                    metrics.put(train.name, train.value(t));
                }
            }
            long millis = axis.millis(i);
            run.add((double) (i + 1), (long) axis.x(i), millis == 0 ? null : Instant.ofEpochMilli(millis), metrics);
        }
    }
}
