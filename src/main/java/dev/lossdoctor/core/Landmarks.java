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

    /** The number a person reads on the x axis: the epoch, or the step of a per-step run. */
    static long key(long epoch, long step) {
        return epoch != Point.NONE ? epoch : step;
    }
}
