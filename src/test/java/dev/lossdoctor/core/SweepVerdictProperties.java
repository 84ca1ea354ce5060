package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Sibling verdicts do not depend on arrival order once every sibling has reported the epoch: any
 * order of the sweep's points (duplicates and late points included) gives the same verdict for
 * every run, and it is the verdict computed from the curves directly.
 */
class SweepVerdictProperties {

    record Curve(String run, float[] val) {
    }

    private static List<Curve> sweep(long seed, int runs, int epochs) {
        Random rnd = new Random(seed);
        List<Curve> curves = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            float[] v = new float[epochs + 1];
            double level = 0.2 + rnd.nextDouble(), rate = 0.05 + rnd.nextDouble() * 0.3;
            for (int e = 0; e <= epochs; e++) {
                v[e] = rnd.nextInt(40) == 0 ? Float.NaN : (float) (level + Math.exp(-rate * e) + 0.05 * rnd.nextGaussian());
            }
            curves.add(new Curve("r" + r, v));
        }
        return curves;
    }

    private static List<Object[]> points(List<Curve> curves) {
        List<Object[]> all = new ArrayList<>();
        for (Curve c : curves) {
            for (int e = 0; e < c.val.length; e++) {
                all.add(new Object[] {c.run, new Point(e, Point.NONE, Float.NaN, c.val[e], Float.NaN, Point.HAS_VAL)});
            }
        }
        return all;
    }

    @Property(tries = 150, seed = "2718")
    void verdictsAreAFunctionOfTheSetOfPoints(
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 5, max = 14) int runs,
            @ForAll @IntRange(min = 4, max = 60) int epochs,
            @ForAll @IntRange(min = 20, max = 80) int percentile,
            @ForAll long shuffleSeed) {
        List<Curve> curves = sweep(seed, runs, epochs);
        SweepRule rule = SweepRule.DEFAULT.withPercentile(percentile);
        List<Object[]> inOrder = points(curves);
        List<Object[]> shuffled = new ArrayList<>(inOrder);
        Random rnd = new Random(shuffleSeed);
        Collections.shuffle(shuffled, rnd);
        for (int i = 0; i < inOrder.size() / 5; i++) { // duplicates, anywhere
            shuffled.add(rnd.nextInt(shuffled.size()), inOrder.get(rnd.nextInt(inOrder.size())));
        }
        SweepStats a = new SweepStats("s"), b = new SweepStats("s");
        inOrder.forEach(p -> a.add((String) p[0], (Point) p[1]));
        shuffled.forEach(p -> b.add((String) p[0], (Point) p[1]));

        for (Curve c : curves) {
            Siblings expected = direct(curves, c, epochs, rule);
            assertThat(a.verdict(c.run, null, rule)).as(c.run).isEqualTo(expected);
            assertThat(b.verdict(c.run, null, rule)).as(c.run).isEqualTo(expected);
        }
    }

    /** The verdict at the last epoch, from whole curves: bests by epoch, sorted, the percentile by hand. */
    private static Siblings direct(List<Curve> curves, Curve own, int epochs, SweepRule rule) {
        int at = SweepStats.floorIndex(epochs);
        long x = SweepStats.checkpoint(at);
        if (curves.size() - 1 < rule.minSiblings() || x < rule.warmup(null)) {
            return null;
        }
        float[] others = new float[curves.size() - 1];
        int n = 0;
        for (Curve c : curves) {
            if (c != own) {
                others[n++] = best(c, x);
            }
        }
        Arrays.sort(others);
        float mine = best(own, x);
        int better = 0;
        for (float v : others) {
            better += v < mine ? 1 : 0;
        }
        double threshold = SweepStats.percentile(others, rule.percentile());
        return new Siblings("s", x, false, false, better + 1, curves.size(), Text.round(SweepStats.percentile(others, 50)),
                Text.round(threshold), Text.round(mine), mine > threshold);
    }

    private static float best(Curve c, long x) {
        float b = Float.NaN;
        for (int e = 0; e <= x; e++) {
            float v = Float.isFinite(c.val[e]) ? c.val[e] : Float.POSITIVE_INFINITY;
            b = Float.isNaN(b) || v < b ? v : b;
        }
        return b;
    }
}
