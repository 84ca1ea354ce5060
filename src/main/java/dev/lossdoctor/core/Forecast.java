package dev.lossdoctor.core;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Where a still-improving validation loss is heading: the best validation loss the run should reach
 * by {@code atEpoch}, an 80% band around it, and the epoch by which it gets within 1% of that (and
 * by which 90% of the remaining gain is in).
 *
 * <p>The method (DESIGN.md section 4; figures in README, "Forecast"): a curve whose recent half
 * still falls beyond its noise has its recent two thirds fitted with two families, a power law
 * {@code c + a·x^-α} and an exponential {@code c + a·e^(-β x)}, each by plain least squares for every
 * exponent of a small grid (a fit is linear in {@code c} and {@code a} once the exponent is fixed, so
 * it is a handful of running sums), keeping per family the falling fit ({@code a > 0}) with the least
 * squared error. The forecast is the families' mean at the horizon weighted by the inverse of their
 * squared errors, never above the best so far; the band widens with the gain still expected, with the
 * families' disagreement and with the fits' noise. Fitting the recent part rather than the whole
 * curve matters: early epochs follow another regime (warm-up, a fast first drop) and bias a whole-curve
 * fit (measured: its errors exceed the best-so-far baseline's); but a half of a short curve (the
 * external runs cut at 20% hold 5-20 points) is too few points to tell the families apart (measured on
 * bench/forecast_benchmark.py: fitting two thirds rather than a half takes the external runs cut at
 * 20% from 0.64x the best-so-far baseline's median error to 0.43x; README).
 *
 * <p>Every number is a ratio of the curve's own numbers or scales with them: multiplying the losses
 * by k multiplies the forecast and its band by k. Computed from the window at status time (a few
 * hundred exponentials, about 9 µs on a 64-point window, a fifth more than fitting the half; a status is built
 * every 10 points); nothing is persisted.
 *
 * @param atEpoch            the horizon: the config's {@code max_epochs}, else twice the epochs seen
 * @param horizonAssumed     true when the horizon is twice the epochs seen (no usable {@code max_epochs})
 * @param perStep            whether the run counts in steps (then the horizon and epochs are steps)
 */
public record Forecast(long atEpoch, double bestValLoss, double low, double high, long withinOnePctByEpoch,
                       long mostGainByEpoch, boolean horizonAssumed, boolean perStep) {

    /** Fewer finite validation points than this: no forecast. */
    static final int MIN_POINTS = 6;
    /** Fewest points a fit is made on (the recent part of a short curve is at least this). */
    static final int MIN_FIT_POINTS = 4;
    /** The recent slope of the validation loss must be at least this many standard errors below 0. */
    static final double IMPROVING_T = 2;
    /**
     * The 80% band below and above the forecast, as multiples of the spread: the gain still expected
     * or the families' disagreement (the larger), plus {@code NOISE} times the fits' residual noise.
     * Below, it also grows with how far the horizon lies beyond the fitted stretch: a fit of the
     * recent part underestimates the gain to come more often than it overestimates it. Calibrated on
     * bench/forecast_benchmark.py (README) for 70-90% coverage.
     */
    static final double BAND_BELOW = 0.4;
    static final double NOISE = 2;
    static final double BAND_ABOVE = 0.9;

    static final double[] ALPHAS = {0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3};
    static final double[] BETAS = {0.1, 0.2, 0.5, 1, 2, 3, 5, 8};

    /**
     * The same forecast with its losses rounded to 4 significant digits, as it is shown; the band
     * outward, so that the band shown holds what the band computed holds (its top is often exactly the
     * best so far, which rounding to nearest can put below it).
     */
    public Forecast rounded() {
        return new Forecast(atEpoch, Text.round(bestValLoss), outward(low, RoundingMode.FLOOR),
                outward(high, RoundingMode.CEILING), withinOnePctByEpoch, mostGainByEpoch, horizonAssumed, perStep);
    }

    /**
     * {@code v} to 4 significant digits in the direction of {@code mode}, from its shortest decimal form:
     * a band read back from a status (another instance's, the store's) rounds to itself (the double
     * nearest 0.2933 lies above it, and its exact expansion would go up to 0.2934).
     */
    private static double outward(double v, RoundingMode mode) {
        return !Double.isFinite(v) || v == 0 ? v : BigDecimal.valueOf(v).round(new MathContext(4, mode)).doubleValue();
    }

    /** The gain (best so far minus the forecast) as a fraction of the forecast. */
    public double remainingGain(double bestSoFar) {
        return (bestSoFar - bestValLoss) / Math.abs(bestValLoss);
    }

    /**
     * The forecast for the run's window up to index {@code end}, or null when there is none: too few
     * finite validation points, a non-finite loss anywhere in the run, a validation loss that is not
     * still improving (flat, rising, or its best long ago), or no falling fit.
     */
    static Forecast of(RunState s, int end, Landmarks marks, RunConfig config) {
        if (marks.nonFinite() || !marks.hasBestVal()) {
            return null;
        }
        double[] x = new double[end + 1];
        double[] y = new double[end + 1];
        int n = 0;
        for (int i = 0; i <= end; i++) {
            float v = s.val[i];
            if ((s.flags[i] & Point.HAS_VAL) != 0 && Float.isFinite(v)) {
                x[n] = Landmarks.key(s.epochs[i], s.steps[i]);
                y[n] = v;
                n++;
            }
        }
        boolean perStep = s.epochs[end] == Point.NONE;
        long now = Landmarks.key(s.epochs[end], s.steps[end]);
        Integer max = config == null ? null : config.maxEpochs();
        boolean assumed = perStep || max == null || max <= now;
        long horizon = assumed ? Math.max(2 * now, now + 1) : max;
        // the points that left the window count toward the half, so a long run fits its last window
        long total = n + (s.evictedCount > 0 ? s.evictedCount : 0);
        return of(x, y, n, total, marks.bestVal(), now, horizon, assumed, perStep);
    }

    /**
     * The forecast for the {@code n} finite points {@code (x, y)} (sorted by x), of a curve of
     * {@code total} points whose best so far is {@code best}, at x = {@code now}, for the horizon
     * {@code horizon}.
     */
    static Forecast of(double[] x, double[] y, int n, long total, double best, long now, long horizon, boolean assumed,
                       boolean perStep) {
        if (n < MIN_POINTS || !(best == best)) {
            return null;
        }
        int bestAt = 0;
        for (int i = 1; i < n; i++) {
            if (y[i] <= y[bestAt]) {
                bestAt = i;
            }
        }
        if (y[bestAt] > best || bestAt < n - Math.max(2, n / 4)) {
            return null; // its best is behind it: not improving any more
        }
        int half = (int) Math.min(n, Math.max(MIN_FIT_POINTS, (total + 1) / 2));
        if (slopeT(x, y, n - half, n) > -IMPROVING_T) {
            return null; // the recent half is flat, or falls no more than its noise
        }
        // the fit takes the recent two thirds: a half of a short curve is too few points to tell the families apart
        int from = n - (int) Math.min(n, Math.max(MIN_FIT_POINTS, (2 * total + 2) / 3));
        double off = x[0] < 1 ? 1 - x[0] : 0; // the power law needs x >= 1
        double span = x[n - 1] - x[from];
        if (!(span > 0)) {
            return null;
        }
        Family pow = Family.fit(x, y, from, n, off, span, true);
        Family exp = Family.fit(x, y, from, n, off, span, false);
        if (pow == null && exp == null) {
            return null;
        }
        double h = horizon;
        double mean = ensemble(pow, exp, h);
        if (!Double.isFinite(mean)) {
            return null;
        }
        // never above the best so far; and a loss that has stayed positive (cross-entropy, squared error) stays so
        double p = best > 0 ? Math.max(0, Math.min(mean, best)) : Math.min(mean, best);
        double gain = best - p;
        double disagreement = pow != null && exp != null ? Math.abs(pow.at(h) - exp.at(h)) / 2 : gain;
        // the noise about the fitted curve: the best of noisy points lands that far off a smooth curve
        double sigma = pow == null ? exp.sigma() : exp == null ? pow.sigma() : (pow.sigma() + exp.sigma()) / 2;
        double spread = Math.max(gain, disagreement) + NOISE * sigma;
        // the further the horizon lies beyond the fitted stretch, the more a fit can miss below
        double reach = Math.sqrt(Math.max(1, (horizon - now) / span));
        double low = p - BAND_BELOW * reach * spread;
        if (best > 0) {
            low = Math.max(0, low);
        }
        double high = Math.min(best, p + BAND_ABOVE * spread);
        long within = firstAt(pow, exp, best, p + 0.01 * Math.abs(p), now, horizon);
        long most = firstAt(pow, exp, best, p + 0.1 * gain, now, horizon);
        return new Forecast(horizon, p, low, high, within, most, assumed, perStep);
    }

    /**
     * The families' mean at x, each weighted by the inverse of its squared error: the family that
     * follows the recent curve more closely counts more (measured: on the corpus the ratio to the
     * best-so-far baseline's error falls from 0.48 to 0.41 at the 20% cut and from 0.31 to 0.26 at 50%;
     * on dev and external it moves by at most 0.09 either way).
     */
    private static double ensemble(Family pow, Family exp, double x) {
        if (pow == null) {
            return exp.at(x);
        }
        if (exp == null) {
            return pow.at(x);
        }
        double sum = pow.sse() + exp.sse();
        double wPow = sum > 0 ? exp.sse() / sum : 0.5;
        return wPow * pow.at(x) + (1 - wPow) * exp.at(x);
    }

    /**
     * The first x in [now, horizon] where the projected best (the ensemble, never above the best so
     * far) is at or below {@code target}: the projection falls monotonically, so a bisection finds it.
     */
    private static long firstAt(Family pow, Family exp, double best, double target, long now, long horizon) {
        if (Math.min(best, ensemble(pow, exp, now)) <= target) {
            return now;
        }
        long lo = now, hi = horizon; // projected(lo) > target >= projected(hi)
        while (hi - lo > 1) {
            long mid = lo + (hi - lo) / 2;
            if (Math.min(best, ensemble(pow, exp, mid)) <= target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** The t statistic of the least-squares slope of y over x for the points [from, to). */
    static double slopeT(double[] x, double[] y, int from, int to) {
        int n = to - from;
        if (n < 3) {
            return 0;
        }
        double mx = 0, my = 0;
        for (int i = from; i < to; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxx = 0, sxy = 0;
        for (int i = from; i < to; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        if (!(sxx > 0)) {
            return 0;
        }
        double b = sxy / sxx, sse = 0;
        for (int i = from; i < to; i++) {
            double r = y[i] - my - b * (x[i] - mx);
            sse += r * r;
        }
        double se = Math.sqrt(sse / (n - 2) / sxx);
        if (se == 0) {
            return b < 0 ? Double.NEGATIVE_INFINITY : b > 0 ? Double.POSITIVE_INFINITY : 0;
        }
        return b / se;
    }

    /**
     * The best falling fit of one family: {@code c + a·u(x)} with {@code u = (x + off)^-g} (power) or
     * {@code e^(-g (x - x0) / span)} (exponential, the exponent in units of the fitted span).
     */
    private record Family(boolean power, double c, double a, double g, double off, double x0, double span, double sse,
                          double sigma) {

        double at(double x) {
            return c + a * u(power, g, x, off, x0, span);
        }

        static double u(boolean power, double g, double x, double off, double x0, double span) {
            return power ? Math.pow(x + off, -g) : Math.exp(-g * (x - x0) / span);
        }

        static Family fit(double[] x, double[] y, int from, int to, double off, double span, boolean power) {
            Family best = null;
            double bestSse = Double.POSITIVE_INFINITY;
            double x0 = x[from];
            double[] lnx = new double[power ? to - from : 0];
            for (int i = 0; i < lnx.length; i++) {
                lnx[i] = Math.log(x[from + i] + off);
            }
            for (double g : power ? ALPHAS : BETAS) {
                double n = 0, su = 0, sy = 0, suu = 0, suy = 0, syy = 0;
                for (int i = from; i < to; i++) {
                    // x^-g as e^(-g ln x), ln x taken once for the grid: a pow per point and exponent costs 3x
                    double u = power ? Math.exp(-g * lnx[i - from]) : Math.exp(-g * (x[i] - x0) / span);
                    n++;
                    su += u;
                    sy += y[i];
                    suu += u * u;
                    suy += u * y[i];
                    syy += y[i] * y[i];
                }
                double d = n * suu - su * su;
                if (!(d > 1e-12 * n * suu)) {
                    continue; // u does not vary over the points: no slope to fit
                }
                double a = (n * suy - su * sy) / d;
                double c = (sy - a * su) / n;
                double sse = Math.max(0, syy - c * sy - a * suy);
                if (a > 0 && sse < bestSse) {
                    bestSse = sse;
                    best = new Family(power, c, a, g, off, x0, span, sse, Math.sqrt(sse / Math.max(1, n - 2)));
                }
            }
            return best;
        }
    }
}
