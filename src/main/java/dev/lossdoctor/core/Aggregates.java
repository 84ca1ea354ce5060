package dev.lossdoctor.core;

/**
 * Order-independent aggregates of a set of points: the first point (smallest key), the best
 * (lowest) train and val loss with where they were, and the first non-finite loss. Adding a
 * point twice changes nothing.
 */
final class Aggregates {
    long firstEpoch = Long.MAX_VALUE, firstStep = Long.MAX_VALUE;
    float firstTrain = Float.NaN, firstVal = Float.NaN;
    float bestTrain = Float.NaN;
    long bestTrainEpoch = Point.NONE, bestTrainStep = Point.NONE;
    float bestVal = Float.NaN;
    long bestValEpoch = Point.NONE, bestValStep = Point.NONE;
    float bestValTrain = Float.NaN; // the training loss where validation was best
    float maxLr = Float.NaN;        // the highest learning rate reported
    float bestTrainLr = Float.NaN;  // the learning rate reported where training was best
    // the first non-finite training and validation losses, and whether each was ever finite: a
    // loss that never was finite (null at every point) was simply not reported
    long trainNonFiniteEpoch = Long.MAX_VALUE, trainNonFiniteStep = Long.MAX_VALUE;
    long valNonFiniteEpoch = Long.MAX_VALUE, valNonFiniteStep = Long.MAX_VALUE;
    boolean trainFinite, valFinite;

    boolean isEmpty() {
        return firstEpoch == Long.MAX_VALUE;
    }

    void add(Point p) {
        add(p.epoch(), p.step(), p.train(), p.val(), p.flags(), p.lr());
    }

    void add(long epoch, long step, float train, float val, int flags, float lr) {
        boolean hasLr = (flags & Point.HAS_LR) != 0;
        if (hasLr && !(lr <= maxLr)) {
            maxLr = lr;
        }
        boolean hasTrain = (flags & Point.HAS_TRAIN) != 0, hasVal = (flags & Point.HAS_VAL) != 0;
        if (Point.compareKeys(epoch, step, firstEpoch, firstStep) < 0) {
            firstEpoch = epoch;
            firstStep = step;
            firstTrain = hasTrain ? train : Float.NaN;
            firstVal = hasVal ? val : Float.NaN;
        }
        if (hasTrain && Float.isFinite(train) && better(train, epoch, step, bestTrain, bestTrainEpoch, bestTrainStep)) {
            bestTrain = train;
            bestTrainEpoch = epoch;
            bestTrainStep = step;
            bestTrainLr = hasLr ? lr : Float.NaN;
        }
        if (hasVal && Float.isFinite(val) && better(val, epoch, step, bestVal, bestValEpoch, bestValStep)) {
            bestVal = val;
            bestValEpoch = epoch;
            bestValStep = step;
            bestValTrain = hasTrain ? train : Float.NaN;
        }
        if (hasTrain) {
            if (Float.isFinite(train)) {
                trainFinite = true;
            } else if (Point.compareKeys(epoch, step, trainNonFiniteEpoch, trainNonFiniteStep) < 0) {
                trainNonFiniteEpoch = epoch;
                trainNonFiniteStep = step;
            }
        }
        if (hasVal) {
            if (Float.isFinite(val)) {
                valFinite = true;
            } else if (Point.compareKeys(epoch, step, valNonFiniteEpoch, valNonFiniteStep) < 0) {
                valNonFiniteEpoch = epoch;
                valNonFiniteStep = step;
            }
        }
    }

    /**
     * Adds the window's first {@code to} points: {@link #add} for points already in key order,
     * in one tight pass (an earlier point wins a tie because only a strictly better value replaces).
     */
    void addSorted(RunState s, int to) {
        if (to == 0) {
            return;
        }
        if (Point.compareKeys(s.epochs[0], s.steps[0], firstEpoch, firstStep) < 0) {
            add(s.epochs[0], s.steps[0], s.train[0], s.val[0], s.flags[0], s.lr[0]);
        }
        int bestT = -1, bestV = -1;
        float minT = Float.isNaN(bestTrain) ? Float.POSITIVE_INFINITY : bestTrain;
        float minV = Float.isNaN(bestVal) ? Float.POSITIVE_INFINITY : bestVal;
        int firstBadT = -1, firstBadV = -1;
        for (int i = 0; i < to; i++) {
            int f = s.flags[i];
            if ((f & Point.HAS_LR) != 0 && !(s.lr[i] <= maxLr)) {
                maxLr = s.lr[i];
            }
            if ((f & Point.HAS_TRAIN) != 0) {
                float v = s.train[i];
                if (Float.isFinite(v)) {
                    trainFinite = true;
                    if (v < minT) {
                        minT = v;
                        bestT = i;
                    }
                } else if (firstBadT < 0) {
                    firstBadT = i;
                }
            }
            if ((f & Point.HAS_VAL) != 0) {
                float v = s.val[i];
                if (Float.isFinite(v)) {
                    valFinite = true;
                    if (v < minV) {
                        minV = v;
                        bestV = i;
                    }
                } else if (firstBadV < 0) {
                    firstBadV = i;
                }
            }
        }
        // ties with the evicted best: the evicted point is earlier, and it stays (strict <)
        if (bestT >= 0) {
            bestTrain = minT;
            bestTrainEpoch = s.epochs[bestT];
            bestTrainStep = s.steps[bestT];
            bestTrainLr = (s.flags[bestT] & Point.HAS_LR) != 0 ? s.lr[bestT] : Float.NaN;
        }
        if (bestV >= 0) {
            bestVal = minV;
            bestValEpoch = s.epochs[bestV];
            bestValStep = s.steps[bestV];
            bestValTrain = (s.flags[bestV] & Point.HAS_TRAIN) != 0 ? s.train[bestV] : Float.NaN;
        }
        if (firstBadT >= 0 && Point.compareKeys(s.epochs[firstBadT], s.steps[firstBadT], trainNonFiniteEpoch, trainNonFiniteStep) < 0) {
            trainNonFiniteEpoch = s.epochs[firstBadT];
            trainNonFiniteStep = s.steps[firstBadT];
        }
        if (firstBadV >= 0 && Point.compareKeys(s.epochs[firstBadV], s.steps[firstBadV], valNonFiniteEpoch, valNonFiniteStep) < 0) {
            valNonFiniteEpoch = s.epochs[firstBadV];
            valNonFiniteStep = s.steps[firstBadV];
        }
    }

    void copyFrom(Aggregates a) {
        firstEpoch = a.firstEpoch;
        firstStep = a.firstStep;
        firstTrain = a.firstTrain;
        firstVal = a.firstVal;
        bestTrain = a.bestTrain;
        bestTrainEpoch = a.bestTrainEpoch;
        bestTrainStep = a.bestTrainStep;
        bestVal = a.bestVal;
        bestValEpoch = a.bestValEpoch;
        bestValStep = a.bestValStep;
        bestValTrain = a.bestValTrain;
        maxLr = a.maxLr;
        bestTrainLr = a.bestTrainLr;
        trainNonFiniteEpoch = a.trainNonFiniteEpoch;
        trainNonFiniteStep = a.trainNonFiniteStep;
        valNonFiniteEpoch = a.valNonFiniteEpoch;
        valNonFiniteStep = a.valNonFiniteStep;
        trainFinite = a.trainFinite;
        valFinite = a.valFinite;
    }

    /**
     * A loss went non-finite: validation after having been finite; training after having been
     * finite, or with no finite loss at all in the run.
     */
    boolean hasNonFinite() {
        return trainNonFinite() || valNonFinite();
    }

    private boolean trainNonFinite() {
        return trainNonFiniteEpoch != Long.MAX_VALUE && (trainFinite || !valFinite);
    }

    private boolean valNonFinite() {
        return valNonFiniteEpoch != Long.MAX_VALUE && valFinite;
    }

    /** An immutable snapshot, with the first non-finite loss that counts (the earlier of the two). */
    Landmarks landmarks() {
        boolean t = trainNonFinite(), v = valNonFinite();
        boolean trainFirst = t && (!v || Point.compareKeys(trainNonFiniteEpoch, trainNonFiniteStep, valNonFiniteEpoch,
                valNonFiniteStep) <= 0);
        return new Landmarks(firstEpoch, firstStep, firstTrain, firstVal, bestTrain, bestTrainEpoch, bestTrainStep,
                bestVal, bestValEpoch, bestValStep, bestValTrain, t || v,
                trainFirst ? trainNonFiniteEpoch : valNonFiniteEpoch, trainFirst ? trainNonFiniteStep : valNonFiniteStep);
    }

    /** Lower wins; on a tie the earlier point, so the result does not depend on arrival order. */
    private static boolean better(float v, long epoch, long step, float best, long bestEpoch, long bestStep) {
        return Float.isNaN(best) || v < best || (v == best && Point.compareKeys(epoch, step, bestEpoch, bestStep) < 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Aggregates a && firstEpoch == a.firstEpoch && firstStep == a.firstStep
                && Float.compare(firstTrain, a.firstTrain) == 0 && Float.compare(firstVal, a.firstVal) == 0
                && Float.compare(bestTrain, a.bestTrain) == 0 && bestTrainEpoch == a.bestTrainEpoch
                && bestTrainStep == a.bestTrainStep && Float.compare(bestVal, a.bestVal) == 0
                && bestValEpoch == a.bestValEpoch && bestValStep == a.bestValStep
                && Float.compare(bestValTrain, a.bestValTrain) == 0 && Float.compare(maxLr, a.maxLr) == 0
                && Float.compare(bestTrainLr, a.bestTrainLr) == 0
                && trainNonFiniteEpoch == a.trainNonFiniteEpoch && trainNonFiniteStep == a.trainNonFiniteStep
                && valNonFiniteEpoch == a.valNonFiniteEpoch && valNonFiniteStep == a.valNonFiniteStep
                && trainFinite == a.trainFinite && valFinite == a.valFinite;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(firstEpoch);
    }
}
