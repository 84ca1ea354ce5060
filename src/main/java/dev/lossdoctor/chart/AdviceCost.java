package dev.lossdoctor.chart;

import dev.lossdoctor.core.RunState;
import dev.lossdoctor.core.StopAdvice;
import dev.lossdoctor.core.Text;
import java.util.Collection;
import java.util.List;

/**
 * What a set of runs spent after Loss Doctor first advised stopping them: the headline of the HTML
 * report and the last line of {@code analyze}'s table ("31% of the epochs of these 1,200 runs came
 * after the advice to stop"). Epochs are summed in each run's own unit (steps, for a run reporting
 * steps only), as the status's {@code after_stop_advice} counts them.
 *
 * @param runs          runs read
 * @param advised       runs that were advised to stop
 * @param epochs        epochs the runs trained (each from its first point to its last)
 * @param epochsAfter   of those, epochs after the advice
 * @param secondsAfter  training time after the advice (event time; runs whose events carry no time add nothing)
 */
public record AdviceCost(int runs, int advised, long epochs, long epochsAfter, long secondsAfter) {

    public static AdviceCost of(List<ReportRun> runs) {
        return sum(runs.stream().map(r -> new Run(r.span(), r.afterStopAdvice())).toList());
    }

    /** The same figures straight from the analysis' states (no report built). */
    public static AdviceCost ofStates(Collection<RunState> states) {
        return sum(states.stream().map(s -> new Run(s.span(), s.afterStopAdvice())).toList());
    }

    private record Run(long span, StopAdvice.Spent spent) {
    }

    private static AdviceCost sum(List<Run> runs) {
        int advised = 0;
        long epochs = 0, after = 0, seconds = 0;
        for (Run r : runs) {
            epochs += r.span();
            if (r.spent() != null) {
                advised++;
                after += r.spent().epochs();
                seconds += r.spent().seconds() == null ? 0 : r.spent().seconds();
            }
        }
        return new AdviceCost(runs.size(), advised, epochs, after, seconds);
    }

    /** One sentence; null when no run was advised to stop. */
    public String headline() {
        if (advised == 0) {
            return null;
        }
        String share = epochs == 0 ? "" : Math.round(100.0 * epochsAfter / epochs) + "% of the epochs of ";
        String these = runs == 1 ? "this run" : "these " + String.format("%,d", runs) + " runs";
        return (share.isEmpty() ? "Some epochs of " : share) + these + " came after the advice to stop ("
                + String.format("%,d", epochsAfter) + " of " + String.format("%,d", epochs) + " epochs, in "
                + String.format("%,d", advised) + (advised == 1 ? " run" : " runs")
                + (secondsAfter > 0 ? "; " + Text.duration(secondsAfter * 1000) + " of training time" : "") + ").";
    }
}
