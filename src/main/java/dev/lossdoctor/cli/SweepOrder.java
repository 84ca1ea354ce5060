package dev.lossdoctor.cli;

import dev.lossdoctor.core.MetricsReported;
import dev.lossdoctor.core.RunFinished;
import dev.lossdoctor.core.Sweeps;
import dev.lossdoctor.core.TrainingEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The order {@code analyze} reads events in: files one after the other, as given, for runs of no
 * sweep; then the runs of each sweep as if they ran at the same time, so that each is compared
 * with its siblings as the stream would have compared them. A sweep whose events all carry a
 * time goes in time order; one that has events without (files of other tools) in order of
 * progress: each run's start, then every run's epoch (or step) 0, 1, 2, ..., then their ends.
 * Ties keep the order of the files. Without sweeps the order is that of the files, unchanged.
 */
final class SweepOrder {

    private SweepOrder() {
    }

    static List<TrainingEvent> of(List<TrainingEvent> events) {
        Map<String, String> sweepOf = new HashMap<>();
        for (TrainingEvent e : events) {
            String sweep = Sweeps.sweepId(e);
            if (sweep != null) {
                sweepOf.putIfAbsent(e.runId(), sweep);
            }
        }
        if (sweepOf.isEmpty()) {
            return events;
        }
        List<TrainingEvent> ordered = new ArrayList<>(events.size());
        List<Integer> ofSweeps = new ArrayList<>();
        Set<String> untimed = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            TrainingEvent e = events.get(i);
            String sweep = sweepOf.get(e.runId());
            if (sweep == null) {
                ordered.add(e);
            } else {
                ofSweeps.add(i);
                if (e.timestamp() == null) {
                    untimed.add(sweep);
                }
            }
        }
        Comparator<Integer> bySweep = Comparator.comparing(i -> sweepOf.get(events.get(i).runId()));
        ofSweeps.sort(bySweep.thenComparingLong(i -> {
            TrainingEvent e = events.get(i);
            return untimed.contains(sweepOf.get(e.runId())) ? progress(e) : e.timestamp().toEpochMilli();
        }).thenComparingInt(i -> i));
        ofSweeps.forEach(i -> ordered.add(events.get(i)));
        return ordered;
    }

    /** Where an event lies in a run's progress: its start first, its end last. */
    private static long progress(TrainingEvent e) {
        if (e instanceof MetricsReported m) {
            return m.epoch() != null ? m.epoch() : m.step();
        }
        return e instanceof RunFinished ? Long.MAX_VALUE : -1;
    }
}
