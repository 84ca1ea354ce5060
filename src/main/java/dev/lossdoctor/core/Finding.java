package dev.lossdoctor.core;

/**
 * What a rule found in a window's {@link Measures}: the diagnosis, why (which of the rule's cases:
 * the words differ), since when, how sure, and the numbers only the rule measured.
 *
 * @param orElse     on the line between {@code diagnosis} and this one: whichever was said stands (null: none)
 * @param keepsStill a learning reading too weak to end a still state (converged, plateau, underfitting) said before
 * @param gap        (val - train) / val, for {@link Why#MEMORIZING}
 * @param aboveBest  how far training is stuck above its best, for {@link Why#STUCK_ABOVE_BEST}
 * @param jump       the relative jump of an oscillation
 * @param reversals  the share of steps that reverse direction, of an oscillation
 */
record Finding(Diagnosis diagnosis, Why why, long since, double confidence, Diagnosis orElse, boolean keepsStill,
               double gap, double aboveBest, double jump, double reversals) {

    /** Which case of a rule decided: each has its own words. */
    enum Why {
        TOO_FEW_POINTS,
        NON_FINITE,
        CLIMBING,
        VAL_CLIMBING,
        VAL_RISING,
        VAL_DEGRADING,
        MEMORIZING,
        JUMPS,
        VAL_OUTPACES_TRAIN,
        VAL_ONLY,
        STOPPED_DEAD,
        STILL_FROZEN,
        CREEPING,
        AT_CHANCE,
        NO_PROGRESS,
        STUCK_ABOVE_BEST,
        LEVELLED_OFF,
        SLOW_AND_HIGH,
        FALLING,
        /** Flat at a rate of ~0 late in a decaying schedule: the schedule's end. */
        SCHEDULE_END,
        /** Far above its best with the rate raised many times since: the rate that blew it up is still on. */
        RATE_RAISED,
        /** A loss spike within its time to recover ({@link Spike}): whatever was said stands. */
        SPIKE_PENDING,
        /** A spike that did not recover: diverging, with the checkpoint before it to roll back to. */
        SPIKE_STAYED,
        /** At the end of a run: validation levelled off while training still fell. */
        VAL_SATURATED,
        /** At the end of a run: training was still falling. */
        STILL_FALLING,
        /** A diagnosis said before that the window no longer shows by itself (a run's status). */
        SAID
    }

    static Finding of(Diagnosis d, Why why, long since, double confidence) {
        return new Finding(d, why, since, confidence, null, false, 0, 0, 0, 0);
    }

    Finding orElse(Diagnosis other) {
        return new Finding(diagnosis, why, since, confidence, other, keepsStill, gap, aboveBest, jump, reversals);
    }

    Finding keepingStill(boolean weak) {
        return new Finding(diagnosis, why, since, confidence, orElse, weak, gap, aboveBest, jump, reversals);
    }

    Finding withGap(double g) {
        return new Finding(diagnosis, why, since, confidence, orElse, keepsStill, g, aboveBest, jump, reversals);
    }

    Finding withAboveBest(double a) {
        return new Finding(diagnosis, why, since, confidence, orElse, keepsStill, gap, a, jump, reversals);
    }

    Finding withJumps(double j, double r) {
        return new Finding(diagnosis, why, since, confidence, orElse, keepsStill, gap, aboveBest, j, r);
    }

    /** The same finding, as a different diagnosis (a verdict, or what was said). */
    Finding as(Diagnosis d, Why w) {
        return new Finding(d, w, since, confidence, orElse, keepsStill, gap, aboveBest, jump, reversals);
    }

    Finding since(long s) {
        return new Finding(diagnosis, why, s, confidence, orElse, keepsStill, gap, aboveBest, jump, reversals);
    }
}
