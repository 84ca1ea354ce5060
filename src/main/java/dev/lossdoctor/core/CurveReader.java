package dev.lossdoctor.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a run's curves the way a practitioner reads a loss plot (DESIGN.md section 1): the trend
 * of the training loss and of the validation loss, read together, plus what only the whole curve
 * shows (non-finite values, oscillation, a run stuck at chance, a descent that stopped dead).
 *
 * <p>Every threshold is a ratio: a change relative to the loss's own level (or to its own descent),
 * a slope relative to its own scatter. So the same rules hold for any loss scale, for smooth
 * seed-averaged curves and for noisy per-step ones. Not thread-safe (it reuses buffers): one per
 * stream thread.
 */
final class CurveReader {

    /** Points needed before anything but {@code warming_up} is said. */
    static final int MIN_POINTS = 4;
    /**
     * Points a reading looks at: the window less the readings the hysteresis keeps, so the reading
     * of any of the last few prefixes sees the same points whatever order they arrived in.
     */
    static final int VIEW = RunState.WINDOW - RunState.READINGS + 1;
    /**
     * The recent stretches a trend is read from: the short one follows a curve that bends (a
     * descent levelling off); the long one sees through noise the short one can't.
     */
    static final int TREND_POINTS = 12;
    static final int SHORT_TREND_POINTS = 6;
    /** The stretch oscillation is read from. */
    static final int OSCILLATION_POINTS = 20;

    /** |t| of a slope below this: indistinguishable from the curve's own scatter. */
    static final double SIGNIFICANT_T = 2.5;
    /** Relative change per epoch below which a loss is flat (0.1% of its level per epoch). */
    static final double FLAT_RATE = 0.001;
    /** Points a flat stretch needs before a run is called converged. */
    static final int CONVERGED_POINTS = 10;
    /** Relative fall per epoch below which a high loss is learning too slowly (underfitting). */
    static final double SLOW_RATE = 0.01;
    /** Epochs of a slow fall before it is called underfitting. */
    static final int UNDERFITTING_EPOCHS = 20;
    /** A loss still above this share of its first value has not made real progress. */
    static final double HIGH_SHARE = 0.5;
    static final double NO_PROGRESS_SHARE = 0.85;
    /** Diverging: the loss climbed back by half its best level (or half its whole descent). */
    static final double DIVERGING_RISE = 0.5;
    /** Both losses rising steadily (significant trends), this far above their best. */
    static final double SLOW_DIVERGING_RISE = 0.1;
    /** Overfitting: validation above its best by 2% (and its noise), training fallen 20% since. */
    static final double OVERFIT_RISE = 0.02;
    static final double OVERFIT_TRAIN_DROP = 0.2;
    /** Validation rising this far above its best while training stalls (the table's train flat, val rising). */
    static final double DEGRADING_RISE = 0.1;
    /** Memorizing: no validation progress for this many points while training fell to under half of it. */
    static final int MEMORIZING_POINTS = 5;
    static final double MEMORIZING_GAP = 0.5;
    /** Data issue: validation fell 5% and at least 3 times as much as training. */
    static final double DATA_ISSUE_VAL_DROP = 0.05;
    static final double DATA_ISSUE_RATIO = 2.5;
    static final double DATA_ISSUE_TRAIN_RATE = 0.015;
    static final double DATA_ISSUE_RATE_RATIO = 2.5;
    /** A steady creep below the flat line, at chance: the learning rate is too low to get anywhere. */
    static final double CREEP_RATE = 0.0002;
    /** Oscillating: most steps reverse direction and jump by this share of the level. */
    static final double OSCILLATION_REVERSALS = 0.45;
    static final double OSCILLATION_AMPLITUDE = 0.08;
    /** Frozen: point-to-point changes below this share of the level (weights not moving). */
    static final double FROZEN_STEP = 2e-4;
    /** An abrupt stop: the step into a frozen stretch was at least this share of the level. */
    static final double ABRUPT_STEP = 0.01;
    /** Converged means near the best the run reached: not flat this far above it. */
    static final double WORSE_THAN_BEST = 0.1;
    /** Near chance: within this share of ln(C) for a C-class cross-entropy. */
    static final double CHANCE_BAND = 0.06;

    private final float[] scratch = new float[RunState.WINDOW];
    private final RunState.Aggregates all = new RunState.Aggregates();

    /**
     * The raw reading the hysteresis keeps, in a byte: the diagnosis ordinal in the low four bits
     * and, for a reading on the line between two diagnoses, the other one (ordinal + 1) in the high
     * four: whichever of the two was said stands (see {@link #meaning}).
     */
    byte quick(RunState s, int end) {
        Assessment a = assess(s, end);
        return a.weak ? (byte) (a.diagnosis.ordinal() | KEEP_STILL << 4) : encode(a.diagnosis, a.orElse);
    }

    static byte encode(Diagnosis d, Diagnosis orElse) {
        return (byte) (d.ordinal() | (orElse == null ? 0 : (orElse.ordinal() + 1) << 4));
    }

    /** The high nibble of a weak learning reading: any still state said (converged, plateau, underfitting) stands. */
    private static final int KEEP_STILL = 15;

    private static boolean still(Diagnosis d) {
        return d == Diagnosis.CONVERGED || d == Diagnosis.PLATEAU || d == Diagnosis.UNDERFITTING || d == Diagnosis.LEARNING;
    }

    /** What a reading means given what was said: the diagnosis, or the one said when the reading allows both. */
    static Diagnosis meaning(byte reading, Diagnosis current) {
        if (reading == NO_READING) {
            return null;
        }
        Diagnosis d = Diagnosis.values()[reading & 0x0F];
        int other = (reading >> 4) & 0x0F;
        if (other == KEEP_STILL) {
            return current != null && still(current) ? current : d;
        }
        if (other != 0 && current != null && (current == d || current.ordinal() == other - 1)) {
            return current;
        }
        return d;
    }

    static final byte NO_READING = -1;

    Reading read(RunState s, int end) {
        Assessment a = assess(s, end);
        return describe(s, a);
    }

    /**
     * The verdict at {@code run_finished}: what the whole curve says at its end (a function of the
     * points, whatever order they came in); a run still learning then was undertrained, unless its
     * validation loss had levelled off (converged: more epochs would not have helped it).
     */
    Reading verdict(RunState s) {
        if (s.size == 0) {
            return Reading.warmingUp(0);
        }
        Assessment a = assess(s, s.size - 1);
        if (a.diagnosis == Diagnosis.LEARNING && a.trainTrend == Trend.FALLING) {
            boolean valSaturated = a.val != null && a.val.n >= 3 && a.valTrend != Trend.FALLING
                    && a.points >= CONVERGED_POINTS;
            a.diagnosis = valSaturated ? Diagnosis.CONVERGED : Diagnosis.UNDERTRAINED;
            a.valSaturated = valSaturated;
        }
        return describe(s, a);
    }

    // ---------------------------------------------------------------- the numbers

    /** What a reading found: the diagnosis and the numbers that decided it. */
    static final class Assessment {
        Diagnosis diagnosis;
        long since = Point.NONE;
        int from, to;
        long points;
        long epoch = Point.NONE;
        double pointsPerEpoch = 1;
        Fit train, val;
        Trend trainTrend = Trend.FLAT, valTrend = Trend.FLAT;
        double trainRate, valRate;          // relative change per epoch (negative: falling)
        double trainNow = Double.NaN, valNow = Double.NaN;
        double trainScale = Double.NaN, valScale = Double.NaN;
        double trainRise, valRise;          // climb above the best, relative (diverging)
        double valRiseFromBest;             // relative to the best validation loss
        double trainDropSinceValBest;
        double trainDropTotal, valDropTotal;
        double oscillationAmplitude, oscillationReversals;
        double gap;                         // (val - train) / val
        boolean memorizing;
        boolean valDegrading;
        double stuckAboveBest;
        boolean valSaturated;               // validation levelled off while training still falls
        boolean creeping;                   // underfitting by a steady creep at no progress
        int chanceClasses;
        long frozenSince = Point.NONE;
        boolean frozenWholeView;
        Diagnosis orElse;                   // on the line between diagnosis and this: keep whichever was said
        int trendPoints = TREND_POINTS, shortTrendPoints = SHORT_TREND_POINTS;
        boolean weak;                       // learning read from the short stretch alone: a still state said stands
        double abruptStep;
        double confidence = 0.8;
        RunState.Aggregates all;
    }

    Assessment assess(RunState s, int end) {
        Assessment a = new Assessment();
        int to = end + 1;
        int from = Math.max(0, to - VIEW);
        a.from = from;
        a.to = to;
        a.points = s.evictedCount + to;
        a.epoch = s.epochs[end] != Point.NONE ? s.epochs[end] : s.steps[end];
        all.copyFrom(s.evicted);
        all.addSorted(s, to);
        a.all = all;
        if (all.hasNonFinite()) {
            a.diagnosis = Diagnosis.DIVERGING;
            a.since = riseStart(all);
            a.confidence = 0.99;
            return a;
        }
        if (a.points < MIN_POINTS) {
            a.diagnosis = Diagnosis.WARMING_UP;
            return a;
        }
        a.pointsPerEpoch = pointsPerEpoch(s, from, to);
        // a run reporting several points an epoch reads its trends over epochs, not points: the
        // noise of a single step says nothing
        a.trendPoints = (int) Math.min(VIEW, Math.max(TREND_POINTS, Math.round(3 * a.pointsPerEpoch)));
        a.shortTrendPoints = (int) Math.max(SHORT_TREND_POINTS, Math.round(a.trendPoints / 2.0));
        int trendFrom = Math.max(from, to - a.trendPoints);
        int shortFrom = Math.max(from, to - a.shortTrendPoints);
        a.train = Fit.of(s.train, trendFrom, to, scratch);
        a.val = Fit.of(s.val, trendFrom, to, scratch);
        Fit trainShort = Fit.of(s.train, shortFrom, to, scratch);
        Fit valShort = Fit.of(s.val, shortFrom, to, scratch);
        boolean hasTrain = a.train.n >= 3, hasVal = a.val.n >= 3;
        if (!hasTrain && !hasVal) {
            a.diagnosis = Diagnosis.WARMING_UP;
            return a;
        }
        if (hasTrain) {
            a.trainNow = recentMedian(s.train, from, to);
            a.trainScale = scale(a.trainNow, all.firstTrain, all.bestTrain);
            a.trainRate = rate(trainShort, a.train) * a.pointsPerEpoch / a.trainScale;
            a.trainTrend = trend(trainShort, a.train, a.trainRate);
            a.trainRise = (a.trainNow - all.bestTrain) / riseScale(all.firstTrain, all.bestTrain);
            a.trainDropTotal = (all.firstTrain - a.trainNow) / Math.abs(all.firstTrain);
        }
        if (hasVal) {
            a.valNow = recentMedian(s.val, from, to);
            a.valScale = scale(a.valNow, all.firstVal, all.bestVal);
            a.valRate = rate(valShort, a.val) * a.pointsPerEpoch / a.valScale;
            a.valTrend = trend(valShort, a.val, a.valRate);
            a.valRise = (a.valNow - all.bestVal) / riseScale(all.firstVal, all.bestVal);
            a.valRiseFromBest = (a.valNow - all.bestVal) / Math.abs(all.bestVal);
            a.valDropTotal = (all.firstVal - a.valNow) / Math.abs(all.firstVal);
            if (hasTrain && Float.isFinite(all.bestValTrain) && all.bestValTrain != 0) {
                a.trainDropSinceValBest = (all.bestValTrain - a.trainNow) / Math.abs(all.bestValTrain);
            }
        }
        a.diagnosis = classify(s, a, hasTrain, hasVal);
        return a;
    }

    private Diagnosis classify(RunState s, Assessment a, boolean hasTrain, boolean hasVal) {
        // train rising far above its best (with validation not improving): diverging
        // both climbing steadily: a smaller climb is enough (the table's train rising, val rising)
        double needed = a.trainTrend == Trend.RISING && hasVal && a.valTrend == Trend.RISING ? DIVERGING_RISE / 2 : DIVERGING_RISE;
        if (hasTrain && a.trainRise >= needed && (a.trainTrend == Trend.RISING || a.trainRise >= 3 * DIVERGING_RISE)
                && recentRise(s.train, trendFromOf(a), a.to, a.trainNow, all) >= needed / 2
                && (!hasVal || a.valRise >= needed || a.valTrend == Trend.RISING)) {
            a.since = all.bestTrainEpoch != Point.NONE ? all.bestTrainEpoch : all.bestTrainStep;
            a.confidence = clamp(0.6 + 0.2 * a.trainRise);
            return Diagnosis.DIVERGING;
        }
        // a slow, steady climb of both losses away from their best: the wrong way, if not yet fast
        if (hasTrain && a.trainTrend == Trend.RISING && a.trainRise >= SLOW_DIVERGING_RISE
                && (!hasVal || a.valTrend == Trend.RISING && a.valRise >= SLOW_DIVERGING_RISE)) {
            a.since = all.bestTrainEpoch != Point.NONE ? all.bestTrainEpoch : all.bestTrainStep;
            a.confidence = 0.6;
            return Diagnosis.DIVERGING;
        }
        if (!hasTrain && hasVal && a.valRise >= 2 * DIVERGING_RISE && a.valTrend == Trend.RISING) {
            a.since = all.bestValEpoch;
            return Diagnosis.DIVERGING;
        }
        // before oscillation: a validation rise well beyond its own scatter is overfitting even
        // when the training loss jumps about near zero
        if (hasTrain && hasVal && overfitting(s, a)) {
            return Diagnosis.OVERFITTING;
        }
        if (oscillating(s, a, hasTrain, hasVal)) {
            return Diagnosis.OSCILLATING;
        }
        // the drop must stand out from the validation loss's own scatter (one high first point is not a drop)
        boolean valOutpacesTrain = a.valDropTotal >= DATA_ISSUE_VAL_DROP
                && a.valDropTotal >= DATA_ISSUE_RATIO * Math.max(0, a.trainDropTotal)
                && a.valDropTotal >= 3 * a.val.scatter() / Math.abs(all.firstVal);
        // or, slower: validation falling steadily several times faster than training
        boolean valRateOutpacesTrain = a.points >= MIN_POINTS + 2 && a.valTrend == Trend.FALLING
                && a.trainDropTotal < 1 - NO_PROGRESS_SHARE // training never got anywhere
                && a.valDropTotal >= DATA_ISSUE_VAL_DROP / 2 && -a.valRate >= DATA_ISSUE_RATE_RATIO * Math.max(0, -a.trainRate);
        if (hasTrain && hasVal && (valOutpacesTrain || valRateOutpacesTrain)
                && a.trainRate > -DATA_ISSUE_TRAIN_RATE && a.valTrend != Trend.RISING) {
            a.since = all.firstEpoch != Point.NONE ? all.firstEpoch : all.firstStep;
            a.confidence = clamp(0.5 + a.valDropTotal / Math.max(1e-9, 4 * Math.max(a.trainDropTotal, 0.01)) * 0.1);
            return Diagnosis.DATA_ISSUE;
        }
        if (!hasTrain) {
            return a.valTrend == Trend.FLAT ? Diagnosis.CONVERGED : Diagnosis.LEARNING;
        }
        return flatOrFalling(s, a);
    }

    private boolean oscillating(RunState s, Assessment a, boolean hasTrain, boolean hasVal) {
        int oscFrom = oscillationFrom(a);
        if (a.to - oscFrom < Math.max(10, Math.min(VIEW / 2, 2 * a.pointsPerEpoch))) { // two epochs at least
            return false;
        }
        if ((!hasTrain || Fit.reversalRate(s.train, oscFrom, a.to) < OSCILLATION_REVERSALS)
                && (!hasVal || Fit.reversalRate(s.val, oscFrom, a.to) < OSCILLATION_REVERSALS)) {
            return false; // a smooth curve: no need to measure its jumps
        }
        Fit t = hasTrain ? Fit.of(s.train, oscFrom, a.to, scratch) : null;
        Fit v = hasVal ? Fit.of(s.val, oscFrom, a.to, scratch) : null;
        if ((t == null || Math.abs(t.t) >= 3) && (v == null || Math.abs(v.t) >= 3)) {
            return false; // a clear trend under the jumps: not oscillation
        }
        double tScale = oscScale(a.trainNow, all.firstTrain, all.bestTrain), vScale = oscScale(a.valNow, all.firstVal, all.bestVal);
        boolean trainJumps = t != null && t.reversalRate() >= OSCILLATION_REVERSALS && Math.abs(t.t) < 3
                && t.noiseAtLeast(OSCILLATION_AMPLITUDE * tScale);
        boolean valJumps = v != null && v.n >= 8 && v.reversalRate() >= OSCILLATION_REVERSALS && Math.abs(v.t) < 3
                && v.noiseAtLeast(2 * OSCILLATION_AMPLITUDE * vScale)
                && t != null && t.noiseAtLeast(OSCILLATION_AMPLITUDE / 2 * tScale);
        if (trainJumps || valJumps) {
            a.oscillationAmplitude = Math.max(t == null ? 0 : t.noise() / tScale, v == null ? 0 : v.noise() / vScale);
            a.oscillationReversals = Math.max(t == null ? 0 : t.reversalRate(), v == null ? 0 : v.reversalRate());
            a.since = s.epochs[oscFrom] != Point.NONE ? s.epochs[oscFrom] : s.steps[oscFrom];
            a.confidence = clamp(0.5 + a.oscillationAmplitude);
            return true;
        }
        return false;
    }

    private boolean overfitting(RunState s, Assessment a) {
        long bestKey = all.bestValEpoch != Point.NONE ? all.bestValEpoch : all.bestValStep;
        int after = 0;
        for (int i = a.to - 1; i >= a.from; i--) {
            long key = s.epochs[i] != Point.NONE ? s.epochs[i] : s.steps[i];
            if (key <= bestKey) {
                break;
            }
            after++;
        }
        if (after < 3 || a.valTrend == Trend.FALLING) {
            return false; // a validation loss still falling is not overfitting, whatever one low point says
        }
        if (a.trainDropSinceValBest < OVERFIT_TRAIN_DROP) {
            // validation degrading while training stalls: the same advice, and look at the pipeline
            double margin = Math.max(DEGRADING_RISE, 3 * a.val.scatter() / Math.abs(all.bestVal));
            if (a.valTrend == Trend.RISING && a.trainTrend == Trend.FLAT && a.valRiseFromBest > margin) {
                a.since = bestKey;
                a.confidence = 0.7;
                a.valDegrading = true;
                return true;
            }
            return false;
        }
        double rise = a.valRiseFromBest;
        // the scatter (a sort) only when the rise could count
        double scatter = rise > OVERFIT_RISE / 4 ? a.val.scatter() / Math.abs(all.bestVal) : Double.POSITIVE_INFINITY;
        double margin = Math.max(OVERFIT_RISE, 3 * scatter);
        boolean clearRise = rise > margin;
        // a slow, steady climb: smaller, but rising point after point since the best
        boolean steadyClimb = false;
        if (!clearRise && after >= 5 && a.valRiseFromBest > Math.max(OVERFIT_RISE / 4, 2 * scatter)) {
            Fit sinceBest = Fit.of(s.val, Math.max(a.from, a.to - after - 1), a.to, scratch);
            steadyClimb = sinceBest.t >= 3;
        }
        // memorizing: validation has not improved for a while, training keeps falling, and the
        // training loss is a fraction of the validation loss
        a.gap = (a.valNow - a.trainNow) / Math.abs(a.valNow);
        a.memorizing = !clearRise && !steadyClimb && after >= MEMORIZING_POINTS && a.gap >= MEMORIZING_GAP
                && a.valTrend != Trend.FALLING && a.valNow >= all.bestVal
                // a jumpy training loss with no downward trend is oscillation, not memorization
                && (a.trainTrend == Trend.FALLING || a.train.scatter() < OSCILLATION_AMPLITUDE / 2 * a.trainScale);
        if (clearRise || steadyClimb || a.memorizing) {
            a.since = bestKey;
            a.confidence = clamp(0.5 + 0.1 * a.valRiseFromBest / margin);
            return true;
        }
        return false;
    }

    private Diagnosis flatOrFalling(RunState s, Assessment a) {
        Fit t = a.train;
        boolean trainFlat = a.trainTrend == Trend.FLAT;
        // a descent that stopped dead: the weights no longer move (a learning rate cut to nothing)
        frozenStretch(s, a);
        if (a.frozenSince != Point.NONE && a.abruptStep >= ABRUPT_STEP) {
            a.since = a.frozenSince;
            a.confidence = 0.9;
            return Diagnosis.PLATEAU;
        }
        if (a.frozenWholeView && s.current == Diagnosis.PLATEAU) {
            a.since = s.sinceEpoch; // frozen for longer than the window remembers: still stuck
            a.confidence = 0.9;
            return Diagnosis.PLATEAU;
        }
        double falling = -a.trainRate; // relative fall per epoch
        a.chanceClasses = chanceClasses(s.config, all.firstTrain, a.trainNow);
        boolean atChance = a.chanceClasses > 0
                && Math.abs(a.trainNow - Math.log(a.chanceClasses)) <= CHANCE_BAND * Math.log(a.chanceClasses);
        if (creeping(a, positive(all), epochsOf(a))) {
            a.since = all.firstEpoch != Point.NONE ? all.firstEpoch : all.firstStep;
            a.confidence = 0.75;
            a.creeping = true;
            return Diagnosis.UNDERFITTING;
        }
        if (atChance && falling < 2 * FLAT_RATE) {
            a.since = all.firstEpoch != Point.NONE ? all.firstEpoch : all.firstStep;
            a.confidence = 0.85;
            return Diagnosis.PLATEAU;
        }
        boolean positive = all.firstTrain > 0;
        if (trainFlat && a.valTrend != Trend.FALLING) {
            // (jumps of oscillation size are left to the oscillation check, once it has the points)
            if (positive && a.trainNow >= NO_PROGRESS_SHARE * all.firstTrain && a.points >= 6 && epochsOf(a) >= 5
                    && t.scatter() < OSCILLATION_AMPLITUDE * a.trainScale) {
                a.since = all.firstEpoch != Point.NONE ? all.firstEpoch : all.firstStep;
                a.confidence = 0.8;
                return Diagnosis.PLATEAU;
            }
            double aboveBest = (a.trainNow - all.bestTrain) / a.trainScale;
            if (a.points >= CONVERGED_POINTS && aboveBest > WORSE_THAN_BEST) {
                a.since = flatSince(s, a); // flat, but well above where it once was: stuck, not a good fit
                a.confidence = 0.7;
                a.stuckAboveBest = aboveBest;
                return Diagnosis.PLATEAU;
            }
            if (a.points >= CONVERGED_POINTS) {
                a.since = flatSince(s, a);
                a.confidence = Math.abs(t.t) < SIGNIFICANT_T ? 0.9 : 0.75;
                // just under the flat line: keep saying what was said, so noise does not flap it
                if (falling >= FLAT_RATE / 3 && Math.abs(t.t) >= SIGNIFICANT_T) {
                    a.orElse = Diagnosis.LEARNING;
                }
                return Diagnosis.CONVERGED;
            }
        }
        if (falling < 3 * FLAT_RATE && a.points >= CONVERGED_POINTS && a.valTrend != Trend.FALLING) {
            a.orElse = Diagnosis.CONVERGED; // just over the flat line
        }
        double epochs = (a.points - 1) / a.pointsPerEpoch;
        // slow now, and slow on average since the start: a healthy run that has just slowed down
        // has already come a long way
        boolean slowAndHigh = positive && falling >= FLAT_RATE && epochs >= UNDERFITTING_EPOCHS
                && a.trainNow >= HIGH_SHARE * all.firstTrain && a.trainDropTotal / epochs < SLOW_RATE
                && a.trainDropTotal >= 3 * t.scatter() / Math.abs(all.firstTrain); // it did come down, beyond its noise
        if (slowAndHigh && falling < SLOW_RATE) {
            a.since = all.firstEpoch != Point.NONE ? all.firstEpoch : all.firstStep;
            a.confidence = clamp(0.6 + (SLOW_RATE - falling) / SLOW_RATE * 0.3);
            if (falling >= SLOW_RATE / 1.5) {
                a.orElse = Diagnosis.LEARNING; // near the line: noise must not flap it
            }
            return Diagnosis.UNDERFITTING;
        }
        if (slowAndHigh && falling < 1.5 * SLOW_RATE) {
            a.orElse = Diagnosis.UNDERFITTING;
        }
        a.since = Point.NONE;
        a.confidence = 0.7;
        // a fall the long stretch does not confirm may be noise: it does not end a still state
        double fallOverStretch = -a.train.slope * (a.train.n - 1);
        a.weak = Math.abs(a.train.t) < SIGNIFICANT_T
                || a.trainDropTotal < 1 - NO_PROGRESS_SHARE && fallOverStretch < 3 * a.train.scatter();
        return Diagnosis.LEARNING;
    }

    /**
     * Barely moving but moving steadily, with no progress made after many epochs: a learning rate
     * far too low (underfitting), not a loss that has stopped (plateau).
     */
    private static boolean creeping(Assessment a, boolean positive, double epochs) {
        double falling = -a.trainRate;
        double longRate = -a.train.slope * a.pointsPerEpoch / a.trainScale;
        return positive && epochs >= UNDERFITTING_EPOCHS && a.trainDropTotal < 1 - NO_PROGRESS_SHARE
                && a.train.t <= -5 && longRate >= CREEP_RATE && longRate < FLAT_RATE
                && falling >= 0.5 * longRate; // not decelerating
    }

    private static boolean positive(RunState.Aggregates all) {
        return all.firstTrain > 0;
    }

    private static double epochsOf(Assessment a) {
        return (a.points - 1) / a.pointsPerEpoch;
    }

    /** The frozen stretch at the end of the training curve, and the step that led into it. */
    private void frozenStretch(RunState s, Assessment a) {
        float[] y = s.train;
        double tol = FROZEN_STEP * Math.abs(a.trainScale);
        int i = a.to - 1;
        while (i > a.from && !Float.isNaN(y[i]) && !Float.isNaN(y[i - 1]) && Math.abs(y[i] - y[i - 1]) <= tol) {
            i--;
        }
        int frozenPoints = a.to - i;
        if (frozenPoints < 3 || Float.isNaN(y[i])) {
            return;
        }
        // validation frozen too (or absent): the model itself has stopped changing
        float[] v = s.val;
        double valTol = FROZEN_STEP * Math.abs(Double.isNaN(a.valScale) ? 1 : a.valScale) * frozenPoints;
        if (!Float.isNaN(v[i]) && !Float.isNaN(v[a.to - 1]) && Math.abs(v[a.to - 1] - v[i]) > valTol) {
            return;
        }
        if (i == a.from) {
            a.frozenWholeView = a.to - a.from >= VIEW;
        } else if (!Float.isNaN(y[i - 1])) {
            a.frozenSince = s.epochs[i] != Point.NONE ? s.epochs[i] : s.steps[i];
            a.abruptStep = (y[i - 1] - y[i]) / Math.abs(a.trainScale);
        }
    }

    /** Where the flat stretch began: the first point of the trend window that is within the band. */
    private static long flatSince(RunState s, Assessment a) {
        int i = Math.max(a.from, a.to - a.trendPoints);
        return s.epochs[i] != Point.NONE ? s.epochs[i] : s.steps[i];
    }

    /**
     * The number of classes C when the loss is a cross-entropy that started at chance (ln C), from
     * the config when it says, else from the first loss itself; 0 when unknown.
     */
    static int chanceClasses(RunConfig c, float firstTrain, double now) {
        String loss = c.loss() == null ? "" : c.loss().toLowerCase(Locale.ROOT);
        boolean regression = c.task() != null && c.task().toLowerCase(Locale.ROOT).contains("regress")
                || loss.contains("mse") || loss.contains("mae") || loss.contains("squared") || loss.contains("huber");
        if (regression) {
            return 0;
        }
        if (c.numClasses() != null && c.numClasses() >= 2) {
            return c.numClasses();
        }
        if (loss.contains("binary")) {
            return 2;
        }
        // a loss sitting on ln 2 = 0.6931 is a binary classifier at chance: nothing else lands there
        if (Math.abs(now - Math.log(2)) <= 0.005 * Math.log(2)) {
            return 2;
        }
        // beyond 10 classes ln C values lie too close together to tell C from the loss alone
        if (!(firstTrain > 0.5) || firstTrain > Math.log(10.5)) {
            return 0;
        }
        int classes = (int) Math.round(Math.exp(firstTrain));
        return classes >= 2 && Math.abs(firstTrain - Math.log(classes)) <= 0.01 * Math.log(classes) ? classes : 0;
    }

    /** The slope per point: the short stretch's when it stands out from the scatter, else the long one's. */
    private static double rate(Fit shortFit, Fit longFit) {
        return Math.abs(shortFit.t) >= SIGNIFICANT_T || Math.abs(longFit.t) < SIGNIFICANT_T ? shortFit.slope : longFit.slope;
    }

    private static Trend trend(Fit shortFit, Fit longFit, double ratePerEpoch) {
        if ((Math.abs(shortFit.t) < SIGNIFICANT_T && Math.abs(longFit.t) < SIGNIFICANT_T) || Math.abs(ratePerEpoch) < FLAT_RATE) {
            return Trend.FLAT;
        }
        return ratePerEpoch < 0 ? Trend.FALLING : Trend.RISING;
    }

    /** What a relative change is measured against: the level, or a tenth of the descent for losses near 0. */
    private static double scale(double now, float first, float best) {
        double descent = Float.isFinite(first) && Float.isFinite(best) ? Math.abs(first - best) : 0;
        double s = Math.max(Math.abs(now), 0.1 * descent);
        return s > 0 ? s : 1e-30;
    }

    /** Rises are measured against the best level, or half the descent when the best is near 0. */
    private static double riseScale(float first, float best) {
        double s = Math.max(Math.abs(best), 0.5 * Math.abs(first - best));
        return s > 0 ? s : 1e-30;
    }

    /** Jumps are measured against the level, or a quarter of the descent for losses near 0. */
    private static double oscScale(double now, float first, float best) {
        double descent = Float.isFinite(first) && Float.isFinite(best) ? Math.abs(first - best) : 0;
        double s = Math.max(Math.abs(now), 0.25 * descent);
        return s > 0 ? s : 1e-30;
    }

    /** Where the way to a non-finite loss began: the best training loss before it, else the point itself. */
    private static long riseStart(RunState.Aggregates all) {
        long[] at = all.firstNonFinite();
        if (Float.isFinite(all.bestTrain) && Point.compareKeys(all.bestTrainEpoch, all.bestTrainStep, at[0], at[1]) < 0) {
            return key(all.bestTrainEpoch, all.bestTrainStep);
        }
        return key(at[0], at[1]);
    }

    private static int trendFromOf(Assessment a) {
        return Math.max(a.from, a.to - a.trendPoints);
    }

    /** How far the loss climbed within the recent stretch: a run that blew up long ago and stayed there is not climbing now. */
    private static double recentRise(float[] y, int from, int to, double now, RunState.Aggregates all) {
        float min = Float.POSITIVE_INFINITY;
        for (int i = from; i < to; i++) {
            if (y[i] < min) {
                min = y[i];
            }
        }
        return (now - min) / riseScale(all.firstTrain, all.bestTrain);
    }

    /** Median of the last three finite values: one noisy point does not move it. */
    private static double recentMedian(float[] y, int from, int to) {
        float a = Float.NaN, b = Float.NaN, c = Float.NaN;
        int found = 0;
        for (int i = to - 1; i >= from && found < 3; i--) {
            if (!Float.isNaN(y[i])) {
                if (found == 0) {
                    a = y[i];
                } else if (found == 1) {
                    b = y[i];
                } else {
                    c = y[i];
                }
                found++;
            }
        }
        if (found == 1) {
            return a;
        }
        if (found == 2) {
            return (a + b) / 2.0;
        }
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /** Points per epoch: 1 for a per-epoch run, more when a run reports several steps an epoch. */
    private static double pointsPerEpoch(RunState s, int from, int to) {
        long e0 = s.epochs[from], e1 = s.epochs[to - 1];
        if (e0 == Point.NONE || e1 == Point.NONE) {
            return 1;
        }
        return Math.max(1, (to - from) / (double) (e1 - e0 + 1));
    }

    private static double clamp(double c) {
        return Math.max(0.5, Math.min(0.99, Math.round(c * 100) / 100.0));
    }

    // ---------------------------------------------------------------- the words

    private Reading describe(RunState s, Assessment a) {
        Map<String, Object> ev = new LinkedHashMap<>();
        RunState.Aggregates all = a.all;
        RunConfig c = s.config;
        ev.put("points", a.points);
        if (a.train != null && a.train.n >= 3) {
            ev.put("train_loss", Text.round(a.trainNow));
            ev.put("train_loss_trend", a.trainTrend.code());
            ev.put("train_change_per_epoch", Text.round(a.trainRate));
        }
        if (a.val != null && a.val.n >= 3) {
            ev.put("val_loss", Text.round(a.valNow));
            ev.put("val_loss_trend", a.valTrend.code());
            ev.put("val_change_per_epoch", Text.round(a.valRate));
        }
        if (Float.isFinite(all.bestVal)) {
            ev.put("val_best_epoch", key(all.bestValEpoch, all.bestValStep));
            ev.put("val_best_loss", Text.round(all.bestVal));
        }
        List<String> recs = new ArrayList<>();
        String summary;
        long bestValEpoch = key(all.bestValEpoch, all.bestValStep);
        switch (a.diagnosis) {
            case WARMING_UP -> {
                return Reading.warmingUp(a.points);
            }
            case DIVERGING -> {
                if (all.hasNonFinite()) {
                    long[] first = all.firstNonFinite();
                    long at = key(first[0], first[1]);
                    ev.put("non_finite_at", at);
                    summary = "The loss became non-finite (NaN or Infinity) at " + unit(s) + " " + at
                            + ": the run has diverged and will not recover.";
                } else {
                    ev.put("train_best_loss", Text.round(all.bestTrain));
                    ev.put("train_best_epoch", key(all.bestTrainEpoch, all.bestTrainStep));
                    ev.put("train_rise", Text.round(a.trainRise));
                    summary = "Training loss has climbed from its best " + Text.num(all.bestTrain) + " at " + unit(s) + " "
                            + key(all.bestTrainEpoch, all.bestTrainStep) + " to " + Text.num(a.trainNow)
                            + (Double.isNaN(a.valNow) ? "" : ", validation loss to " + Text.num(a.valNow))
                            + (a.trainRise < DIVERGING_RISE ? ", climbing steadily: the run is drifting away from its best."
                            : ": the run is diverging.");
                }
                recs.add(all.hasNonFinite() || a.trainRise >= DIVERGING_RISE ? "Stop the run: it is not going to recover"
                        : "Stop the run if it keeps climbing, and restore the " + unit(s) + "-"
                        + key(all.bestTrainEpoch, all.bestTrainStep) + " checkpoint");
                recs.add(c.lr() != null ? "Restart with a lower learning rate: " + Text.num(c.lr() / 10) + " instead of "
                        + Text.num(c.lr()) : "Restart with a learning rate 10x lower");
                recs.add("Add gradient clipping, and check the learning-rate schedule and warm-up");
                recs.add("Check the data and the loss for bad values (NaN or Inf inputs, log of 0)");
            }
            case OSCILLATING -> {
                ev.put("relative_jump", Text.round(a.oscillationAmplitude));
                ev.put("reversal_rate", Text.round(a.oscillationReversals));
                summary = "The loss jumps up and down by about " + Text.pct(a.oscillationAmplitude)
                        + " of its level from one point to the next, reversing direction "
                        + Text.pct(a.oscillationReversals) + " of the time, with no clear trend.";
                Integer bs = c.batchSize();
                recs.add(bs != null ? "Increase the batch size (now " + bs + ", try " + Math.max(32, bs * 4)
                        + "): a larger batch gives each step a steadier direction" : "Increase the batch size: a larger batch gives each step a steadier direction");
                recs.add(c.lr() != null ? "Or lower the learning rate: " + Text.num(c.lr() / 3) + " instead of " + Text.num(c.lr())
                        : "Or lower the learning rate");
                if (isAdaptive(c.optimizer())) {
                    recs.add(optimizerName(c.optimizer()) + "'s adaptive step can keep oscillating late in training: "
                            + "finish with SGD with momentum, or decay the learning rate");
                }
            }
            case OVERFITTING -> {
                ev.put("val_rise_since_best", Text.round(a.valRiseFromBest));
                ev.put("train_drop_since_val_best", Text.round(a.trainDropSinceValBest));
                if (a.valDegrading) {
                    summary = "Validation loss has risen " + Text.pct(a.valRiseFromBest) + " since its best at " + unit(s) + " "
                            + bestValEpoch + " (" + Text.num(all.bestVal) + ") while training loss stalled at "
                            + Text.num(a.trainNow) + ": validation is degrading with nothing learned to explain it.";
                    recs.add("Stop training and restore the " + unit(s) + "-" + bestValEpoch + " checkpoint");
                    recs.add("Check the validation pipeline: its data, its preprocessing, and that it runs in evaluation mode");
                    return new Reading(a.diagnosis, a.since, a.confidence, ev, summary, recs);
                }
                if (a.memorizing) {
                    ev.put("gap", Text.round(a.gap));
                    summary = "Validation loss has not improved since its best at " + unit(s) + " " + bestValEpoch + " ("
                            + Text.num(all.bestVal) + ") while training loss fell " + Text.pct(a.trainDropSinceValBest)
                            + " to " + Text.num(a.trainNow) + ", a fraction of the validation loss: the model is memorizing the training set.";
                } else {
                    summary = "Validation loss has risen " + Text.pct(a.valRiseFromBest) + " since its best at " + unit(s) + " "
                            + bestValEpoch + " (" + Text.num(all.bestVal) + ") while training loss fell "
                            + Text.pct(a.trainDropSinceValBest) + ".";
                }
                recs.add("Stop training and restore the " + unit(s) + "-" + bestValEpoch + " checkpoint");
                recs.add("Add data augmentation");
                recs.add("Add regularization: weight decay or dropout");
                recs.add("Get more training data, or use a smaller model");
            }
            case DATA_ISSUE -> {
                ev.put("val_drop_total", Text.round(a.valDropTotal));
                ev.put("train_drop_total", Text.round(a.trainDropTotal));
                summary = "Validation loss has fallen " + Text.pct(a.valDropTotal) + " since " + unit(s) + " "
                        + key(all.firstEpoch, all.firstStep) + " while training loss barely moved ("
                        + (a.trainDropTotal >= 0 ? "down " : "up ") + Text.pct(a.trainDropTotal)
                        + "): the model cannot fit its own training data, which points at the data.";
                recs.add("Check the training labels (wrong or shuffled labels)");
                recs.add("Check the train/validation split for leakage or duplicates");
                recs.add("Check augmentation and preprocessing applied to one side only");
            }
            case PLATEAU -> {
                ev.put("flat_since", a.since);
                String why;
                if (a.frozenSince != Point.NONE && a.abruptStep >= ABRUPT_STEP && a.since == a.frozenSince) {
                    ev.put("step_into_flat", Text.round(a.abruptStep));
                    why = "it stopped dead at " + unit(s) + " " + a.frozenSince + " right after falling "
                            + Text.pct(a.abruptStep) + " in one " + unit(s) + ", so the weights have stopped moving";
                    recs.add("Check the learning-rate schedule: a learning rate cut to almost nothing stops learning; "
                            + "restore a usable rate" + (c.lr() != null ? " (the run started at " + Text.num(c.lr()) + ")" : ""));
                } else if (a.chanceClasses > 0 && Math.abs(a.trainNow - Math.log(a.chanceClasses))
                        <= CHANCE_BAND * Math.log(a.chanceClasses)) {
                    ev.put("chance_loss", Text.round(Math.log(a.chanceClasses)));
                    why = "it sits at chance level (ln " + a.chanceClasses + " = " + Text.num(Math.log(a.chanceClasses))
                            + "): the model predicts no better than a guess";
                    recs.add("Check the architecture: deep sigmoid stacks vanish (use relu), and the initialization");
                } else if (a.stuckAboveBest > 0) {
                    ev.put("train_best_loss", Text.round(all.bestTrain));
                    why = "it is stuck " + Text.pct(a.stuckAboveBest) + " above its best (" + Text.num(all.bestTrain) + " at "
                            + unit(s) + " " + key(all.bestTrainEpoch, all.bestTrainStep) + ")";
                } else {
                    why = "it has made no real progress (still " + Text.pct(1 - a.trainDropTotal) + " of its first value)";
                }
                summary = "Training loss has been flat at " + Text.num(a.trainNow) + " since " + unit(s) + " " + a.since
                        + (Math.abs(a.train.t) >= SIGNIFICANT_T ? " (" + (a.trainRate <= 0 ? "-" : "+") + Text.pct(a.trainRate)
                        + " per " + unit(s) + ")" : " (no trend beyond its noise)") + " and " + why + ".";
                recs.add(c.lr() != null ? "Lower the learning rate x0.1 (" + Text.num(c.lr() / 10) + " instead of "
                        + Text.num(c.lr()) + ") or the batch size" + (c.batchSize() != null ? " (now " + c.batchSize() + ")" : "")
                        : "Lower the learning rate x0.1, or the batch size");
                optimizerAdvice(c, recs, true);
            }
            case CONVERGED -> {
                double gap = a.valNow - a.trainNow;
                if (!Double.isNaN(gap)) {
                    ev.put("gap", Text.round(gap));
                }
                if (a.valSaturated) {
                    summary = "Validation loss has levelled off at " + Text.num(a.valNow) + " (best " + Text.num(all.bestVal)
                            + " at " + unit(s) + " " + bestValEpoch + ") while training loss still falls ("
                            + Text.pct(shownFall(s.train, a, a.trainRate)) + " per " + unit(s) + "): more epochs would not help validation.";
                    recs.add("Keep the best-validation checkpoint (" + unit(s) + " " + bestValEpoch + ")");
                    recs.add("To do better on validation: more data, data augmentation, or regularization");
                } else {
                    summary = "The loss has levelled off at " + Text.num(a.trainNow)
                            + (Double.isNaN(a.valNow) ? "" : " (validation " + Text.num(a.valNow) + ")") + " after falling "
                            + Text.pct(a.trainDropTotal) + ": a good fit.";
                    recs.add(Float.isFinite(all.bestVal) ? "Stop training; keep the best-validation checkpoint (" + unit(s) + " "
                            + bestValEpoch + ")" : "Stop training");
                }
            }
            case UNDERFITTING -> {
                double epochs = epochsOf(a);
                summary = "Training loss is falling only " + Text.pct(shownFall(s.train, a, a.trainRate)) + " per epoch and is still at "
                        + Text.pct(1 - a.trainDropTotal) + " of its first value after " + Math.round(epochs)
                        + " epochs: the model is not learning much from the data.";
                recs.add("Give the model more capacity (wider or deeper layers)");
                recs.add(c.lr() != null ? "Raise the learning rate: try " + Text.num(c.lr() * 10) + " instead of " + Text.num(c.lr())
                        : "Raise the learning rate");
                recs.add("Check the features: can the inputs predict the target?");
            }
            case UNDERTRAINED -> {
                summary = "Training loss was still falling (" + Text.pct(shownFall(s.train, a, a.trainRate)) + " per " + unit(s)
                        + ") when the run finished at " + unit(s) + " " + a.epoch + ": there was room to learn.";
                recs.add("Train longer: resume from the last checkpoint");
            }
            default -> { // LEARNING
                summary = (a.trainTrend == Trend.FALLING ? "Training loss is falling " + Text.pct(shownFall(s.train, a, a.trainRate)) + " per " + unit(s)
                        : "Training loss is " + a.trainTrend.code() + " at " + Text.num(a.trainNow))
                        + (Double.isNaN(a.valNow) ? "" : a.valTrend == Trend.FALLING
                        ? (a.trainTrend == Trend.FALLING ? ", validation loss " : "; validation loss is falling ")
                        + Text.pct(shownFall(s.val, a, a.valRate)) + (a.trainTrend == Trend.FALLING ? "." : " per " + unit(s) + ".")
                        : "; validation loss is " + a.valTrend.code() + " (best " + Text.num(all.bestVal) + " at " + unit(s)
                        + " " + bestValEpoch + ").");
                if (!summary.endsWith(".")) {
                    summary += ".";
                }
                recs.add("Keep training");
                if (a.trainTrend == Trend.FALLING && a.valTrend == Trend.FLAT && !Double.isNaN(a.valNow)) {
                    recs.add("Validation loss has levelled off while training loss falls: the first sign of overfitting, watch it");
                }
                optimizerAdvice(c, recs, false);
            }
        }
        return new Reading(a.diagnosis, a.since, a.confidence, ev, summary, recs);
    }

    /**
     * The fall per epoch a person reads: the geometric mean change over the short stretch for a
     * positive loss (so a loss that halves each epoch falls 50%, never more than 100%), else the
     * fitted rate.
     */
    private static double shownFall(float[] y, Assessment a, double fittedRate) {
        int from = Math.max(a.from, a.to - a.shortTrendPoints);
        int first = -1, last = -1;
        for (int i = from; i < a.to; i++) {
            if (Float.isFinite(y[i])) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first < 0 || last == first || !(y[first] > 0) || !(y[last] > 0)) {
            return -fittedRate;
        }
        double perPoint = Math.pow(y[last] / (double) y[first], 1.0 / (last - first));
        return 1 - Math.pow(perPoint, a.pointsPerEpoch);
    }

    private static void optimizerAdvice(RunConfig c, List<String> recs, boolean stuck) {
        String opt = c.optimizer() == null ? "" : c.optimizer().toLowerCase(Locale.ROOT);
        if (stuck && opt.contains("adagrad")) {
            recs.add("AdaGrad's effective learning rate decays toward zero, so a late plateau may be just that: "
                    + "switch to Adam or SGD with a schedule");
        } else if (stuck && opt.startsWith("sgd")) {
            recs.add("SGD keeps a constant learning rate: use a decay schedule (step, cosine)");
        } else if (!stuck && opt.startsWith("adam")) {
            recs.add("Adam converges fast; a tuned SGD with momentum often ends better: consider finishing with it");
        }
    }

    private static boolean isAdaptive(String optimizer) {
        String o = optimizer == null ? "" : optimizer.toLowerCase(Locale.ROOT);
        return o.contains("adam") || o.contains("rmsprop") || o.contains("adagrad") || o.contains("adadelta");
    }

    private static String optimizerName(String optimizer) {
        String o = optimizer.toLowerCase(Locale.ROOT);
        return o.contains("adam") ? "Adam" : o.contains("rmsprop") ? "RMSprop" : o.contains("adagrad") ? "AdaGrad" : optimizer;
    }

    private static String unit(RunState s) {
        return s.size > 0 && s.epochs[0] == Point.NONE ? "step" : "epoch";
    }

    private static long key(long epoch, long step) {
        return epoch != Point.NONE ? epoch : step;
    }

    RunStatus status(RunState s) {
        List<RunStatus.CurvePoint> curve = new ArrayList<>(s.size);
        for (int i = 0; i < s.size; i++) {
            curve.add(new RunStatus.CurvePoint(s.epochs[i] == Point.NONE ? null : s.epochs[i],
                    s.steps[i] == Point.NONE ? null : s.steps[i], finite(s.train[i]), finite(s.val[i])));
        }
        Diagnosis d = s.current != null ? s.current : Diagnosis.WARMING_UP;
        if (s.size == 0) {
            Reading r = Reading.warmingUp(0);
            return new RunStatus(s.runId, d, null, null, null, null, null, null, null, null, null, r.summary(),
                    r.recommendations(), s.finished, 0, updated(s), curve);
        }
        Assessment a = assess(s, s.size - 1);
        boolean curvesRead = a.train != null && (a.train.n >= 3 || a.val.n >= 3) && !all.hasNonFinite();
        boolean ofTheCurve = d != Diagnosis.WARMING_UP && d != Diagnosis.STALLED && d != Diagnosis.MISCONFIGURED;
        if (a.diagnosis != d && ofTheCurve && curvesRead) {
            // the words are about what was said (the readings have not settled on anything new)
            a.diagnosis = d;
            a.since = s.sinceEpoch;
            if (d == Diagnosis.OSCILLATING) {
                measureOscillation(s, a);
            }
        }
        Reading r = a.diagnosis == d ? describe(s, a) : lastWords(s, a, d);
        int last = s.size - 1;
        RunState.Aggregates all = a.all;
        return new RunStatus(s.runId, d, s.sinceEpoch == Point.NONE ? null : s.sinceEpoch,
                s.epochs[last] == Point.NONE ? null : s.epochs[last], s.steps[last] == Point.NONE ? null : s.steps[last],
                finite(s.train[last]), finite(s.val[last]),
                a.train != null && a.train.n >= 3 ? a.trainTrend.code() : null,
                a.val != null && a.val.n >= 3 ? a.valTrend.code() : null,
                Float.isFinite(all.bestVal) ? key(all.bestValEpoch, all.bestValStep) : null,
                Float.isFinite(all.bestVal) ? (double) all.bestVal : null,
                r.summary(), r.recommendations(), s.finished, s.points(), updated(s), curve);
    }

    /** For a status whose diagnosis the curve does not show by itself: the state it is in, in words. */
    private Reading lastWords(RunState s, Assessment a, Diagnosis d) {
        if (d == Diagnosis.WARMING_UP) {
            return Reading.warmingUp(a.points);
        }
        Reading now = describe(s, a);
        String why = d == Diagnosis.STALLED
                ? "No metrics for a while from a run that has not finished (last at " + updated(s) + "). "
                : d == Diagnosis.MISCONFIGURED ? "The run's configuration has a problem (reported at its start). "
                : "Diagnosed " + d.code() + (s.sinceEpoch == Point.NONE ? "" : " since " + unit(s) + " " + s.sinceEpoch) + ". ";
        return new Reading(d, s.sinceEpoch, now.confidence(), now.evidence(), why + now.summary(), now.recommendations());
    }

    /** Where the oscillation window starts: 20 points, or four epochs of a run reporting several points an epoch. */
    private static int oscillationFrom(Assessment a) {
        return Math.max(a.from, a.to - (int) Math.min(VIEW, Math.max(OSCILLATION_POINTS, Math.round(4 * a.pointsPerEpoch))));
    }

    /** The jumps of the oscillation window, for the words (the reading decides by counting). */
    private void measureOscillation(RunState s, Assessment a) {
        int oscFrom = oscillationFrom(a);
        Fit t = Fit.of(s.train, oscFrom, a.to, scratch);
        Fit v = Fit.of(s.val, oscFrom, a.to, scratch);
        double tAmp = t.n >= 3 ? t.noise() / oscScale(a.trainNow, all.firstTrain, all.bestTrain) : 0;
        double tRev = t.reversalRate();
        double vAmp = v.n >= 3 ? v.noise() / oscScale(a.valNow, all.firstVal, all.bestVal) : 0;
        a.oscillationAmplitude = Math.max(tAmp, vAmp);
        a.oscillationReversals = Math.max(tRev, v.reversalRate());
    }

    private static Instant updated(RunState s) {
        return s.lastActivityMillis == 0 ? null : Instant.ofEpochMilli(s.lastActivityMillis);
    }

    private static Double finite(float v) {
        return Float.isFinite(v) ? (double) v : null;
    }
}
