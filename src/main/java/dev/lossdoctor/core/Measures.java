package dev.lossdoctor.core;

import dev.lossdoctor.core.Fit.Spread;
import java.util.Locale;

/**
 * Everything a reading of a run's curve rests on, measured once from its window at one point (the
 * prefix of the window ending at {@code to - 1}): the fits over the short and the long recent
 * stretch, trends, levels, scales, the landmarks of the whole run, the jumps, a frozen stretch at
 * the end, the chance level. The {@link Rules} judge it; {@link Words} put it into sentences. An
 * immutable value.
 *
 * <p>Every scale is the loss's own: a change relative to its level (or to its descent), a slope
 * relative to its own scatter. So the same rules hold for any loss scale.
 *
 * @param points           points seen up to this one (those that left the window too)
 * @param epoch            the epoch of this point, or its step for a per-step run
 * @param from             the first window index the reading looks at
 * @param to               one past the last
 * @param pointsPerEpoch   1 for a per-epoch run, more when a run reports several points an epoch
 * @param trendPoints      length of the long stretch trends are read from
 * @param shortTrendPoints length of the short stretch
 * @param trendFromKey     the epoch (or step) where the long stretch starts
 * @param perStep          whether the run counts in steps, not epochs (for the words)
 * @param all              first, best and non-finite points of the whole run
 * @param train            the training loss's measures
 * @param val              the validation loss's measures
 * @param valRiseFromBest  validation now above its best, relative to the best
 * @param trainDropSinceValBest training's fall since the point where validation was best, relative
 * @param trainRecentRise  how far training climbed within the long stretch, relative (diverging)
 * @param afterValBest     points of the view after the best validation point
 * @param valBestLuck      how far the best validation point is below its neighbours' lower one (the median of the
 *                         three), relative to the best: the luck of one draw (0 unless both are in the view)
 * @param valSinceBest     the fit of validation since its best: {@link Fit#NONE} unless the overfitting
 *                         rule could call its rise a steady climb ({@link Rules#couldClimbSteadily}), or the
 *                         whole view's when none of its points is below the best and validation is 1% above it
 * @param valLateHalf      then, the fit of validation over the view's late half (else {@link Fit#NONE})
 * @param jumps            the oscillation stretch's fits; null when it is too short or both curves are smooth
 * @param frozen           a frozen stretch at the end of the training curve
 * @param chanceClasses    C when the loss is a C-class cross-entropy that started at chance, else 0
 * @param said             the diagnosis said so far (null before the first), and since when
 * @param saidSince        since when it was said
 * @param schedule         what the learning rate the run reports says ({@link Schedule#NONE}: none reported)
 * @param spike            the newest loss spike of the last few points, pending or just decided; null: none
 */
record Measures(long points, long epoch, int from, int to, double pointsPerEpoch, int trendPoints, int shortTrendPoints,
                long trendFromKey, boolean perStep, Landmarks all, Series train, Series val, double valRiseFromBest,
                double trainDropSinceValBest, double trainRecentRise, int afterValBest, double valBestLuck, Fit valSinceBest, Fit valLateHalf, Jumps jumps,
                Frozen frozen, int chanceClasses, Diagnosis said, long saidSince, Schedule schedule, Spike spike) {

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
    /** Frozen: point-to-point changes below this share of the level (weights not moving). */
    static final double FROZEN_STEP = 2e-4;

    /**
     * One loss curve's measures ({@link #NONE} for a curve without three points in the long stretch).
     *
     * @param fit       the long stretch
     * @param shortFit  the short stretch
     * @param viewFit   the view's late half (or the long stretch): a slow fall the noise hides from the stretches, not one long past
     * @param trend     falling, flat or rising: significant against the scatter and steeper than flat
     * @param rate      relative change per epoch (negative: falling)
     * @param now       median of the last three values
     * @param scale     what a relative change is measured against (the level, or a tenth of the descent)
     * @param rise      climb above the best, relative to the best (or half the descent)
     * @param dropTotal fall since the first point, relative to it
     * @param oscScale  what a jump is measured against (the level, or a quarter of the descent)
     */
    record Series(Fit fit, Fit shortFit, Fit viewFit, Trend trend, double rate, double now, double scale, double rise,
                  double dropTotal, double oscScale) {

        // a jump of a curve not read is measured against 1e-30, as oscScale(NaN, ...) gives
        static final Series NONE = new Series(Fit.NONE, Fit.NONE, Fit.NONE, Trend.FLAT, 0, Double.NaN, Double.NaN, 0, 0, 1e-30);

        /** Whether the curve has enough points to be read. */
        boolean present() {
            return fit.hasSlope();
        }

        /** Falling beyond its noise over the view's late half, faster than flat: still improving, judged over time. */
        boolean fallingOverView(double pointsPerEpoch) {
            return viewFit.t() <= -SIGNIFICANT_T && -viewFit.slope() * pointsPerEpoch / scale >= FLAT_RATE;
        }
    }

    /**
     * Validation rising significantly over the whole view (none of whose points is below its best)
     * and not levelling off: its late half still rising at 60% of the view's pace.
     */
    boolean valRisingOverView() {
        return afterValBest >= VIEW && valSinceBest.t() >= SIGNIFICANT_T && valLateHalf.slope() >= 0.6 * valSinceBest.slope();
    }

    /** The oscillation stretch from window index {@code from}: its fits (with their jumps), null for a curve not read. */
    record Jumps(int from, long fromKey, Fit train, Fit val) {
    }

    /**
     * A frozen stretch at the end of the training curve (validation frozen too, or absent).
     *
     * @param since      where it began, when a finite point came before it; else {@link Point#NONE}
     * @param step       the step into it, relative to the level
     * @param wholeView  frozen over the whole view (longer than the window remembers)
     */
    record Frozen(long since, double step, boolean wholeView) {
        static final Frozen NONE = new Frozen(Point.NONE, 0, false);
    }

    boolean hasTrain() {
        return train.present();
    }

    boolean hasVal() {
        return val.present();
    }

    /** Epochs the run has covered. */
    double epochs() {
        return (points - 1) / pointsPerEpoch;
    }

    /** The window index where the long stretch starts. */
    int trendFrom() {
        return Math.max(from, to - trendPoints);
    }

    /**
     * Measures the window of {@code s} up to index {@code end}; {@code all} is working space (for the
     * landmarks of a prefix).
     */
    static Measures of(RunState s, int end, Aggregates all) {
        int to = end + 1;
        int from = Math.max(0, to - VIEW);
        long points = s.evictedCount + to;
        long epoch = Landmarks.key(s.epochs[end], s.steps[end]);
        boolean perStep = s.size > 0 && s.epochs[0] == Point.NONE;
        Aggregates upTo = s.all; // kept up to date point by point
        if (to != s.size) { // a prefix (the readings before a late point): gathered afresh
            all.copyFrom(s.evicted);
            all.addSorted(s, to);
            upTo = all;
        }
        Landmarks marks = upTo.landmarks().withFirstLosses(s, to);
        if (marks.nonFinite() || points < MIN_POINTS) {
            return new Measures(points, epoch, from, to, 1, TREND_POINTS, SHORT_TREND_POINTS, Point.NONE, perStep, marks,
                    Series.NONE, Series.NONE, 0, 0, 0, 0, 0, Fit.NONE, Fit.NONE, null, Frozen.NONE, 0, s.current, s.sinceEpoch,
                    Schedule.of(s, from, from, to, points, upTo), null);
        }
        double ppe = pointsPerEpoch(s, from, to);
        // a run reporting several points an epoch reads its trends over epochs, not points: the
        // noise of a single step says nothing
        int trendPoints = (int) Math.min(VIEW, Math.max(TREND_POINTS, Math.round(3 * ppe)));
        int shortTrendPoints = (int) Math.max(SHORT_TREND_POINTS, Math.round(trendPoints / 2.0));
        int trendFrom = Math.max(from, to - trendPoints);
        int shortFrom = Math.max(from, to - shortTrendPoints);
        Schedule schedule = Schedule.of(s, from, trendFrom, to, points, upTo);
        long trendFromKey = Landmarks.key(s.epochs[trendFrom], s.steps[trendFrom]);
        Fit trainFit = Fit.of(s.trainSums, s.train, s.size, trendFrom, to, Spread.SCATTER);
        Fit valFit = Fit.of(s.valSums, s.val, s.size, trendFrom, to, Spread.SCATTER);
        Fit trainShort = Fit.of(s.trainSums, s.train, s.size, shortFrom, to, Spread.NONE);
        Fit valShort = Fit.of(s.valSums, s.val, s.size, shortFrom, to, Spread.NONE);
        int half = to - (to - from) / 2; // the view's late half, when twice the long stretch at least
        boolean late = to - from >= 4 * trendPoints;
        Series train = trainFit.hasSlope()
                ? series(trainFit, trainShort, late ? Fit.later(s.trainSums, s.train, s.size, half, to, Spread.NONE) : trainFit,
                        recentMedian(s.train, from, to), marks.firstTrain(), marks.bestTrain(), ppe)
                : Series.NONE;
        Series val = valFit.hasSlope()
                ? series(valFit, valShort, late ? Fit.later(s.valSums, s.val, s.size, half, to, Spread.NONE) : valFit,
                        recentMedian(s.val, from, to), marks.firstVal(), marks.bestVal(), ppe)
                : Series.NONE;
        if (!train.present() && !val.present()) {
            return new Measures(points, epoch, from, to, ppe, trendPoints, shortTrendPoints, trendFromKey, perStep, marks,
                    new Series(trainFit, trainShort, Fit.NONE, Trend.FLAT, 0, Double.NaN, Double.NaN, 0, 0, 1e-30),
                    new Series(valFit, valShort, Fit.NONE, Trend.FLAT, 0, Double.NaN, Double.NaN, 0, 0, 1e-30),
                    0, 0, 0, 0, 0, Fit.NONE, Fit.NONE, null, Frozen.NONE, 0, s.current, s.sinceEpoch, schedule, null);
        }
        double valRiseFromBest = 0, trainDropSinceValBest = 0;
        if (val.present()) {
            valRiseFromBest = (val.now() - marks.bestVal()) / Math.abs(marks.bestVal());
            if (train.present() && Float.isFinite(marks.bestValTrain()) && marks.bestValTrain() != 0) {
                trainDropSinceValBest = (marks.bestValTrain() - train.now()) / Math.abs(marks.bestValTrain());
            }
        }
        double recentRise = train.present() ? recentRise(s.train, trendFrom, to, train.now(), marks) : 0;
        int after = 0;
        double luck = 0;
        Fit sinceBest = Fit.NONE, lateHalf = Fit.NONE;
        if (train.present() && val.present()) {
            after = Landmarks.pointsAfter(s, from, to, marks.bestValKey());
            luck = Landmarks.luckOfBest(s.val, s.flags, from, to - 1 - after, to, marks.bestVal());
            if (after >= VIEW && valRiseFromBest > Rules.OVERFIT_RISE / 2) { // no better point in the view: its trend, and its late half's
                sinceBest = Fit.later(s.valSums, s.val, s.size, from, to, Spread.SCATTER);
                lateHalf = Fit.later(s.valSums, s.val, s.size, to - (to - from) / 2, to, Spread.NONE);
            } else if (after >= 5 && valRiseFromBest > Rules.OVERFIT_RISE / 4 // (before the scatter: a sort)
                    && Rules.couldClimbSteadily(valRiseFromBest, valFit.scatter() / Math.abs(marks.bestVal()), after)) {
                sinceBest = Fit.later(s.valSums, s.val, s.size, Math.max(from, to - after - 1), to, Spread.NONE);
            }
        }
        Jumps jumps = jumps(s, from, to, ppe, train, val);
        Frozen frozen = frozen(s, from, to, train, val);
        int chance = chanceClasses(s.config, marks.firstTrain(), train.now());
        return new Measures(points, epoch, from, to, ppe, trendPoints, shortTrendPoints, trendFromKey, perStep, marks, train, val,
                valRiseFromBest, trainDropSinceValBest, recentRise, after, luck, sinceBest, lateHalf, jumps, frozen, chance,
                s.current, s.sinceEpoch, schedule, train.present() ? Spike.latest(s, from, to, trendPoints, marks) : null);
    }

    private static Series series(Fit fit, Fit shortFit, Fit viewFit, double now, float first, float best, double ppe) {
        double scale = scale(now, first, best);
        double rate = rate(shortFit, fit) * ppe / scale;
        return new Series(fit, shortFit, viewFit, trend(shortFit, fit, rate), rate, now, scale, (now - best) / riseScale(first, best),
                (first - now) / Math.abs(first), oscScale(now, first, best));
    }

    /** Where the oscillation stretch starts: 20 points, or four epochs of a run reporting several points an epoch. */
    static int oscillationFrom(int from, int to, double ppe) {
        return Math.max(from, to - (int) Math.min(VIEW, Math.max(OSCILLATION_POINTS, Math.round(4 * ppe))));
    }

    /** The oscillation stretch's fits, when it has two epochs at least and one of the curves reverses often. */
    private static Jumps jumps(RunState s, int from, int to, double ppe, Series train, Series val) {
        int oscFrom = oscillationFrom(from, to, ppe);
        if (to - oscFrom < Math.max(10, Math.min(VIEW / 2, 2 * ppe))) { // two epochs at least
            return null;
        }
        if ((!train.present() || Fit.reversalRate(s.train, oscFrom, to) < Rules.OSCILLATION_REVERSALS)
                && (!val.present() || Fit.reversalRate(s.val, oscFrom, to) < Rules.OSCILLATION_REVERSALS)) {
            return null; // a smooth curve: no need to measure its jumps
        }
        return new Jumps(oscFrom, Landmarks.key(s.epochs[oscFrom], s.steps[oscFrom]),
                train.present() ? Fit.later(s.trainSums, s.train, s.size, oscFrom, to, Spread.NOISE) : null,
                val.present() ? Fit.later(s.valSums, s.val, s.size, oscFrom, to, Spread.NOISE) : null);
    }

    /** The oscillation stretch's fits whatever the curves do (for the words about an oscillation said before). */
    static Jumps jumpsAnyway(RunState s, Measures m) {
        int oscFrom = oscillationFrom(m.from, m.to, m.pointsPerEpoch);
        return new Jumps(oscFrom, Landmarks.key(s.epochs[oscFrom], s.steps[oscFrom]),
                Fit.of(s.trainSums, s.train, s.size, oscFrom, m.to, Spread.NOISE),
                Fit.of(s.valSums, s.val, s.size, oscFrom, m.to, Spread.NOISE));
    }

    /** The frozen stretch at the end of the training curve, and the step that led into it. */
    private static Frozen frozen(RunState s, int from, int to, Series train, Series val) {
        float[] y = s.train;
        double tol = FROZEN_STEP * Math.abs(train.scale());
        int i = to - 1;
        while (i > from && !Float.isNaN(y[i]) && !Float.isNaN(y[i - 1]) && Math.abs(y[i] - y[i - 1]) <= tol) {
            i--;
        }
        int frozenPoints = to - i;
        if (frozenPoints < 3 || Float.isNaN(y[i])) {
            return Frozen.NONE;
        }
        // validation frozen too (or absent): the model itself has stopped changing
        float[] v = s.val;
        double valTol = FROZEN_STEP * Math.abs(Double.isNaN(val.scale()) ? 1 : val.scale()) * frozenPoints;
        if (!Float.isNaN(v[i]) && !Float.isNaN(v[to - 1]) && Math.abs(v[to - 1] - v[i]) > valTol) {
            return Frozen.NONE;
        }
        if (i == from) {
            return new Frozen(Point.NONE, 0, to - from >= VIEW);
        } else if (!Float.isNaN(y[i - 1])) {
            return new Frozen(Landmarks.key(s.epochs[i], s.steps[i]), (y[i - 1] - y[i]) / Math.abs(train.scale()), false);
        }
        return Frozen.NONE;
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
        return Math.abs(shortFit.t()) >= SIGNIFICANT_T || Math.abs(longFit.t()) < SIGNIFICANT_T ? shortFit.slope() : longFit.slope();
    }

    private static Trend trend(Fit shortFit, Fit longFit, double ratePerEpoch) {
        if ((Math.abs(shortFit.t()) < SIGNIFICANT_T && Math.abs(longFit.t()) < SIGNIFICANT_T) || Math.abs(ratePerEpoch) < FLAT_RATE) {
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
    static double riseScale(float first, float best) {
        double s = Math.max(Math.abs(best), 0.5 * Math.abs(first - best));
        return s > 0 ? s : 1e-30;
    }

    /** Jumps are measured against the level, or a quarter of the descent for losses near 0. */
    private static double oscScale(double now, float first, float best) {
        double descent = Float.isFinite(first) && Float.isFinite(best) ? Math.abs(first - best) : 0;
        double s = Math.max(Math.abs(now), 0.25 * descent);
        return s > 0 ? s : 1e-30;
    }

    /** How far the loss climbed within the recent stretch: a run that blew up long ago and stayed there is not climbing now. */
    private static double recentRise(float[] y, int from, int to, double now, Landmarks all) {
        float min = Float.POSITIVE_INFINITY;
        for (int i = from; i < to; i++) {
            if (y[i] < min) {
                min = y[i];
            }
        }
        return (now - min) / riseScale(all.firstTrain(), all.bestTrain());
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
}
