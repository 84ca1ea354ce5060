package dev.lossdoctor.core;

import java.util.Arrays;

/**
 * Whether a run worse than its siblings' threshold is catching up with it: a slow starter (a low
 * learning rate, a wide model) is worse than most siblings at the end of the warm-up, yet closes
 * the gap and overtakes later; stopping it there loses the sweep's best run (2 of the 18 bench
 * sweeps did). So a run is not {@code lagging} while, at the pace its gap to the threshold shrank
 * since half its progress, the gap closes before it has trained as long again (or before its
 * {@code max_epochs}, when sooner).
 *
 * <p>Why these two spans and not tuned ones: half the progress is the longest look-back that
 * every checkpoint past the warm-up has (the dense checkpoints hold every epoch from 0), and
 * "as long again" is the span the look-back measured, so the pace is extrapolated no further than
 * it was observed. A run that improves only as fast as its siblings (the gap does not shrink),
 * or whose gap shrinks too slowly, still lags.
 *
 * <p>Read from the sweep's tables only, at two checkpoints of a complete ranking (every sibling
 * counted reached both), so it is as independent of the order of the points as the ranking.
 */
final class CatchUp {

    private CatchUp() {
    }

    /**
     * Whether run {@code m}, with best {@code ownNow} above {@code thresholdNow} at checkpoint
     * {@code k}, closes the gap in time, measured against the same {@code siblings} (the first
     * {@code n} of them) at the checkpoint of half its progress.
     */
    static boolean closing(float[][] table, int m, int k, int[] siblings, int n, float ownNow, double thresholdNow,
                           SweepRule rule, Integer maxEpochs) {
        long at = SweepStats.checkpoint(k);
        int ref = SweepStats.floorIndex(at / 2);
        float ownThen = ref < 0 || ref >= k ? Float.NaN : table[ref][m];
        if (!Float.isFinite(ownThen) || !Float.isFinite(ownNow)) {
            return false;
        }
        float[] then = new float[n];
        int c = 0;
        for (int i = 0; i < n; i++) {
            float v = table[ref][siblings[i]];
            if (!Float.isNaN(v)) {
                then[c++] = v;
            }
        }
        if (c < rule.minSiblings()) {
            return false;
        }
        then = Arrays.copyOf(then, c);
        Arrays.sort(then);
        double gapThen = ownThen - SweepRule.percentile(then, rule.percentile());
        double gapNow = ownNow - thresholdNow;
        if (!(gapNow > 0) || !(gapThen > gapNow) || !Double.isFinite(gapThen)) {
            return false;
        }
        double toClose = gapNow / (gapThen - gapNow) * (at - SweepStats.checkpoint(ref));
        long horizon = maxEpochs == null ? at : Math.min(at, maxEpochs - at);
        return toClose <= horizon;
    }
}
