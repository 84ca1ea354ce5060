package dev.lossdoctor.core;

import dev.lossdoctor.core.Finding.Why;
import dev.lossdoctor.core.Measures.Jumps;
import dev.lossdoctor.core.Measures.Series;
import java.util.List;
import java.util.Optional;

/**
 * The diagnoses of DESIGN.md section 1, one small rule each over a window's {@link Measures}, tried
 * in the order of {@link #ORDER}: the first that finds something decides. To add a diagnosis, add
 * a rule and put it in its place in the list.
 *
 * <p>Every threshold is a ratio: a change relative to the loss's own level (or to its own descent),
 * a slope relative to its own scatter. So the same rules hold for any loss scale, for smooth
 * seed-averaged curves and for noisy per-step ones.
 */
final class Rules {

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
    /** Data issue: validation fell 5% and at least 2.5 times as much as training. */
    static final double DATA_ISSUE_VAL_DROP = 0.05;
    static final double DATA_ISSUE_RATIO = 2.5;
    static final double DATA_ISSUE_TRAIN_RATE = 0.015;
    static final double DATA_ISSUE_RATE_RATIO = 2.5;
    /** A steady creep below the flat line, at chance: the learning rate is too low to get anywhere. */
    static final double CREEP_RATE = 0.0002;
    /** Oscillating: most steps reverse direction and jump by this share of the level. */
    static final double OSCILLATION_REVERSALS = 0.45;
    static final double OSCILLATION_AMPLITUDE = 0.08;
    /**
     * Steps thrown about leave the losses above their best: validation within this rise of it (see
     * {@link Measures.Series#rise()}), and training within twice it (logged from batches, it is the noisier), are not.
     */
    static final double OSCILLATION_AT_BEST = 0.1;
    /** An abrupt stop: the step into a frozen stretch was at least this share of the level. */
    static final double ABRUPT_STEP = 0.01;
    /** Converged means near the best the run reached: not flat this far above it. */
    static final double WORSE_THAN_BEST = 0.1;
    /** The lowest of N noisy points sits about this many scatters below the level (2.4 for 64 points, 3.2 for 770). */
    static final double ROBUST_BEST_SCATTERS = 3;
    /** Near chance: within this share of ln(C) for a C-class cross-entropy. */
    static final double CHANCE_BAND = 0.06;

    /**
     * The rules, most urgent first. A non-finite loss and a climbing one come before everything; a
     * validation rise beyond its own scatter is overfitting even when training jumps about, so
     * overfitting comes before oscillation; the still states (plateau, converged, underfitting)
     * only once nothing is wrong; learning is what is left.
     */
    static final List<Rule> ORDER = List.of(
            Rules::nonFinite,
            Rules::tooFewPoints,
            ScheduleRules::pendingSpike,
            ScheduleRules::spikeStayed,
            ScheduleRules::rateRaised,
            Rules::diverging,
            Rules::drifting,
            Rules::validationDiverging,
            Rules::overfitting,
            Rules::oscillating,
            Rules::dataIssue,
            Rules::validationOnly,
            ScheduleRules::scheduleEnd,
            ScheduleRules::stoppedDead,
            ScheduleRules::stillFrozen,
            Rules::creeping,
            Rules::atChance,
            StillRules::flat,
            StillRules::underfitting,
            StillRules::learning);

    private Rules() {
    }

    /** The first finding of {@link #ORDER}: the raw diagnosis of one reading. */
    static Finding judge(Measures m) {
        for (Rule rule : ORDER) {
            Optional<Finding> f = rule.check(m);
            if (f.isPresent()) {
                return f.get();
            }
        }
        throw new IllegalStateException("the learning rule always finds"); // unreachable
    }

    /** At {@code run_finished}: a run still learning was undertrained, unless validation had levelled off (converged). */
    static Finding verdict(Measures m, Finding f) {
        if (f.why() == Why.SPIKE_PENDING) {
            f = ScheduleRules.judgeWithoutHold(m); // the run is over: no time left to recover, the curve is read as it is
        }
        if (f.diagnosis() != Diagnosis.LEARNING || m.train().trend() != Trend.FALLING) {
            return f;
        }
        boolean valSaturated = m.hasVal() && m.val().trend() != Trend.FALLING && m.points() >= CONVERGED_POINTS;
        return valSaturated ? f.as(Diagnosis.CONVERGED, Why.VAL_SATURATED) : f.as(Diagnosis.UNDERTRAINED, Why.STILL_FALLING);
    }

    // ---------------------------------------------------------------- the rules, in their order

    /** A non-finite loss (NaN, Infinity): diverging at once, since the best training loss before it. */
    static Optional<Finding> nonFinite(Measures m) {
        Landmarks all = m.all();
        if (!all.nonFinite()) {
            return Optional.empty();
        }
        long since = Float.isFinite(all.bestTrain()) && Point.compareKeys(all.bestTrainEpoch(), all.bestTrainStep(),
                all.nonFiniteEpoch(), all.nonFiniteStep()) < 0 ? all.bestTrainKey() : all.nonFiniteKey();
        return found(Diagnosis.DIVERGING, Why.NON_FINITE, since, 0.99);
    }

    static Optional<Finding> tooFewPoints(Measures m) {
        return m.points() < Measures.MIN_POINTS || !m.hasTrain() && !m.hasVal()
                ? found(Diagnosis.WARMING_UP, Why.TOO_FEW_POINTS, Point.NONE, 0.8) : Optional.empty();
    }

    /** Training climbing far above its best, validation not improving (both climbing: a smaller climb is enough). */
    static Optional<Finding> diverging(Measures m) {
        Series t = m.train(), v = m.val();
        double needed = t.trend() == Trend.RISING && m.hasVal() && v.trend() == Trend.RISING ? DIVERGING_RISE / 2 : DIVERGING_RISE;
        if (ScheduleRules.warmUpRise(m)) {
            return Optional.empty(); // a warm-up may make the loss rise: not diverging until worse than at the start
        }
        if (m.hasTrain() && t.rise() >= needed && (t.trend() == Trend.RISING || t.rise() >= 3 * DIVERGING_RISE)
                && m.trainRecentRise() >= needed / 2 && (!m.hasVal() || v.rise() >= needed || v.trend() == Trend.RISING)) {
            return found(Diagnosis.DIVERGING, Why.CLIMBING, m.all().bestTrainKey(), clamp(0.6 + 0.2 * t.rise()));
        }
        return Optional.empty();
    }

    /** A slow, steady climb of both losses away from their best: the wrong way, if not yet fast. */
    static Optional<Finding> drifting(Measures m) {
        Series t = m.train(), v = m.val();
        if (m.hasTrain() && !ScheduleRules.warmUpRise(m) && t.trend() == Trend.RISING && robustRise(t, m.all().bestTrain()) >= SLOW_DIVERGING_RISE
                && t.viewFit().t() >= Measures.SIGNIFICANT_T // rising over the whole view too, beyond its noise
                && (!m.hasVal() || v.trend() == Trend.RISING && v.rise() >= SLOW_DIVERGING_RISE)) {
            return found(Diagnosis.DIVERGING, Why.CLIMBING, m.all().bestTrainKey(), 0.6);
        }
        return Optional.empty();
    }

    /**
     * The climb above the best, less the luck of the best: a noisy curve's lowest point is its luckiest draw,
     * about {@link #ROBUST_BEST_SCATTERS} scatters below its level (0 on a smooth curve: its rise as it was).
     */
    static double robustRise(Series t, float best) {
        double above = t.now() - best;
        return above <= 0 ? t.rise() : t.rise() * Math.max(0, above - ROBUST_BEST_SCATTERS * t.fit().scatter()) / above;
    }

    /** Validation's drop far beyond training's. */
    private static boolean outpaces(double vDrop, double tDrop) {
        return vDrop >= DATA_ISSUE_VAL_DROP && vDrop >= DATA_ISSUE_RATIO * Math.max(0, tDrop);
    }

    /** Validation alone, climbing far above its best. */
    static Optional<Finding> validationDiverging(Measures m) {
        if (!m.hasTrain() && m.hasVal() && m.val().rise() >= 2 * DIVERGING_RISE && m.val().trend() == Trend.RISING) {
            return found(Diagnosis.DIVERGING, Why.VAL_CLIMBING, m.all().bestValEpoch(), 0.8);
        }
        return Optional.empty();
    }

    /**
     * Validation risen beyond its own scatter since its best while training fell (or a slow steady
     * climb, or a training loss fallen to a fraction of a validation loss that stopped improving:
     * memorizing); or validation degrading while training stalls.
     */
    static Optional<Finding> overfitting(Measures m) {
        if (!m.hasTrain() || !m.hasVal()) {
            return Optional.empty();
        }
        Series t = m.train(), v = m.val();
        Landmarks all = m.all();
        long bestKey = all.bestValKey();
        int after = m.afterValBest();
        if (after < 3 || v.trend() == Trend.FALLING) {
            return Optional.empty(); // a validation loss still falling is not overfitting, whatever one low point says
        }
        // rises (and the scatter they are judged against) in units of the best, or of half the descent for a best
        // near 0 (as Series.rise): there a rise of 100% of 1e-6 is a thousandth of what validation fell
        double riseUnit = Math.abs(all.bestVal()) / Measures.riseScale(all.firstVal(), all.bestVal());
        if (m.trainDropSinceValBest() < OVERFIT_TRAIN_DROP) {
            // validation degrading while training stalls: the same advice, and look at the pipeline
            double luck = ROBUST_BEST_SCATTERS * riseUnit * v.fit().scatter() / Math.abs(all.bestVal()), degraded = riseUnit * m.valRiseFromBest();
            // (rising over the view's late half too, beyond its noise: a flat noisy validation's stretch rises now and then)
            if (v.trend() == Trend.RISING && t.trend() == Trend.FLAT && degraded > Math.max(DEGRADING_RISE, luck)
                    && (v.viewFit() == v.fit() || v.viewFit().t() >= Measures.SIGNIFICANT_T)) {
                // above its luckiest point by the line, but not above a noise-robust best (the luckiest point is
                // about three scatters below the level) by it: on the line, and what the still rules say stands
                return firmOrOnTheLine(Finding.of(Diagnosis.OVERFITTING, Why.VAL_DEGRADING, bestKey, 0.7),
                        degraded > DEGRADING_RISE + luck, m);
            }
            // slow overfitting: validation rising over the whole view, above its best by more than the luckiest of
            // hundreds of points is (in the view's scatter: a 12-point one wanders), training fallen beyond its noise
            if (!m.valRisingOverView() || t.trend() == Trend.RISING) {
                return Optional.empty();
            }
            double k = ROBUST_BEST_SCATTERS + 3, rise = riseUnit * m.valRiseFromBest();
            double slowMargin = Math.max(OVERFIT_RISE / 2, k * riseUnit * m.valSinceBest().scatter() / Math.abs(all.bestVal()));
            double dropMargin = Math.max(OVERFIT_RISE, k * t.fit().scatter() / Math.abs(t.now()));
            return m.trainDropSinceValBest() > dropMargin && rise > slowMargin
                    ? found(Diagnosis.OVERFITTING, Why.VAL_RISING, bestKey, clamp(0.5 + 0.1 * rise / slowMargin)) : Optional.empty();
        }
        double rise = riseUnit * m.valRiseFromBest();
        double scatter = riseScatter(rise, riseUnit * v.fit().scatter() / Math.abs(all.bestVal()));
        double margin = Math.max(OVERFIT_RISE, 3 * scatter);
        // and above the best's neighbours too: a best below both is one lucky draw of a jumpy stretch, not a level left
        boolean clearRise = rise > margin && m.valRiseFromBest() > m.valBestLuck();
        // a slow, steady climb: smaller, but rising point after point since the best
        boolean steadyClimb = couldClimbSteadily(rise, scatter, after) && m.valSinceBest().t() >= 3;
        // memorizing: validation has not improved for a while, training keeps falling, and the
        // training loss is a fraction of the validation loss; and the gap, in the rise's units, at least a
        // rise that counts (near 0: 5.7e-5 against 2.7e-4 after a fall from 0.075 is both losses at 0)
        double gap = (v.now() - t.now()) / Math.abs(v.now());
        boolean memorizing = !clearRise && !steadyClimb && after >= MEMORIZING_POINTS && gap >= MEMORIZING_GAP
                && riseUnit * (v.now() - t.now()) / Math.abs(all.bestVal()) >= OVERFIT_RISE
                && v.trend() != Trend.FALLING && v.now() >= all.bestVal()
                // a jumpy training loss with no downward trend is oscillation, not memorization
                && (t.trend() == Trend.FALLING || t.fit().scatter() < OSCILLATION_AMPLITUDE / 2 * t.scale());
        if (clearRise || steadyClimb || memorizing) {
            return Optional.of(Finding.of(Diagnosis.OVERFITTING, memorizing ? Why.MEMORIZING : Why.VAL_RISING, bestKey,
                    clamp(0.5 + 0.1 * rise / margin)).withGap(gap));
        }
        return Optional.empty();
    }

    /** The loss jumping up and down by a good share of its level, with no clear trend under the jumps. */
    static Optional<Finding> oscillating(Measures m) {
        Jumps j = m.jumps();
        if (j == null || ScheduleRules.warmUpRise(m)) { // a warm-up may make the loss jump
            return Optional.empty();
        }
        Fit t = j.train(), v = j.val();
        if ((t == null || Math.abs(t.t()) >= 3) && (v == null || Math.abs(v.t()) >= 3)) {
            return Optional.empty(); // a clear trend under the jumps: not oscillation
        }
        if (v != null && v.t() <= -3) {
            return Optional.empty(); // validation clearly falling through the jumps of training: it learns
        }
        if (t != null && v != null && m.train().rise() < 2 * OSCILLATION_AT_BEST && m.val().rise() < OSCILLATION_AT_BEST) {
            // both losses at their best (near 0: within a twentieth of their descent): the weights are not thrown
            // about, whatever share of a tiny level the logged losses jump by (batch noise, a small validation set)
            return Optional.empty();
        }
        double tScale = m.train().oscScale(), vScale = m.val().oscScale();
        boolean trainJumps = t != null && t.reversalRate() >= OSCILLATION_REVERSALS && Math.abs(t.t()) < 3
                && t.noiseAtLeast(OSCILLATION_AMPLITUDE * tScale);
        boolean valJumps = v != null && v.n() >= 8 && v.reversalRate() >= OSCILLATION_REVERSALS && Math.abs(v.t()) < 3
                && v.noiseAtLeast(2 * OSCILLATION_AMPLITUDE * vScale)
                // training must jump too: validation jumping over a smoothly falling training loss is a small,
                // noisy validation set, not steps thrown about by a small batch
                && t != null && t.noiseAtLeast(OSCILLATION_AMPLITUDE / 2 * tScale) && t.reversalRate() >= OSCILLATION_REVERSALS / 2;
        if (!trainJumps && !valJumps) {
            return Optional.empty();
        }
        double jump = Math.max(t == null ? 0 : t.noise() / tScale, v == null ? 0 : v.noise() / vScale);
        double reversals = Math.max(t == null ? 0 : t.reversalRate(), v == null ? 0 : v.reversalRate());
        Finding f = Finding.of(Diagnosis.OSCILLATING, Why.JUMPS, j.fromKey(), clamp(0.5 + jump)).withJumps(jump, reversals);
        // the median jump of a few dozen steps is itself noisy (a standard error of about 1.2/sqrt(n) of it):
        // training's jumps within their band of the line are on it, and what the still rules say stands
        boolean firm = valJumps || t.noiseAtLeast(OSCILLATION_AMPLITUDE * tScale * (1 + StillRules.BAND * 1.2 / Math.sqrt(t.n())));
        return firmOrOnTheLine(f, firm, m);
    }

    /**
     * {@code f} as it is when {@code firm}; else on its line, where what the still rules read (a
     * plateau, a convergence...) stands if it was said.
     */
    private static Optional<Finding> firmOrOnTheLine(Finding f, boolean firm, Measures m) {
        Diagnosis still = firm ? null : StillRules.flat(m).map(Finding::diagnosis).orElse(null);
        return Optional.of(still == null ? f : f.orElse(still));
    }

    /** Validation falling well beyond its scatter, or steadily, while training barely moves: the data. */
    static Optional<Finding> dataIssue(Measures m) {
        if (!m.hasTrain() || !m.hasVal()) {
            return Optional.empty();
        }
        Series t = m.train(), v = m.val();
        // once the long stretch is full (its scatter means something; the first points are the quickest to tell),
        // the drops and rates compared beyond their noise: validation's at the low edge of its band, training's
        // at the high edge of its own (on a smooth curve the bands are 0)
        double band = v.fit().n() >= Measures.TREND_POINTS ? StillRules.BAND : 0;
        double vDrop = v.dropTotal() - band / 2 * StillRules.dropNoise(v, m.all().firstVal());
        double tDrop = t.dropTotal() + band / 2 * StillRules.dropNoise(t, m.all().firstTrain());
        // the drop must stand out from the validation loss's own scatter (one high first point is not a drop)
        boolean valOutpacesTrain = outpaces(vDrop, tDrop)
                && v.dropTotal() >= 3 * v.fit().scatter() / Math.abs(m.all().firstVal());
        // or, slower: validation falling steadily several times faster than training
        boolean valRateOutpacesTrain = m.points() >= Measures.MIN_POINTS + 2 && v.trend() == Trend.FALLING
                && t.dropTotal() < 1 - NO_PROGRESS_SHARE // training never got anywhere
                && (v.viewFit() == v.fit() || v.fallingOverView(m.pointsPerEpoch())) // and over the whole view, beyond its noise
                && vDrop >= DATA_ISSUE_VAL_DROP / 2
                // (training's fall over the whole view too: its noise may hide from the stretch what validation shows)
                && -v.rate() - band * StillRules.rateNoise(v, m.pointsPerEpoch()) >= DATA_ISSUE_RATE_RATIO * Math.max(0, Math.max(
                        -t.rate() + band * StillRules.rateNoise(m), -t.viewFit().slope() * m.pointsPerEpoch() / t.scale()));
        if ((valOutpacesTrain || valRateOutpacesTrain) && t.rate() > -DATA_ISSUE_TRAIN_RATE && v.trend() != Trend.RISING) {
            double confidence = clamp(0.5 + v.dropTotal() / Math.max(1e-9, 4 * Math.max(t.dropTotal(), 0.01)) * 0.1);
            // beyond the drops' full bands (or by the rates) it is firm; inside them it is on the line: a plateau said stands
            // (before the long stretch is full too: a data issue is said as early, but a plateau said stands on the line)
            boolean firm = valRateOutpacesTrain || outpaces(v.dropTotal() - StillRules.BAND * StillRules.dropNoise(v, m.all().firstVal()),
                    t.dropTotal() + StillRules.BAND * StillRules.dropNoise(t, m.all().firstTrain()));
            Finding f = Finding.of(Diagnosis.DATA_ISSUE, Why.VAL_OUTPACES_TRAIN, m.all().firstKey(), confidence);
            return Optional.of(firm ? f : f.orElse(Diagnosis.PLATEAU));
        }
        return Optional.empty();
    }

    /** A run that reports validation alone: converged when it is flat, else learning. */
    static Optional<Finding> validationOnly(Measures m) {
        if (m.hasTrain()) {
            return Optional.empty();
        }
        return found(m.val().trend() == Trend.FLAT ? Diagnosis.CONVERGED : Diagnosis.LEARNING, Why.VAL_ONLY, Point.NONE, 0.8);
    }

    /** Barely moving but steadily, no progress after many epochs: a learning rate far too low, not a stop. */
    static Optional<Finding> creeping(Measures m) {
        Series t = m.train();
        double falling = -t.rate();
        double longRate = -t.fit().slope() * m.pointsPerEpoch() / t.scale();
        if (positive(m) && m.epochs() >= UNDERFITTING_EPOCHS && t.dropTotal() < 1 - NO_PROGRESS_SHARE
                && t.fit().t() <= -5 && longRate >= CREEP_RATE && longRate < Measures.FLAT_RATE
                && falling >= 0.5 * longRate) { // not decelerating
            return found(Diagnosis.UNDERFITTING, Why.CREEPING, m.all().firstKey(), 0.75);
        }
        return Optional.empty();
    }

    /** A classifier whose loss sits at chance (ln C) and does not fall: learning is stuck. */
    static Optional<Finding> atChance(Measures m) {
        if (atChanceLevel(m) && -m.train().rate() < 2 * Measures.FLAT_RATE) {
            return found(Diagnosis.PLATEAU, Why.AT_CHANCE, m.all().firstKey(), 0.85);
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- shared conditions

    /** The validation scatter a rise is judged against: only when the rise could count (else infinite). */
    private static double riseScatter(double rise, double relativeScatter) {
        return rise > OVERFIT_RISE / 4 ? relativeScatter : Double.POSITIVE_INFINITY;
    }

    /**
     * Whether a validation rise {@code rise} above its best (relative), with {@code after} points
     * since the best, is no clear rise but could be a steady climb: then the fit since the best
     * decides (so {@link Measures} fits it only then).
     */
    static boolean couldClimbSteadily(double rise, double relativeScatter, int after) {
        double scatter = riseScatter(rise, relativeScatter);
        boolean clearRise = rise > Math.max(OVERFIT_RISE, 3 * scatter);
        return !clearRise && after >= 5 && rise > Math.max(OVERFIT_RISE / 4, 2 * scatter);
    }

    /** The training loss within the chance band of ln C. */
    static boolean atChanceLevel(Measures m) {
        int c = m.chanceClasses();
        return c > 0 && Math.abs(m.train().now() - Math.log(c)) <= CHANCE_BAND * Math.log(c);
    }

    static boolean positive(Measures m) {
        return m.all().firstTrain() > 0;
    }

    static Optional<Finding> found(Diagnosis d, Why why, long since, double confidence) {
        return Optional.of(Finding.of(d, why, since, confidence));
    }

    static double clamp(double c) {
        return Math.max(0.5, Math.min(0.99, Math.round(c * 100) / 100.0));
    }
}
