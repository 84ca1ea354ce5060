package dev.lossdoctor.core;

/**
 * When a run of a sweep is {@code lagging} (DESIGN.md section 1): once at least {@code minSiblings}
 * siblings have reached a checkpoint past the warm-up, a run whose best validation loss so far is
 * worse than the siblings' {@code percentile} there lags, unless it is catching up with it
 * ({@link CatchUp}).
 *
 * @param percentile     of the siblings' best values at the checkpoint (50: the median); lower stops more
 * @param minSiblings    siblings that must have reached the checkpoint
 * @param warmupEpochs   no verdict before this epoch (or step, for a run that reports steps only)
 * @param warmupFraction ... nor before this share of the run's {@code max_epochs}, when it has one
 */
public record SweepRule(double percentile, int minSiblings, long warmupEpochs, double warmupFraction) {

    /**
     * Lagging = outside the best 20% of the siblings at the same epoch. Chosen on the 18 sweeps of
     * bench/sweep_benchmark.py (one setting for all), when verdicts were taken on the siblings arrived
     * so far: at the median (50) stopping saved 35% of the epochs, at 20 62%, each keeping every
     * sweep's best run. On complete rankings (order-independent) 20 saves 65% and stops the best,
     * slow-starting run of 2 of the 18 sweeps at the end of the warm-up; with {@link CatchUp} (whose
     * spans are not tuned) 20 saves 62.4% and keeps the best run of all 18 (README, "Sweeps").
     */
    public static final SweepRule DEFAULT = new SweepRule(20, 5, 3, 0.1);

    public SweepRule {
        if (!(percentile > 0 && percentile < 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100), not " + percentile);
        }
        if (minSiblings < 1) {
            throw new IllegalArgumentException("minSiblings must be at least 1, not " + minSiblings);
        }
        if (warmupEpochs < 0 || !(warmupFraction >= 0 && warmupFraction < 1)) {
            throw new IllegalArgumentException("warm-up must be >= 0 epochs and a fraction in [0, 1)");
        }
    }

    /** The first epoch at which a run with this {@code max_epochs} (null: unknown) may be compared. */
    long warmup(Integer maxEpochs) {
        long share = maxEpochs == null || maxEpochs <= 0 ? 0 : (long) Math.ceil(warmupFraction * maxEpochs);
        return Math.max(warmupEpochs, share);
    }

    /** The same rule at another percentile. */
    public SweepRule withPercentile(double p) {
        return new SweepRule(p, minSiblings, warmupEpochs, warmupFraction);
    }

    /** The p-th percentile of sorted values, interpolated linearly between neighbours (numpy's default). */
    static double percentile(float[] sorted, double p) {
        double pos = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        double a = sorted[lo], b = sorted[hi];
        if (a == b || Double.isInfinite(a) || Double.isInfinite(b)) {
            return pos - lo < 0.5 ? a : b; // no interpolating into an infinity
        }
        return a + (pos - lo) * (b - a);
    }
}
