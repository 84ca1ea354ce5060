package dev.lossdoctor.core;

import static dev.lossdoctor.core.Rules.CONVERGED_POINTS;
import static dev.lossdoctor.core.Rules.DIVERGING_RISE;
import static dev.lossdoctor.core.Rules.NO_PROGRESS_SHARE;
import static dev.lossdoctor.core.Rules.clamp;
import static dev.lossdoctor.core.Rules.found;

import dev.lossdoctor.core.Finding.Why;
import dev.lossdoctor.core.Measures.Series;
import java.util.Optional;

/**
 * The rules of {@link Rules#ORDER} about the learning rate and what it does to a curve: the rate a
 * run reports ({@link Schedule}), its loss spikes ({@link Spike}), a rate cut to nothing (a frozen
 * curve) (DESIGN.md section 1: schedules, spikes).
 */
final class ScheduleRules {

    private ScheduleRules() {
    }

    /**
     * A sudden jump within its time to recover ({@link Spike}): whatever was said stands (a function
     * of the points: the hold is in the reading's meaning, resolved against what was said).
     */
    static Optional<Finding> pendingSpike(Measures m) {
        Spike spike = m.spike();
        return spike != null && spike.pending() ? found(Diagnosis.LEARNING, Why.SPIKE_PENDING, spike.beforeKey(), 0.6)
                : Optional.empty();
    }

    /** Flat at a rate of ~0 late in a decaying schedule, after real progress: the schedule's end, not a stuck model. */
    static Optional<Finding> scheduleEnd(Measures m) {
        Series t = m.train();
        if (m.schedule().end() && t.trend() != Trend.RISING && m.points() >= CONVERGED_POINTS
                && t.dropTotal() >= 1 - NO_PROGRESS_SHARE && (-t.rate() < 3 * Measures.FLAT_RATE || t.trend() == Trend.FLAT)
                && m.val().trend() != Trend.FALLING) {
            return found(Diagnosis.CONVERGED, Why.SCHEDULE_END, m.trendFromKey(), 0.85);
        }
        return Optional.empty();
    }

    /** {@link #judge} without the hold of a pending spike. */
    static Finding judgeWithoutHold(Measures m) {
        for (Rule rule : Rules.ORDER) {
            Optional<Finding> f = rule.check(m);
            if (f.isPresent() && f.get().why() != Why.SPIKE_PENDING) {
                return f.get();
            }
        }
        throw new IllegalStateException("the learning rule always finds"); // unreachable
    }

    /** The rate is still warming up and the loss is below where it started: a rise or jumps are the warm-up's. */
    static boolean warmUpRise(Measures m) {
        return m.schedule().warmingUp() && m.hasTrain() && m.train().now() < m.all().firstTrain();
    }

    /** A spike that did not come back within its time: diverging, since the point before it. */
    static Optional<Finding> spikeStayed(Measures m) {
        Spike spike = m.spike();
        Series t = m.train();
        if (m.hasTrain() && spike != null && t.rise() >= DIVERGING_RISE && m.trainRecentRise() >= DIVERGING_RISE / 2) {
            return found(Diagnosis.DIVERGING, Why.SPIKE_STAYED, spike.beforeKey(), clamp(0.6 + 0.2 * t.rise()));
        }
        return Optional.empty();
    }

    /**
     * Far above its best with the rate that blew it up still on: diverged, and staying so (not a
     * plateau "with no real progress" as if the descent had never happened).
     */
    static Optional<Finding> rateRaised(Measures m) {
        Series t = m.train();
        if (m.hasTrain() && t.rise() >= DIVERGING_RISE && m.schedule().raisedSinceBest()) {
            return found(Diagnosis.DIVERGING, Why.RATE_RAISED, m.all().bestTrainKey(), clamp(0.6 + 0.2 * t.rise()));
        }
        return Optional.empty();
    }

    /** A descent that stopped dead: the weights no longer move (a learning rate cut to nothing). */
    static Optional<Finding> stoppedDead(Measures m) {
        Measures.Frozen frozen = m.frozen();
        if (frozen.since() != Point.NONE && frozen.step() >= Rules.ABRUPT_STEP) {
            return found(Diagnosis.PLATEAU, Why.STOPPED_DEAD, frozen.since(), 0.9);
        }
        return Optional.empty();
    }

    /** Frozen for longer than the window remembers, after a plateau was said: still stuck. */
    static Optional<Finding> stillFrozen(Measures m) {
        if (m.frozen().wholeView() && m.said() == Diagnosis.PLATEAU) {
            return found(Diagnosis.PLATEAU, Why.STILL_FROZEN, m.saidSince(), 0.9);
        }
        return Optional.empty();
    }
}
