package dev.lossdoctor.core;

/**
 * The landmarks of all of a run's points so far (those still in the window and those that left
 * it): the first point, the best training and validation losses and where they were, the first
 * non-finite loss that counts. A function of the set of points, whatever order they came in.
 */
record Landmarks(long firstEpoch, long firstStep, float firstTrain, float firstVal,
                 float bestTrain, long bestTrainEpoch, long bestTrainStep,
                 float bestVal, long bestValEpoch, long bestValStep, float bestValTrain,
                 boolean nonFinite, long nonFiniteEpoch, long nonFiniteStep) {

    /** The epoch of the first point, or its step for a per-step run. */
    long firstKey() {
        return key(firstEpoch, firstStep);
    }

    long bestTrainKey() {
        return key(bestTrainEpoch, bestTrainStep);
    }

    long bestValKey() {
        return key(bestValEpoch, bestValStep);
    }

    long nonFiniteKey() {
        return key(nonFiniteEpoch, nonFiniteStep);
    }

    boolean hasBestVal() {
        return Float.isFinite(bestVal);
    }

    /**
     * These landmarks, when the run's first point has no training loss (a sanity-check or pre-training
     * evaluation alone), with both first losses from the earliest point of the window {@code s} (up to
     * index {@code to}) that has both (or the training one from the earliest that has it). Without it the
     * first training loss was NaN and each rise relative to the descent infinite; and one point for both
     * keeps their descents comparable: validation's fall from an evaluation before any training is no fall
     * training could match. Once that point has left the window, the earliest the window holds.
     */
    Landmarks withFirstLosses(RunState s, int to) {
        if (!Float.isNaN(firstTrain)) {
            return this;
        }
        int both = earliest(s, Point.HAS_TRAIN | Point.HAS_VAL, to);
        int t = both >= 0 ? both : earliest(s, Point.HAS_TRAIN, to);
        return t < 0 ? this : new Landmarks(firstEpoch, firstStep, s.train[t], both >= 0 ? s.val[both] : firstVal,
                bestTrain, bestTrainEpoch, bestTrainStep, bestVal, bestValEpoch, bestValStep, bestValTrain,
                nonFinite, nonFiniteEpoch, nonFiniteStep);
    }

    /** The index of the window's earliest point with finite losses of every kind {@code flags} names, or -1. */
    private static int earliest(RunState s, int flags, int to) {
        for (int i = 0; i < to; i++) {
            if ((s.flags[i] & flags) == flags && ((flags & Point.HAS_TRAIN) == 0 || Float.isFinite(s.train[i]))
                    && ((flags & Point.HAS_VAL) == 0 || Float.isFinite(s.val[i]))) {
                return i;
            }
        }
        return -1;
    }

    /** Points of the view after the key {@code bestKey}. */
    static int pointsAfter(RunState s, int from, int to, long bestKey) {
        int after = 0;
        for (int i = to - 1; i >= from; i--) {
            if (Landmarks.key(s.epochs[i], s.steps[i]) <= bestKey) {
                break;
            }
            after++;
        }
        return after;
    }

    /**
     * How far the point at window index {@code i} (the best, {@code best}) lies below the lower of its two
     * neighbours, relative to {@code |best|}: the median of the three less the best. The lowest point of a
     * jumpy stretch is its luckiest draw (0.96, 0.85, 0.54, 0.60: the best is 0.54, the level about 0.60).
     * 0 unless both neighbours are in the view [{@code from}, {@code to}) and the point is the best.
     */
    static double luckOfBest(float[] val, byte[] flags, int from, int i, int to, float best) {
        if (i - 1 < from || i + 1 >= to || val[i] != best
                || (flags[i - 1] & flags[i + 1] & Point.HAS_VAL) == 0 || !Float.isFinite(val[i - 1] + val[i + 1])) {
            return 0;
        }
        return (Math.min(val[i - 1], val[i + 1]) - best) / Math.abs(best);
    }

    /** The number a person reads on the x axis: the epoch, or the step of a per-step run. */
    static long key(long epoch, long step) {
        return epoch != Point.NONE ? epoch : step;
    }
}
