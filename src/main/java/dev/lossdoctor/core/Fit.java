package dev.lossdoctor.core;

import java.util.Arrays;

/**
 * Least-squares line through the last points of a series, with what it takes to judge it: the
 * slope per point, its t statistic (slope over its standard error: how sure the direction is,
 * given the scatter around the line), and on demand two robust noise levels. All decisions are
 * ratios of these, so scaling a series changes none. NaN entries (missing values) are skipped.
 */
final class Fit {

    double slope;     // per point
    double t;         // slope / standard error; +-Infinity for a perfect line
    double level;     // fitted value at the last point
    int signChanges;  // direction reversals between consecutive changes
    int n;

    private float[] y;
    private int from, to;
    private float[] scratch;
    private double noise = Double.NaN, scatter = Double.NaN;

    /** Fits {@code y[from, to)}. Needs at least 3 finite points for a slope. */
    static Fit of(float[] y, int from, int to, float[] scratch) {
        Fit f = new Fit();
        f.y = y;
        f.from = from;
        f.to = to;
        f.scratch = scratch;
        // one pass over values shifted by the first one (no cancellation on a loss that barely
        // moves around a large level); the residual sum of squares follows from the sums
        float origin = Float.NaN;
        double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
        int n = 0;
        float prev = Float.NaN;
        float prevDelta = 0;
        int changes = 0, lastX = -1;
        for (int i = from; i < to; i++) {
            float v = y[i];
            if (Float.isNaN(v)) {
                continue;
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
            lastX = i - from;
        }
        f.n = n;
        f.signChanges = changes;
        if (n < 3) {
            f.level = Float.isNaN(prev) ? Double.NaN : prev;
            return f;
        }
        double mx = sx / n, my = sy / n;
        double vxx = sxx - n * mx * mx;
        double cxy = sxy - n * mx * my;
        double cyy = syy - n * my * my;
        double slope = cxy / vxx;
        double rss = Math.max(0, cyy - slope * cxy);
        double se = Math.sqrt(rss / (n - 2) / vxx);
        f.slope = slope;
        f.t = se > 0 ? slope / se : (slope == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, slope));
        f.level = origin + my + slope * (lastX - mx);
        return f;
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

    /** Reversals per opportunity: about 2/3 for pure noise, near 0 for a smooth curve. */
    double reversalRate() {
        return n < 4 ? 0 : signChanges / (double) (n - 2);
    }

    /** Median absolute point-to-point change: how far the curve jumps. */
    double noise() {
        if (Double.isNaN(noise)) {
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
            noise = median(scratch, k);
        }
        return noise;
    }

    /**
     * Whether {@link #noise()} is at least {@code y}, mostly by counting (no sort): fewer than half
     * the jumps that large means no; more than half means yes; a tie is settled by the median.
     */
    boolean noiseAtLeast(double y) {
        int k = 0, atLeast = 0;
        float prev = Float.NaN;
        for (int i = from; i < to; i++) {
            float v = this.y[i];
            if (Float.isNaN(v)) {
                continue;
            }
            if (!Float.isNaN(prev)) {
                k++;
                if (Math.abs(v - prev) >= y) {
                    atLeast++;
                }
            }
            prev = v;
        }
        if (2 * atLeast < k) {
            return false;
        }
        return 2 * atLeast > k + 1 || noise() >= y;
    }

    /**
     * Robust standard deviation around the local trend. Second differences cancel a locally
     * straight trend; for white noise of deviation s, median |y[i-1] - 2 y[i] + y[i+1]| = 0.6745 sqrt(6) s.
     */
    double scatter() {
        if (Double.isNaN(scatter)) {
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
            scatter = median(scratch, k) / 1.652;
        }
        return scatter;
    }

    private static double median(float[] v, int n) {
        if (n == 0) {
            return 0;
        }
        Arrays.sort(v, 0, n);
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }
}
