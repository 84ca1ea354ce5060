package dev.lossdoctor.core;

import java.util.Arrays;

/**
 * Least-squares line through a stretch of a series, with what it takes to judge it: the slope per
 * point, its t statistic (slope over its standard error: how sure the direction is, given the
 * scatter around the line), the direction reversals, and two robust spreads. All decisions are
 * ratios of these, so scaling a series changes none. NaN entries (missing values) are skipped.
 *
 * <p>An immutable value: it keeps a copy of the stretch's values, not the series it was fitted on.
 * The spreads (a sort each) are computed when first asked for, and kept; so is the whole fit, for
 * one made by {@link #later}.
 */
final class Fit {

    // (final but for a fit made later: set once, when first read)
    private int n;
    private double slope;
    private double t;
    private int signChanges;
    private float firstFinite, lastFinite;
    private int finiteSpan;
    /** The stretch's non-NaN values in order, for the spreads (null when none were asked for). */
    private float[] values;
    private double scatter = Double.NaN, noise = Double.NaN;
    /** What a fit made later fits, until it is made; null once made. */
    private Later later;

    private record Later(FitSums sums, float[] y, int size, int from, int to, Spread spread) {
    }

    private Fit(int n, double slope, double t, int signChanges, float firstFinite, float lastFinite, int finiteSpan,
                float[] values) {
        this.n = n;
        this.slope = slope;
        this.t = t;
        this.signChanges = signChanges;
        this.firstFinite = firstFinite;
        this.lastFinite = lastFinite;
        this.finiteSpan = finiteSpan;
        this.values = values;
    }

    /**
     * The fit {@link #of(FitSums, float[], int, int, int, Spread)} gives, made when first read: most
     * readings are decided by a rule that never looks at it (the view's late half, the oscillation
     * stretch, validation since its best). It reads the window then, so it holds only while the
     * window is unchanged: a reading's measures are judged and put into words before the next point.
     */
    static Fit later(FitSums sums, float[] y, int size, int from, int to, Spread spread) {
        Fit f = new Fit(0, 0, 0, 0, Float.NaN, Float.NaN, 0, null);
        f.later = new Later(sums, y, size, from, to, spread);
        return f;
    }

    /** Makes a fit made later, once. */
    private Fit made() {
        Later l = later;
        if (l != null) {
            Fit f = of(l.sums, l.y, l.size, l.from, l.to, l.spread);
            n = f.n;
            slope = f.slope;
            t = f.t;
            signChanges = f.signChanges;
            firstFinite = f.firstFinite;
            lastFinite = f.lastFinite;
            finiteSpan = f.finiteSpan;
            values = f.values;
            later = null;
        }
        return this;
    }

    /** Finite (non-NaN) points fitted; a slope needs at least 3. */
    int n() {
        return made().n;
    }

    /** Per point. */
    double slope() {
        return made().slope;
    }

    /** Slope / standard error; +-Infinity for a perfect line. */
    double t() {
        return made().t;
    }

    /** The first finite value of the stretch (NaN when none). */
    float firstFinite() {
        return made().firstFinite;
    }

    float lastFinite() {
        return made().lastFinite;
    }

    /** Points from the first finite value to the last (0 when fewer than two). */
    int finiteSpan() {
        return made().finiteSpan;
    }

    /** No stretch fitted: fewer than three points, no trend. */
    static final Fit NONE = new Fit(0, 0, 0, 0, Float.NaN, Float.NaN, 0, new float[0]);

    /**
     * Whether the spreads will be asked for (then the fit keeps a copy of the values): the scatter
     * of a trend's stretch, or the noise and the reversals of the jumps' stretch.
     */
    enum Spread { NONE, SCATTER, NOISE }

    /** Fits {@code y[from, to)}. */
    static Fit of(float[] y, int from, int to, Spread spread) {
        float[] values = spread == Spread.NONE ? null : new float[to - from];
        // one pass over values shifted by the first one (no cancellation on a loss that barely
        // moves around a large level); the residual sum of squares follows from the sums
        float origin = Float.NaN;
        double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
        int n = 0;
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
            if (values != null) {
                values[n] = v;
            }
            double x = i - from;
            double w = v - origin;
            sx += x;
            sy += w;
            sxx += x * x;
            sxy += x * w;
            syy += w * w;
            n++;
        }
        if (spread == Spread.NOISE) { // the jumps' stretch: its reversals too
            changes = reversals(values, n);
        }
        float first = firstFinite < 0 ? Float.NaN : y[firstFinite];
        float last = lastFinite < 0 ? Float.NaN : y[lastFinite];
        int span = firstFinite < 0 ? 0 : lastFinite - firstFinite;
        if (values != null && n < values.length) {
            values = java.util.Arrays.copyOf(values, n);
        }
        return fromSums(n, sx, sy, sxx, sxy, syy, changes, first, last, span, values);
    }

    /**
     * The fit of a stretch without NaN or infinite values whose sums {@link FitSums} kept: the
     * same value {@link #of(float[], int, int, Spread)} gives (the sums are the pass's, bit for bit).
     */
    static Fit fitted(float[] y, int from, int to, Spread spread, int n, double sx, double sy, double sxx, double sxy,
                      double syy) {
        float[] values = spread == Spread.NONE ? null : Arrays.copyOfRange(y, from, to);
        int changes = spread == Spread.NOISE ? reversals(y, from, to) : 0;
        return fromSums(n, sx, sy, sxx, sxy, syy, changes, y[from], y[to - 1], n - 1, values);
    }

    private static Fit fromSums(int n, double sx, double sy, double sxx, double sxy, double syy, int changes,
                                float first, float last, int span, float[] values) {
        if (n < 3) {
            return new Fit(n, 0, 0, changes, first, last, span, values);
        }
        double mx = sx / n, my = sy / n;
        double vxx = sxx - n * mx * mx;
        double cxy = sxy - n * mx * my;
        double cyy = syy - n * my * my;
        double slope = cxy / vxx;
        double rss = Math.max(0, cyy - slope * cxy);
        double se = Math.sqrt(rss / (n - 2) / vxx);
        double t = se > 0 ? slope / se : (slope == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, slope));
        return new Fit(n, slope, t, changes, first, last, span, values);
    }

    /**
     * Stretches shorter than this are fitted by a pass: over a few points the pass is cheaper than
     * the sums (it reads a few cache lines of floats; the sums' slots are more, with thousands of
     * runs interleaved, and a state read from its bytes would rebuild them first). The long
     * stretches of runs reporting several points an epoch (up to the whole view) are where they pay.
     */
    static final int SUMS_FROM_POINTS = 24;

    /** Fits {@code y[from, to)} of a window whose running sums are {@code sums}: in O(1) when they can, else by a pass. */
    static Fit of(FitSums sums, float[] y, int size, int from, int to, Spread spread) {
        Fit f = to - from < SUMS_FROM_POINTS ? null : sums.fit(y, size, from, to, spread);
        return f != null ? f : of(y, from, to, spread);
    }

    /** Robust deviation around the local trend (see {@link #scatter(float[], int, int, float[])}). */
    double scatter() {
        if (Double.isNaN(scatter)) {
            scatter = scatter(made().values, 0, values.length, new float[values.length]);
        }
        return scatter;
    }

    /** Median absolute point-to-point change: how far the curve jumps. */
    double noise() {
        if (Double.isNaN(noise)) {
            noise = noise(made().values, 0, values.length, new float[values.length]);
        }
        return noise;
    }

    /** Whether a slope was fitted (three points at least). */
    boolean hasSlope() {
        return made().n >= 3;
    }

    /** Direction reversals between consecutive changes of {@code v[0, n)}. */
    private static int reversals(float[] v, int n) {
        return reversals(v, 0, n);
    }

    /**
     * Direction reversals between consecutive changes of {@code v[from, to)} (no NaN in it). Without
     * branches: on a noisy curve the direction is a coin toss that a branch predictor would miss
     * half the time. The same count as comparing each change with the last non-zero one (a NaN
     * change, from two infinities, counts as a fall, as {@code d > 0} is false for it).
     */
    private static int reversals(float[] v, int from, int to) {
        int changes = 0, prevUp = 0, seen = 0;
        for (int i = from + 1; i < to; i++) {
            float d = v[i] - v[i - 1];
            int moved = d != 0 ? 1 : 0;
            int up = d > 0 ? 1 : 0;
            changes += moved & seen & (up ^ prevUp);
            prevUp ^= moved & (up ^ prevUp);
            seen |= moved;
        }
        return changes;
    }

    /** Reversals per opportunity: about 2/3 for pure noise, near 0 for a smooth curve (counted for {@link Spread#NOISE} fits). */
    double reversalRate() {
        return made().n < 4 ? 0 : signChanges / (double) (n - 2);
    }

    /**
     * Whether {@link #noise()} is at least {@code y}, mostly by counting (no sort): fewer than half
     * the jumps that large means no; more than half means yes; a tie is settled by the median.
     */
    boolean noiseAtLeast(double y) {
        made();
        int k = 0, atLeast = 0;
        for (int i = 1; i < values.length; i++) {
            k++;
            if (Math.abs(values[i] - values[i - 1]) >= y) {
                atLeast++;
            }
        }
        if (2 * atLeast < k) {
            return false;
        }
        return 2 * atLeast > k + 1 || noise() >= y;
    }

    /** Direction reversals among the changes of {@code y[from, to)}, and the opportunities for one: no line fitted. */
    static double reversalRate(float[] y, int from, int to) {
        float prev = Float.NaN;
        int changes = 0, n = 0, prevUp = 0, seen = 0;
        for (int i = from; i < to; i++) {
            float v = y[i];
            if (Float.isNaN(v)) {
                continue;
            }
            if (n++ > 0) { // (branch-free as in reversals(float[], int, int))
                float d = v - prev;
                int moved = d != 0 ? 1 : 0;
                int up = d > 0 ? 1 : 0;
                changes += moved & seen & (up ^ prevUp);
                prevUp ^= moved & (up ^ prevUp);
                seen |= moved;
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

    /** The median of {@code v[0, n)}, whose order it changes: the middle of the sorted values (the mean of the middle two). */
    static double median(float[] v, int n) {
        if (n == 0) {
            return 0;
        }
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(v[i]) || Float.floatToRawIntBits(v[i]) == NEGATIVE_ZERO) { // (sorted by Float.compare)
                Arrays.sort(v, 0, n);
                return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
            }
        }
        int k = n / 2;
        float upper = select(v, n, k);
        if (n % 2 == 1) {
            return upper;
        }
        float lower = v[0]; // the values before k are the k smallest: the largest of them
        for (int i = 1; i < k; i++) {
            lower = Math.max(lower, v[i]);
        }
        return (lower + upper) / 2.0;
    }

    private static final int NEGATIVE_ZERO = 0x80000000;

    /**
     * The k-th smallest of {@code v[0, n)} (no NaN, no -0.0 in it), moved to {@code v[k]} with the
     * smaller ones before it and the larger after (Wirth's selection): what a sort puts there, in
     * a few passes over a window's values rather than a sort.
     */
    private static float select(float[] v, int n, int k) {
        int lo = 0, hi = n - 1;
        while (lo < hi) {
            float x = v[k];
            int i = lo, j = hi;
            do {
                while (v[i] < x) {
                    i++;
                }
                while (x < v[j]) {
                    j--;
                }
                if (i <= j) {
                    float t = v[i];
                    v[i] = v[j];
                    v[j] = t;
                    i++;
                    j--;
                }
            } while (i <= j);
            if (j < k) {
                lo = i;
            }
            if (k < i) {
                hi = j;
            }
        }
        return v[k];
    }
}
