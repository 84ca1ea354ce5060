package dev.lossdoctor.core;

import dev.lossdoctor.core.Fit.Spread;

/**
 * A loss spike (DESIGN.md section 1): one step of the training loss jumping by many times its
 * scatter before it, and by the whole climb diverging needs, with no higher learning rate to
 * explain it (a rate that rose with the jump is the usual blow-up, read as diverging at once). It
 * gets {@link #POINTS} points to recover: while pending, what was said stands; recovered, it is kept
 * as evidence ({@link RunState#noteSpike}); not recovered, the run is diverging, with the checkpoint
 * before it to roll back to.
 *
 * @param at        window index of the point the loss jumped to
 * @param key       its epoch (or step)
 * @param beforeKey the epoch (or step) of the point before the jump: the checkpoint to roll back to
 * @param pending   still within its time to recover
 */
record Spike(int at, long key, long beforeKey, boolean pending) {

    /** A spike: one step's jump of at least this many times the scatter of the stretch before it... */
    static final double SCATTERS = 10;
    /** ...given this many points to recover. */
    static final int POINTS = 3;
    /** A jump with the rate raised by this factor since the point before it is the rate's doing. */
    static final double RATE_RISE = 1.2;
    /** Points of steady curve before a jump needed to measure its scatter. */
    static final int MIN_BEFORE = 6;

    /**
     * The newest spike among the last {@code 2 * POINTS + 1} points of the prefix {@code [from, to)},
     * or null: a pending one, or one just past its time to recover.
     */
    static Spike latest(RunState s, int from, int to, int trendPoints, Landmarks all) {
        float[] y = s.train;
        double needed = Rules.DIVERGING_RISE * Measures.riseScale(all.firstTrain(), all.bestTrain());
        for (int j = to - 1; j >= Math.max(from + MIN_BEFORE, to - 2 * POINTS - 1); j--) {
            double jump = y[j] - y[j - 1];
            // a spike leaves a curve that was not climbing already: the steps of a blow-up are no spikes
            if (!(jump >= needed) || !(y[j - 1] - all.bestTrain() < needed / 2) || rateRose(s, j, to)) { // (NaN: no spike)
                continue;
            }
            Fit before = Fit.of(y, Math.max(from, j - trendPoints), j, Spread.SCATTER);
            if (before.n() >= MIN_BEFORE && before.t() < Measures.SIGNIFICANT_T && jump >= SCATTERS * before.scatter()) {
                return new Spike(j, Landmarks.key(s.epochs[j], s.steps[j]), Landmarks.key(s.epochs[j - 1], s.steps[j - 1]),
                        j >= to - POINTS);
            }
        }
        return null;
    }

    /** Whether the rate reported from the jump on is above the one before it by {@link #RATE_RISE}. */
    private static boolean rateRose(RunState s, int j, int to) {
        int k = j - 1;
        while (k > 0 && (s.flags[k] & Point.HAS_LR) == 0) {
            k--;
        }
        if ((s.flags[k] & Point.HAS_LR) == 0) {
            return false;
        }
        for (int i = j; i < to; i++) {
            if ((s.flags[i] & Point.HAS_LR) != 0 && s.lr[i] > RATE_RISE * s.lr[k]) {
                return true;
            }
        }
        return false;
    }

    /** The spike has just had its {@link #POINTS} points: the reading at {@code to - 1} says whether it recovered. */
    boolean justDecided(int to) {
        return !pending && at == to - 1 - POINTS;
    }
}
