package dev.lossdoctor.core;

import dev.lossdoctor.core.Finding.Why;
import dev.lossdoctor.core.Measures.Series;
import java.util.Optional;

/**
 * The rules of the still states and of learning, the last of {@link Rules#ORDER}: plateau,
 * converged, underfitting, learning. Where they meet, a run's noise decides nothing: a reading on
 * the line between two of them keeps whichever was said ({@link RawReading}), and "still improving"
 * is judged over the whole view as well as over the recent stretch.
 */
final class StillRules {

    private StillRules() {
    }

    /** Training flat, validation not falling: a plateau (no real progress, or stuck above its best), else converged. */
    static Optional<Finding> flat(Measures m) {
        Series t = m.train();
        if (t.trend() != Trend.FLAT || m.val().trend() == Trend.FALLING) {
            return Optional.empty();
        }
        Landmarks all = m.all();
        // how far from the no-progress line (a share of the first point, itself one noisy draw) the loss is, in its noise
        boolean noProgressLevel = Rules.positive(m) && m.points() >= 6 && m.epochs() >= 5;
        boolean noProgressShape = noProgressLevel && t.fit().scatter() < Rules.OSCILLATION_AMPLITUDE * t.scale();
        // the scatter of a dozen points is itself a noisy estimate: up to twice the line, the shape may be noise
        boolean nearShape = noProgressLevel && t.fit().scatter() < BAND * Rules.OSCILLATION_AMPLITUDE * t.scale();
        boolean nearNoProgress = nearShape
                && Math.abs(t.dropTotal() - (1 - Rules.NO_PROGRESS_SHARE)) < dropNoise(t, all.firstTrain());
        nearNoProgress |= nearShape && !noProgressShape && t.now() >= Rules.NO_PROGRESS_SHARE * all.firstTrain();
        // (jumps of oscillation size are left to the oscillation rule, once it has the points)
        if (noProgressShape && t.now() >= Rules.NO_PROGRESS_SHARE * all.firstTrain()) {
            Finding f = Finding.of(Diagnosis.PLATEAU, Why.NO_PROGRESS, all.firstKey(), 0.8);
            boolean slowFall = slowFall(m);
            return Optional.of(slowFall ? f.orElse(m.epochs() >= Rules.UNDERFITTING_EPOCHS ? Diagnosis.UNDERFITTING
                    : Diagnosis.LEARNING) : nearNoProgress && m.points() >= Rules.CONVERGED_POINTS ? f.orElse(Diagnosis.CONVERGED) : f);
        }
        // above a noise-robust best: the lowest point of a noisy curve is its luckiest draw, about
        // three times its scatter below the level it really reached (on a smooth curve scatter ~ 0)
        // (near 0, where the scale is a tenth of the descent, against half the descent as rises are: 2e-6 above a best
        // of 5e-7 after a fall from 1e-4 is 2% of what was learned)
        double aboveBest = (t.now() - all.bestTrain() - Rules.ROBUST_BEST_SCATTERS * t.fit().scatter()) / (t.scale() > Math.abs(t.now())
                ? Math.max(t.scale(), Measures.riseScale(all.firstTrain(), all.bestTrain())) : t.scale());
        // the level now is a median of three: within two scatters of the line, either side may be noise
        boolean nearStuck = Math.abs(aboveBest - Rules.WORSE_THAN_BEST) < BAND * t.fit().scatter() / t.scale();
        if (m.points() >= Rules.CONVERGED_POINTS && aboveBest > Rules.WORSE_THAN_BEST) {
            // flat, but well above where it once was: stuck, not a good fit
            Finding f = Finding.of(Diagnosis.PLATEAU, Why.STUCK_ABOVE_BEST, m.trendFromKey(), 0.7).withAboveBest(aboveBest);
            return Optional.of(nearStuck ? f.orElse(Diagnosis.CONVERGED) : f);
        }
        if (m.points() >= Rules.CONVERGED_POINTS) {
            boolean significant = Math.abs(t.fit().t()) >= Measures.SIGNIFICANT_T;
            Finding f = Finding.of(Diagnosis.CONVERGED, Why.LEVELLED_OFF, m.trendFromKey(), significant ? 0.75 : 0.9);
            double band = BAND * rateNoise(m);
            // a slow fall within its noise: underfitting said stands
            boolean nearUnderfitting = highAndSlowSinceStart(m) && -t.rate() + band >= Measures.FLAT_RATE;
            // just under the flat line, or flat only because the stretch's noise hides a fall the whole
            // view shows: keep saying what was said, so noise does not flap it
            // (or on the flat line within the rate's band, on a curve so noisy its band spans ten flat rates: a few
            // percent of scatter, where a dozen points' rate cannot tell learning from converged; 1% keeps its readings;
            // not near zero, where a tiny level's relative rate is all noise and converged is read as before)
            boolean nearLearning = -t.rate() >= Measures.FLAT_RATE / 3 && significant || hiddenFall(m)
                    || band >= 10 * Measures.FLAT_RATE && -t.rate() + band >= Measures.FLAT_RATE && t.now() >= 0.1 * m.all().firstTrain();
            // on two lines at once within its noise (a plateau that would itself read "or underfitting", or both a
            // slow fall and a fall): no one of them is nearer, and any still state said stands
            if (nearNoProgress && slowFall(m) || nearUnderfitting && nearLearning) {
                return Optional.of(f.keepingStill(true));
            }
            if (nearNoProgress || nearStuck) {
                return Optional.of(f.orElse(Diagnosis.PLATEAU)); // a plateau said stands while the noise can't tell
            }
            return Optional.of(nearUnderfitting ? f.orElse(Diagnosis.UNDERFITTING) : nearLearning ? f.orElse(Diagnosis.LEARNING) : f);
        }
        return Optional.empty();
    }

    /** A high loss falling slowly, and slowly on average since the start: the model is not learning much. */
    static Optional<Finding> underfitting(Measures m) {
        double falling = -m.train().rate();
        if (!slowAndHigh(m) || falling >= Rules.SLOW_RATE) {
            return Optional.empty();
        }
        Finding f = Finding.of(Diagnosis.UNDERFITTING, Why.SLOW_AND_HIGH, m.all().firstKey(),
                Rules.clamp(0.6 + (Rules.SLOW_RATE - falling) / Rules.SLOW_RATE * 0.3));
        double noise = BAND * rateNoise(m);
        if (falling + noise >= Rules.SLOW_RATE && falling - noise < Measures.FLAT_RATE) {
            return Optional.of(f.keepingStill(true)); // as fast as learning and as flat as a plateau, within its noise
        }
        if (falling + noise >= Rules.SLOW_RATE / 1.5) {
            return Optional.of(f.orElse(Diagnosis.LEARNING)); // near the line: noise must not flap it
        }
        if (falling - noise < Measures.FLAT_RATE) { // as flat as slow within its noise: what flat would say stands
            return Optional.of(f.orElse(m.train().now() >= Rules.NO_PROGRESS_SHARE * m.all().firstTrain()
                    ? Diagnosis.PLATEAU : Diagnosis.CONVERGED));
        }
        if (nearConverged(m)) {
            return Optional.of(f.orElse(Diagnosis.CONVERGED));
        }
        // a slow fall of the stretch the whole view does not show beyond its noise: a plateau said stands
        return Optional.of(noisyStretch(m) && !m.train().fallingOverView(m.pointsPerEpoch()) ? f.orElse(Diagnosis.PLATEAU) : f);
    }

    /** What is left: learning. A fall the long stretch or the whole view does not confirm may be noise: it does not end a still state. */
    static Optional<Finding> learning(Measures m) {
        Series t = m.train();
        Finding f = Finding.of(Diagnosis.LEARNING, Why.FALLING, Point.NONE, 0.7);
        if (slowAndHigh(m) && (-t.rate() < 1.5 * Rules.SLOW_RATE || -t.rate() - BAND * rateNoise(m) < Rules.SLOW_RATE)) {
            f = f.orElse(Diagnosis.UNDERFITTING);
        } else if (nearConverged(m)) {
            f = f.orElse(Diagnosis.CONVERGED); // just over the flat line
        }
        double fallOverStretch = -t.fit().slope() * (t.fit().n() - 1);
        // and a fall of the stretch the whole view does not show beyond its noise may be noise too
        return Optional.of(f.keepingStill(Math.abs(t.fit().t()) < Measures.SIGNIFICANT_T
                || noisyStretch(m) && !t.fallingOverView(m.pointsPerEpoch())
                || t.dropTotal() < 1 - Rules.NO_PROGRESS_SHARE && fallOverStretch < 3 * t.fit().scatter()));
    }

    // ---------------------------------------------------------------- shared conditions

    /** How many standard errors of a rate around a threshold are its noise band: a reading inside it is on the line. */
    static final double BAND = 2;

    /**
     * The standard error of the training rate ({@link Series#rate()}, per epoch, relative): of the
     * stretch it was read from, by its residuals or by the long stretch's scatter, whichever is larger.
     * 0 on a smooth curve, so its readings stay as they were.
     */
    static double rateNoise(Measures m) {
        return rateNoise(m.train(), m.pointsPerEpoch());
    }

    /** The standard error of a curve's rate ({@link #rateNoise(Measures)}). */
    static double rateNoise(Series c, double pointsPerEpoch) {
        Fit used = Math.abs(c.shortFit().t()) >= Measures.SIGNIFICANT_T || Math.abs(c.fit().t()) < Measures.SIGNIFICANT_T
                ? c.shortFit() : c.fit();
        double se = used.t() == 0 ? 0 : Math.abs(used.slope() / used.t());
        // a few points' own residuals may be small by chance: the long stretch's robust scatter says what the noise is
        int n = used.n();
        double seOfScatter = n < 3 ? 0 : c.fit().scatter() * Math.sqrt(12.0 / ((double) n * n * n - n));
        return Math.max(se, seOfScatter) * pointsPerEpoch / c.scale();
    }

    /**
     * The noise of a curve's fall since its first point ({@link Series#dropTotal()}, relative to the
     * first): the first point is one draw, the level now a median of three: a scatter of each.
     */
    static double dropNoise(Series c, float first) {
        return Math.sqrt(2) * c.fit().scatter() / Math.abs(first);
    }

    /**
     * A no-progress plateau that may be a slow fall: the stretch's noise hides a fall the whole view shows
     * (or a creep), or after the epochs underfitting needs the rate is flat by its noise only.
     */
    static boolean slowFall(Measures m) {
        Series t = m.train();
        return hiddenFall(m) || creepingOverView(m)
                || m.epochs() >= Rules.UNDERFITTING_EPOCHS && -t.rate() + BAND * rateNoise(m) >= Measures.FLAT_RATE;
    }

    /** A creep ({@link Rules#creeping}) the long stretch's noise hides and the whole view shows beyond it. */
    static boolean creepingOverView(Measures m) {
        Series t = m.train();
        double viewRate = -t.viewFit().slope() * m.pointsPerEpoch() / t.scale();
        return Math.abs(t.fit().t()) < Measures.SIGNIFICANT_T && t.viewFit().t() <= -5 && viewRate >= Rules.CREEP_RATE
                && viewRate < Measures.FLAT_RATE;
    }

    /**
     * The stretch's slope stands out from its noise, but not by far (|t| under twice the bar): what
     * chance does now and then on a noisy curve, and never on a smooth one, whose readings stay as they were.
     */
    static boolean noisyStretch(Measures m) {
        return Math.abs(m.train().fit().t()) < 2 * Measures.SIGNIFICANT_T;
    }

    /** Training flat by its noise only: the long stretch's fall insignificant, the whole view's beyond its noise. */
    static boolean hiddenFall(Measures m) {
        Series t = m.train();
        return Math.abs(t.fit().t()) < Measures.SIGNIFICANT_T && t.fallingOverView(m.pointsPerEpoch());
    }

    /** Just over the flat line (falling less than three times the flat rate), validation not falling. */
    static boolean nearConverged(Measures m) {
        return -m.train().rate() < 3 * Measures.FLAT_RATE && m.points() >= Rules.CONVERGED_POINTS && m.val().trend() != Trend.FALLING;
    }

    /**
     * Slow now, and slow on average since the start: a healthy run that has just slowed down has
     * already come a long way; and it did come down, beyond its noise.
     */
    static boolean slowAndHigh(Measures m) {
        Series t = m.train();
        return -t.rate() >= Measures.FLAT_RATE && highAndSlowSinceStart(m);
    }

    /** {@link #slowAndHigh} but for the rate now. */
    static boolean highAndSlowSinceStart(Measures m) {
        Series t = m.train();
        double epochs = m.epochs();
        float first = m.all().firstTrain();
        return Rules.positive(m) && epochs >= Rules.UNDERFITTING_EPOCHS
                && t.now() >= Rules.HIGH_SHARE * first && t.dropTotal() / epochs < Rules.SLOW_RATE
                && t.dropTotal() >= 3 * t.fit().scatter() / Math.abs(first);
    }
}
