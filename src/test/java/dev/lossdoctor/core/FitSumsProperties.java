package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The fits made in O(1) from the running sums are the fits a pass over the stretch makes, bit for
 * bit, on any window: points out of order, duplicates, NaN and infinite losses, zeros and -0.0,
 * tiny and huge magnitudes, windows that overflowed, states copied and decoded from their bytes.
 * And the sums do take over for ordinary curves (else this would test nothing): nine in ten at least of the
 * stretches the analysis fits, on noisy decays.
 */
class FitSumsProperties {

    /** Of the ordinary curves' stretches of up to 20 points (those the analysis fits): made from the sums, by a pass. */
    private static long fast, passes;

    /** A value of a curve: mostly a noisy level, sometimes a wild one. */
    private static Arbitrary<Float> value() {
        Arbitrary<Float> level = Combinators.combine(Arbitraries.of(1e-30f, 1e-6f, 0.01f, 0.3f, 2.3f, 100f, 3e5f),
                Arbitraries.doubles().between(-0.5, 0.5)).as((l, noise) -> (float) (l * (1 + noise)));
        Arbitrary<Float> wild = Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
                Float.MIN_VALUE, Float.MAX_VALUE, -1f, 1f, 0.5f, 1e-40f, 7e30f);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(20, level), net.jqwik.api.Tuple.of(1, wild),
                net.jqwik.api.Tuple.of(1, Arbitraries.floats()));
    }

    /** Points with keys 0..n-1 (each maybe twice), both losses, in a shuffled or a sorted order. */
    @Provide
    Arbitrary<List<Point>> points() {
        Arbitrary<Point> point = Combinators.combine(Arbitraries.longs().between(0, 150), value(), value(),
                Arbitraries.integers().between(0, 9)).as((epoch, t, v, kind) -> new Point(epoch, Point.NONE, t,
                kind == 0 ? Float.NaN : v, Float.NaN, kind == 0 ? Point.HAS_TRAIN : Point.HAS_TRAIN | Point.HAS_VAL));
        return point.list().ofMinSize(1).ofMaxSize(200).map(FitSumsProperties::mostlyInOrder);
    }

    /** Sorted by epoch most of the time (the stream's case, where the sums follow point by point), with a few late points. */
    private static List<Point> mostlyInOrder(List<Point> ps) {
        List<Point> out = new ArrayList<>(ps);
        Random r = new Random(ps.size());
        if (r.nextInt(3) > 0) {
            out.sort((a, b) -> Long.compare(a.epoch(), b.epoch()));
            for (int i = 0; i < out.size() / 20; i++) {
                Collections.swap(out, r.nextInt(out.size()), r.nextInt(out.size()));
            }
        }
        return out;
    }

    /** A smooth noisy decay, in order: the ordinary curve the sums are for. */
    @Provide
    Arbitrary<List<Point>> decays() {
        return Combinators.combine(Arbitraries.doubles().between(0.05, 5), Arbitraries.doubles().between(0, 0.05),
                Arbitraries.integers().between(10, 300), Arbitraries.longs()).as((start, noise, n, seed) -> {
            Random r = new Random(seed);
            List<Point> out = new ArrayList<>();
            for (int e = 0; e < n; e++) {
                double level = start * Math.exp(-e / 40.0) + 0.05;
                out.add(new Point(e, e * 10L, (float) (level * (1 + noise * r.nextGaussian())),
                        (float) (level * 1.1 * (1 + noise * r.nextGaussian())), Float.NaN, Point.HAS_TRAIN | Point.HAS_VAL));
            }
            return out;
        });
    }

    @Property(tries = 150, seed = "7301")
    void theSumsGiveThePassesFitOnAnyWindow(@ForAll("points") List<Point> points) {
        checkAfterEveryPoint(points, false);
    }

    @Property(tries = 60, seed = "7302")
    void theSumsGiveThePassesFitOnOrdinaryCurves(@ForAll("decays") List<Point> points) {
        checkAfterEveryPoint(points, true);
    }

    private static void checkAfterEveryPoint(List<Point> points, boolean ordinary) {
        RunState s = new RunState("r");
        for (int k = 0; k < points.size(); k++) {
            s.insert(points.get(k));
            checkEveryStretch(s, "after point " + k, ordinary);
        }
        checkEveryStretch(s.copy(), "of a copy", false);
        checkEveryStretch(RunStateCodec.decode(RunStateCodec.encode(s)), "decoded", false);
    }

    /** Every stretch of the window ending in its last three points, and a few elsewhere. */
    private static void checkEveryStretch(RunState s, String when, boolean count) {
        for (int to = Math.max(0, s.size - 3); to <= s.size; to++) {
            for (int from = 0; from <= to; from++) {
                for (Fit.Spread spread : Fit.Spread.values()) {
                    boolean counted = count && to - from >= 3 && to - from <= 20;
                    check(s, s.trainSums, s.train, from, to, spread, when, counted);
                    check(s, s.valSums, s.val, from, to, spread, when, counted);
                }
            }
        }
    }

    private static void check(RunState s, FitSums sums, float[] y, int from, int to, Fit.Spread spread, String when,
                              boolean counted) {
        Fit pass = Fit.of(y, from, to, spread);
        Fit quick = sums.fit(y, s.size, from, to, spread);
        if (quick == null) {
            passes += counted ? 1 : 0;
            return;
        }
        fast += counted ? 1 : 0;
        String what = "fit of [" + from + ", " + to + ") " + spread + " " + when;
        assertThat(quick.n()).as(what).isEqualTo(pass.n());
        assertThat(Double.doubleToRawLongBits(quick.slope())).as(what + " slope %s vs %s", quick.slope(), pass.slope())
                .isEqualTo(Double.doubleToRawLongBits(pass.slope()));
        assertThat(Double.doubleToRawLongBits(quick.t())).as(what + " t %s vs %s", quick.t(), pass.t())
                .isEqualTo(Double.doubleToRawLongBits(pass.t()));
        assertThat(Float.floatToRawIntBits(quick.firstFinite())).as(what).isEqualTo(Float.floatToRawIntBits(pass.firstFinite()));
        assertThat(Float.floatToRawIntBits(quick.lastFinite())).as(what).isEqualTo(Float.floatToRawIntBits(pass.lastFinite()));
        assertThat(quick.finiteSpan()).as(what).isEqualTo(pass.finiteSpan());
        assertThat(quick.reversalRate()).as(what).isEqualTo(pass.reversalRate());
        if (spread != Fit.Spread.NONE) {
            assertThat(quick.scatter()).as(what).isEqualTo(pass.scatter());
            assertThat(quick.noise()).as(what).isEqualTo(pass.noise());
        }
    }

    /** The branch-free count of reversals counts what comparing each change with the last non-zero one counts. */
    @Property(tries = 2000, seed = "7303")
    void theReversalsAreCountedAsByComparingChanges(@ForAll("values") List<Float> values) {
        float[] y = new float[values.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = values.get(i);
        }
        assertThat(Fit.reversalRate(y, 0, y.length)).isEqualTo(referenceReversalRate(y));
        float[] finite = new float[y.length];
        int n = 0;
        for (float v : y) {
            if (!Float.isNaN(v)) {
                finite[n++] = v;
            }
        }
        Fit noise = Fit.of(finite, 0, n, Fit.Spread.NOISE);
        assertThat(noise.reversalRate()).isEqualTo(referenceReversalRate(java.util.Arrays.copyOf(finite, n)));
    }

    @Provide
    Arbitrary<List<Float>> values() {
        return value().list().ofMaxSize(40);
    }

    private static double referenceReversalRate(float[] y) {
        float prev = Float.NaN, prevDelta = 0;
        int changes = 0, n = 0;
        for (float v : y) {
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

    @AfterContainer
    static void theSumsTookOverForMostStretches() {
        // ordinary curves' stretches are nearly all made from the sums; the wild ones fall back to a pass
        assertThat(fast).as("fits made from the sums (%d by a pass)", passes).isGreaterThan(9 * passes);
    }
}
