package dev.lossdoctor.chart;

import dev.lossdoctor.core.RunStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Which x axis a run's points are read against, and epochs placed on a step axis. */
final class Curves {

    private Curves() {
    }

    /**
     * True when the run reports per step: every point has a step, and the epochs are missing or
     * repeat (several points per epoch). Otherwise the x axis is the epoch.
     */
    static boolean bySteps(List<Long> epochs, List<Long> steps) {
        if (steps.isEmpty() || steps.stream().anyMatch(s -> s == null)) {
            return false;
        }
        Set<Long> seen = new HashSet<>();
        for (Long e : epochs) {
            if (e == null || !seen.add(e)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Where {@code since} lies on a step axis. The analysis dates a diagnosis by epoch when the run
     * has epochs: a value no later than the epoch the diagnosis was read at is an epoch (its first
     * step is returned); a larger one is already a step. Null when the epoch is not among the points.
     */
    static Double stepOfEpoch(List<Long> epochs, List<Long> steps, long since, Long epochAtChange) {
        if (epochAtChange == null || since > epochAtChange) {
            return (double) since;
        }
        for (int i = 0; i < epochs.size(); i++) {
            Long e = epochs.get(i);
            if (e != null && e >= since && steps.get(i) != null) {
                return (double) steps.get(i);
            }
        }
        return null;
    }

    static Double stepOfEpoch(List<RunStatus.CurvePoint> curve, long since, Long epochAtChange) {
        return stepOfEpoch(curve.stream().map(RunStatus.CurvePoint::epoch).toList(),
                curve.stream().map(RunStatus.CurvePoint::step).toList(), since, epochAtChange);
    }

    /**
     * Where each recovered spike goes. The analysis keys a spike by its point's epoch (its step when
     * the point has none). Against epochs that key is the x; against steps an epoch goes to the step
     * of its highest training loss among the epoch's points (the jump itself, not the epoch's first
     * step). A key that no point has (a spike older than the service's window) is left out.
     */
    static List<ChartData.Spike> spikes(List<Long> epochs, List<Long> steps, List<Double> train, boolean bySteps,
                                        List<Long> keys) {
        List<ChartData.Spike> out = new ArrayList<>(keys.size());
        for (long key : keys) {
            int found = -1;
            for (int i = 0; i < epochs.size(); i++) {
                Long e = epochs.get(i);
                boolean atKey = e != null ? e == key : steps.get(i) != null && steps.get(i) == key;
                if (atKey && (found < 0 || higher(train.get(i), train.get(found)))) {
                    found = i;
                }
            }
            if (found < 0) {
                continue;
            }
            boolean byEpoch = epochs.get(found) != null;
            Long x = bySteps ? steps.get(found) : key;
            if (x != null) {
                out.add(new ChartData.Spike(x, (byEpoch ? "epoch " : "step ") + key));
            }
        }
        out.sort(Comparator.comparingDouble(ChartData.Spike::x));
        return out;
    }

    private static boolean higher(Double v, Double than) {
        return ChartSvg.finite(v) && (!ChartSvg.finite(than) || v > than);
    }
}
