package dev.lossdoctor.core;

/**
 * Running sums of one loss series of a run's window, so that a least-squares {@link Fit} over any
 * stretch of it costs O(1) instead of a pass over the stretch, with exactly the bits the pass gives.
 *
 * <p>Why exact, and how: a float is an integer times a power of two. The window's values are kept
 * as integers in one unit (a power of two no larger than the finest value's lowest bit), and the
 * sums of the values, of index times value and of the squares are kept as prefix sums in wrapping
 * {@code long}s: a stretch's sums are differences of two prefixes, exact in integers whatever the
 * order the points came in or which points left the window. When the stretch's deviations from its
 * first value are small enough in that unit (their squares sum below 2^48), every operation of
 * {@link Fit#of(float[], int, int, Fit.Spread)} (the float difference from the first value, the
 * double products and partial sums) is exact too, so the pass's sums equal these ones and the fit
 * is the same to the last bit. Otherwise (a stretch with a NaN or an infinite value, one spanning
 * magnitudes too far apart, fewer than three points) the caller makes the pass.
 *
 * <p>Derived state: not serialized, rebuilt from the window when first needed after a decode, a
 * copy or a point that landed out of order; appending a point or dropping the oldest is O(1).
 */
final class FitSums {

    private static final int SLOTS = RunState.WINDOW + 1;
    /** A value of more units than this is not kept (so that 64 squared deviations stay below 2^63). */
    private static final long MAX_UNITS = 1L << 27;
    /** Squared deviations below this many units²: the pass's float and double arithmetic is exact. */
    private static final long EXACT_SQUARES = 1L << 48;

    // a ring of slots: slot (head + i) holds the prefixes before window index i and the value at i,
    // side by side (a fit reads two slots: a few cache lines, with thousands of runs interleaved)
    private static final int SUM = 0, SUM_INDEXED = 1, SUM_SQUARES = 2, UNUSABLE = 3, UNITS = 4, STRIDE = 5;
    private long[] slots; // made at the first rebuild: a run whose stretches are all short never needs them
    private int head;
    /** An index that numbers the window's points consistently since the last rebuild (index = base + window index). */
    private long base;
    private int size;
    /** The unit is 2^unitExponent. */
    private int unitExponent;
    private boolean built;

    /** The window changed in a way the sums don't follow (a point landed inside it): rebuilt when next needed. */
    void invalidate() {
        built = false;
    }

    /** A point appended at the end of the window (which now holds {@code size} points). */
    void appended(float v, int windowSize) {
        if (!built) {
            return;
        }
        if (windowSize != size + 1) {
            built = false;
            return;
        }
        long u = toUnits(v, unitExponent);
        if (u == NOT_IN_UNITS && Float.isFinite(v) && v != 0) {
            built = false; // a finer value (or a far larger one): another unit, chosen when next needed
            return;
        }
        push(u);
    }

    /** The oldest point left the window. */
    void droppedFirst() {
        if (!built) {
            return;
        }
        head = head + 1 == SLOTS ? 0 : head + 1;
        base++;
        size--;
    }

    /**
     * The fit of {@code y[from, to)} (the window's series these sums follow, its {@code size}
     * first points), or null when it must be made by a pass.
     */
    Fit fit(float[] y, int windowSize, int from, int to, Fit.Spread spread) {
        int n = to - from;
        if (n < 3) {
            return null;
        }
        if (!built || size != windowSize) {
            rebuild(y, windowSize);
        }
        int a = slot(from), b = slot(to);
        long[] p = slots;
        if (p[a + UNUSABLE] != p[b + UNUSABLE]) {
            return null;
        }
        long o = p[a + UNITS];
        long s1 = p[b + SUM] - p[a + SUM], s2 = p[b + SUM_INDEXED] - p[a + SUM_INDEXED];
        long s3 = p[b + SUM_SQUARES] - p[a + SUM_SQUARES];
        long nl = n;
        // deviations from the stretch's first value, x counted from its start (wrapping arithmetic: exact,
        // since the true values are far inside a long)
        long sw = s1 - nl * o;
        long sxw = s2 - (base + from) * s1 - o * (nl * (nl - 1) / 2);
        long sww = s3 - 2 * o * s1 + nl * o * o;
        if (sww >= EXACT_SQUARES) {
            return null;
        }
        double sx = nl * (nl - 1) / 2;
        double sxx = (nl - 1) * nl * (2 * nl - 1) / 6;
        return Fit.fitted(y, from, to, spread, n, sx, Math.scalb((double) sw, unitExponent), sxx,
                Math.scalb((double) sxw, unitExponent), Math.scalb((double) sww, 2 * unitExponent));
    }

    /** The array index of the slot of window index {@code i}. */
    private int slot(int i) {
        int k = head + i;
        return (k >= SLOTS ? k - SLOTS : k) * STRIDE;
    }

    private void push(long u) {
        long[] p = slots;
        int cur = slot(size), next = slot(size + 1);
        p[cur + UNITS] = u;
        boolean usable = u != NOT_IN_UNITS;
        long v = usable ? u : 0;
        p[next + SUM] = p[cur + SUM] + v;
        p[next + SUM_INDEXED] = p[cur + SUM_INDEXED] + (base + size) * v;
        p[next + SUM_SQUARES] = p[cur + SUM_SQUARES] + v * v;
        p[next + UNUSABLE] = p[cur + UNUSABLE] + (usable ? 0 : 1);
        size++;
    }

    /** From the window: the unit of its finest value, then the prefixes. */
    private void rebuild(float[] y, int windowSize) {
        int exponent = Integer.MAX_VALUE;
        for (int i = 0; i < windowSize; i++) {
            float v = y[i];
            if (Float.isFinite(v) && v != 0) {
                exponent = Math.min(exponent, lowestBit(v));
            }
        }
        unitExponent = exponent == Integer.MAX_VALUE ? 0 : exponent;
        if (slots == null) {
            slots = new long[SLOTS * STRIDE];
        }
        head = 0;
        base = 0;
        size = 0;
        slots[SUM] = slots[SUM_INDEXED] = slots[SUM_SQUARES] = slots[UNUSABLE] = 0;
        for (int i = 0; i < windowSize; i++) {
            push(toUnits(y[i], unitExponent));
        }
        built = true;
    }

    static final long NOT_IN_UNITS = Long.MIN_VALUE;

    /** The exponent of a finite non-zero float's lowest set bit. */
    static int lowestBit(float v) {
        int bits = Float.floatToRawIntBits(v);
        return unitExponent(bits) + Integer.numberOfTrailingZeros((int) significand(bits));
    }

    /** A float's significand as a whole number (the implicit bit included): |v| = significand × 2^unitExponent. */
    private static long significand(int bits) {
        long mantissa = bits & 0x7fffff;
        return ((bits >>> 23) & 0xff) == 0 ? mantissa : mantissa | 0x800000;
    }

    private static int unitExponent(int bits) {
        int field = (bits >>> 23) & 0xff;
        return field == 0 ? -149 : field - 150;
    }

    /** {@code v} as an integer number of 2^exponent, or {@link #NOT_IN_UNITS} (NaN, infinite, not a multiple, too large). */
    static long toUnits(float v, int exponent) {
        if (v == 0) {
            return 0; // -0.0 too: it enters the pass as a difference of 0
        }
        if (!Float.isFinite(v)) {
            return NOT_IN_UNITS;
        }
        int bits = Float.floatToRawIntBits(v);
        long mantissa = significand(bits);
        int shift = unitExponent(bits) - exponent;
        long u;
        if (shift >= 0) {
            if (shift > 27) {
                return NOT_IN_UNITS;
            }
            u = mantissa << shift;
        } else {
            if (shift < -24 || Long.numberOfTrailingZeros(mantissa) < -shift) {
                return NOT_IN_UNITS;
            }
            u = mantissa >> -shift;
        }
        if (u > MAX_UNITS) {
            return NOT_IN_UNITS;
        }
        return bits < 0 ? -u : u;
    }
}
