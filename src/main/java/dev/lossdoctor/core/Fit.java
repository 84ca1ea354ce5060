package dev.lossdoctor.core;

import java.util.Arrays;

/**
 * Least-squares line through the last points of a series, with what it takes to judge it: the
 * slope per point, its t statistic (slope over its standard error: how sure the direction is,
 * given the scatter around the line), and a robust noise level (median absolute point-to-point
 * change). All dimensionless decisions are ratios of these, so scaling a series changes none.
 */
final class Fit {

    double slope;     // per point
    double t;         // slope / standard error; +-Infinity for a perfect line
    double level;     // fitted value at the last point
    double noise;     // median |y[i] - y[i-1]|
    double scatter;   // robust standard deviation around the local trend (from second differences)
    int signChanges;  // direction reversals between consecutive changes
    int n;

    /** Fits {@code y[from, to)}; NaN entries are skipped. Needs at least 3 finite points for a slope. */
    static Fit of(float[] y, int from, int to, float[] scratch) {
        Fit f = new Fit();
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            float v = y[i];
            if (Float.isNaN(v)) {
                continue;
            }
            double x = i - from;
            sx += x;
            sy += v;
            sxx += x * x;
            sxy += x * v;
            n++;
        }
        f.n = n;
        if (n < 3) {
            f.level = n == 0 ? Double.NaN : lastFinite(y, from, to);
            return f;
        }
        double mx = sx / n, my = sy / n;
        double vxx = sxx - n * mx * mx;
        double slope = (sxy - n * mx * my) / vxx;
        double intercept = my - slope * mx;
        double rss = 0;
        int diffs = 0, changes = 0;
        double prev = Double.NaN, prevDelta = 0;
        int lastX = -1;
        for (int i = from; i < to; i++) {
            float v = y[i];
            if (Float.isNaN(v)) {
                continue;
            }
            double r = v - (intercept + slope * (i - from));
            rss += r * r;
            if (!Double.isNaN(prev)) {
                double d = v - prev;
                scratch[diffs++] = (float) Math.abs(d);
                if (d != 0 && prevDelta != 0 && (d > 0) != (prevDelta > 0)) {
                    changes++;
                }
                if (d != 0) {
                    prevDelta = d;
                }
            }
            prev = v;
            lastX = i - from;
        }
        double se = Math.sqrt(rss / (n - 2) / vxx);
        f.slope = slope;
        f.t = se > 0 ? slope / se : (slope == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, slope));
        f.level = intercept + slope * lastX;
        f.noise = median(scratch, diffs);
        // second differences cancel a locally straight trend: what is left is scatter; for white
        // noise of deviation s, median |y[i-1] - 2 y[i] + y[i+1]| = 0.6745 * sqrt(6) * s
        int seconds = 0;
        float a = Float.NaN, b = Float.NaN;
        for (int i = from; i < to; i++) {
            float v = y[i];
            if (Float.isNaN(v)) {
                continue;
            }
            if (!Float.isNaN(a)) {
                scratch[seconds++] = Math.abs(a - 2 * b + v);
            }
            a = b;
            b = v;
        }
        f.scatter = seconds == 0 ? 0 : median(scratch, seconds) / 1.652;
        f.signChanges = changes;
        return f;
    }

    private static double median(float[] v, int n) {
        if (n == 0) {
            return 0;
        }
        Arrays.sort(v, 0, n);
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }

    private static double lastFinite(float[] y, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (!Float.isNaN(y[i])) {
                return y[i];
            }
        }
        return Double.NaN;
    }

    /** Reversals per opportunity: about 2/3 for pure noise, near 0 for a smooth curve. */
    double reversalRate() {
        return n < 4 ? 0 : signChanges / (double) (n - 2);
    }
}
