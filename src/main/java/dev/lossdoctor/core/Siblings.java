package dev.lossdoctor.core;

/**
 * A run's place among its siblings (the other runs of its sweep) at one checkpoint: what
 * {@link SweepStats#verdict} says and the status's {@code siblings} object shows.
 *
 * @param sweepId   the sweep ({@code config.sweep_id})
 * @param at        the checkpoint compared: an epoch, or a step for runs that report steps only
 * @param byStep    whether {@code at} is a step
 * @param byScore   whether the runs were compared by best validation score (higher is better), because
 *                  this run reports no finite validation loss; otherwise by best validation loss
 * @param rank      1 + the siblings strictly better at {@code at}
 * @param of        the runs ranked: the siblings counted and this one
 * @param median    the siblings' median best value at {@code at}
 * @param threshold the siblings' value at the rule's percentile (the median by default)
 * @param own       this run's best value up to {@code at} (infinite: none finite)
 * @param lagging   whether {@code own} is worse than {@code threshold} and not closing the gap in time ({@link CatchUp})
 */
public record Siblings(String sweepId, long at, boolean byStep, boolean byScore, int rank, int of, double median,
                       double threshold, double own, boolean lagging) {

    /** Siblings counted (the runs ranked but this one). */
    public int counted() {
        return of - 1;
    }

    /** Siblings strictly better at the checkpoint. */
    public int better() {
        return rank - 1;
    }
}
