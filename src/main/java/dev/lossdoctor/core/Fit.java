package dev.lossdoctor.core;

import java.util.Arrays;

/**
 * Least-squares line through a stretch of a series, with what it takes to judge it: the slope per
 * point, its t statistic (slope over its standard error: how sure the direction is, given the
 * scatter around the line), the direction reversals, and, when asked for, a robust noise level.
 * All decisions are ratios of these, so scaling a series changes none. NaN entries (missing values)
 * are skipped. An immutable value: it keeps no reference to the series it was fitted on.
 *
 * @param n            finite (non-NaN) points fitted; a slope needs at least 3
 * @param slope        per point
 * @param t            slope / standard error; +-Infinity for a perfect line
 * @param signChanges  direction reversals between consecutive changes
 * @param scatter      robust deviation around the local trend ({@link Spread#SCATTER}), else NaN
 * @param noise        median absolute point-to-point change ({@link Spread#NOISE}), else NaN
 * @param firstFinite  the first finite value of the stretch (NaN when none)
 * @param lastFinite   the last finite value
 * @param finiteSpan   points from the first finite value to the last (0 when fewer than two)
 */
record Fit(int n, double slope, double t, int signChanges, double scatter, double noise,
           float firstFinite, float lastFinite, int finiteSpan) {

    /** No stretch fitted: fewer than three points, no trend. */
    static final Fit NONE = new Fit(0, 0, 0, 0, Double.NaN, Double.NaN, Float.NaN, Float.NaN, 0);

    /** Which robust spread to measure along with the line (each costs a sort). */
    enum Spread { NONE, SCATTER, NOISE }

    /** Fits {@code y[from, to)}; {@code scratch} holds at least {@code to - from} values for the medians. */
    static Fit of(float[] y, int from, int to, Spread spread, float[] scratch) {
        // one pass over values shifted by the first one (no cancellation on a loss that barely
        // moves around a large level); the residual sum of squares follows from the sums
        float origin = Float.NaN;
        double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
        int n = 0;
        float prev = Float.NaN;
        float prevDelta = 0;
        int changes = 0;
        int firstFinite = -1, lastFinite = -1;
        for (int i = from; i < to; i++) {
            float v = y[i];
            if (Float.isNaN(v)) {
                continue;
            }
            if (Float.isFinite(v)) {
                firstFinite = firstFinite < 0 ? i : firstFinite;
                lastFinite = i;
            }
            if (n == 0) {
                origin = v;
            }
            double x = i - from;
            double w = v - origin;
            sx += x;
            sy += w;
            sxx += x * x;
            sxy += x * w;
            syy += w * w;
            n++;
            if (n > 1) {
                float d = v - prev;
                if (d != 0) {
                    if (prevDelta != 0 && (d > 0) != (prevDelta > 0)) {
                        changes++;
                    }
                    prevDelta = d;
                }
            }
            prev = v;
        }
        float first = firstFinite < 0 ? Float.NaN : y[firstFinite];
        float last = lastFinite < 0 ? Float.NaN : y[lastFinite];
        int span = firstFinite < 0 ? 0 : lastFinite - firstFinite;
        double scatter = spread == Spread.SCATTER ? scatter(y, from, to, scratch) : Double.NaN;
        double noise = spread == Spread.NOISE ? noise(y, from, to, scratch) : Double.NaN;
        if (n < 3) {
            return new Fit(n, 0, 0, changes, scatter, noise, first, last, span);
        }
        double mx = sx / n, my = sy / n;
        double vxx = sxx - n * mx * mx;
        double cxy = sxy - n * mx * my;
        double cyy = syy - n * my * my;
        double slope = cxy / vxx;
        double rss = Math.max(0, cyy - slope * cxy);
        double se = Math.sqrt(rss / (n - 2) / vxx);
        double t = se > 0 ? slope / se : (slope == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, slope));
        return new Fit(n, slope, t, changes, scatter, noise, first, last, span);
    }

    /** Whether a slope was fitted (three points at least). */
    boolean hasSlope() {
        return n >= 3;
    }

    /** Reversals per opportunity: about 2/3 for pure noise, near 0 for a smooth curve. */
    double reversalRate() {
        return n < 4 ? 0 : signChanges / (double) (n - 2);
    }

    /** Whether the median jump ({@link #noise}) is at least {@code y}. */
    boolean noiseAtLeast(double y) {
        return noise >= y;
    }

    /** Direction reversals among the changes of {@code y[from, to)}, and the opportunities for one: no line fitted. */
    static double reversalRate(float[] y, int from, int to) {
        float prev = Float.NaN, prevDelta = 0;
        int changes = 0, n = 0;
        for (int i = from; i < to; i++) {
            float v = y[i];
            if (Float.isNaN(v)) {
                continue;
            }
            if (n++ > 0) {
                float d = v - prev;
                if (d != 0) {
                    if (prevDelta != 0 && (d > 0) != (prevDelta > 0)) {
                        changes++;
                    }
                    prevDelta = d;
                }
            }
            prev = v;
        }
        return n < 4 ? 0 : changes / (double) (n - 2);
    }

    /** Median absolute point-to-point change: how far the curve jumps. */
    static double noise(float[] y, int from, int to, float[] scratch) {
        int k = 0;
        float prev = Float.NaN;
        for (int i = from; i < to; i++) {
            float v = y[i];
            if (Float.isNaN(v)) {
                continue;
            }
            if (!Float.isNaN(prev)) {
                scratch[k++] = Math.abs(v - prev);
            }
            prev = v;
        }
        return median(scratch, k);
    }

    /**
     * Robust standard deviation around the local trend. Second differences cancel a locally
     * straight trend; for white noise of deviation s, median |y[i-1] - 2 y[i] + y[i+1]| = 0.6745 sqrt(6) s.
     */
    static double scatter(float[] y, int from, int to, float[] scratch) {
        int k = 0;
        float a = Float.NaN, b = Float.NaN;
        for (int i = from; i < to; i++) {
            float v = y[i];
            if (Float.isNaN(v)) {
                continue;
            }
            if (!Float.isNaN(a)) {
                scratch[k++] = Math.abs(a - 2 * b + v);
            }
            a = b;
            b = v;
        }
        return median(scratch, k) / 1.652;
    }

    static double median(float[] v, int n) {
        if (n == 0) {
            return 0;
        }
        Arrays.sort(v, 0, n);
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }
}
