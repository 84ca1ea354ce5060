package dev.lossdoctor.core;

/**
 * One point of a run's curve as the analysis keeps it. Values are stored as floats (the precision
 * trainers compute losses in), so a state restored from its bytes analyses exactly like the live
 * one. A missing value is {@code NaN} with its {@code has*} flag false; a reported non-finite value
 * keeps its flag true. {@code lr} is the learning rate the run reported at the point ({@code NaN}: none).
 */
public record Point(long epoch, long step, float train, float val, float valScore, int flags, float lr) {

    /** A point with no learning rate reported. */
    public Point(long epoch, long step, float train, float val, float valScore, int flags) {
        this(epoch, step, train, val, valScore, flags, Float.NaN);
    }

    public static final long NONE = -1;
    static final int HAS_TRAIN = 1, HAS_VAL = 2, HAS_VAL_SCORE = 4, HAS_LR = 8;

    public boolean hasTrain() {
        return (flags & HAS_TRAIN) != 0;
    }

    public boolean hasVal() {
        return (flags & HAS_VAL) != 0;
    }

    /** Points order by epoch, then step (a missing one sorts first): per-epoch and per-step runs alike. */
    public static int compareKeys(long epochA, long stepA, long epochB, long stepB) {
        int byEpoch = Long.compare(epochA, epochB);
        return byEpoch != 0 ? byEpoch : Long.compare(stepA, stepB);
    }

    /** The number a person reads on the x axis: the epoch, or the step of a per-step run. */
    public long x() {
        return epoch != NONE ? epoch : step;
    }
}
