package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Sibling verdicts do not depend on arrival order once every sibling has reported the epoch: any
 * order of the sweep's points (duplicates and late points included) gives the same verdict for
 * every run, and it is the verdict computed from the curves directly; and the verdicts the sweep
 * gives out as the points come ({@link SweepStats#verdicts}: each run's latest) are those too,
 * whichever order the runs' points were interleaved in.
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

    /**
     * Each run's latest verdict, as the sweep gives them out ({@link SweepStats#verdicts}), at every
     * cut where all runs have reported exactly their epochs up to it: the runs' points are
     * interleaved at random between two cuts (each run's own in order, as its partition keeps
     * them), yet any two interleavings give every run the same verdict at every cut, the one the
     * curves up to it give.
     */
    @Property(tries = 120, seed = "31415")
    void verdictsGivenOutAreTheSameWhateverTheInterleavingOnceEveryRunReportedAnEpoch(
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 6, max = 12) int runs,
            @ForAll @IntRange(min = 4, max = 45) int epochs,
            @ForAll @IntRange(min = 20, max = 80) int percentile,
            @ForAll long orderA,
            @ForAll long orderB) {
        List<Curve> curves = sweep(seed, runs, epochs);
        SweepRule rule = SweepRule.DEFAULT.withPercentile(percentile);
        List<Integer> cuts = cuts(new Random(seed), epochs);
        List<Map<String, Siblings>> a = givenAtCuts(curves, cuts, rule, new Random(orderA));
        List<Map<String, Siblings>> b = givenAtCuts(curves, cuts, rule, new Random(orderB));
        int ranked = 0;
        for (int i = 0; i < cuts.size(); i++) {
            Map<String, Siblings> expected = new TreeMap<>();
            for (Curve c : curves) {
                Siblings d = direct(curves, c, cuts.get(i), rule);
                if (d != null) {
                    expected.put(c.run, d);
                }
            }
            assertThat(a.get(i)).as("cut at epoch " + cuts.get(i)).isEqualTo(expected);
            assertThat(b.get(i)).as("cut at epoch " + cuts.get(i)).isEqualTo(a.get(i));
            ranked += expected.size();
        }
        assertThat(ranked).as("runs ranked at the last cut").isGreaterThanOrEqualTo(
                epochs >= rule.warmup(null) ? runs : 0);
    }

    /** Some epochs (about one in three) and the last one. */
    static List<Integer> cuts(Random rnd, int epochs) {
        List<Integer> cuts = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            if (rnd.nextInt(3) == 0) {
                cuts.add(e);
            }
        }
        cuts.add(epochs);
        return cuts;
    }

    /**
     * The runs' points interleaved at random between two cuts, each run's own in order: for each
     * run, its points after the previous cut up to this one.
     */
    static List<Object[]> interleaved(List<Curve> curves, int from, int to, Random rnd) {
        List<ArrayDeque<Object[]>> queues = new ArrayList<>();
        for (Curve c : curves) {
            ArrayDeque<Object[]> q = new ArrayDeque<>();
            for (int e = from; e <= to; e++) {
                q.add(new Object[] {c.run, new Point(e, Point.NONE, Float.NaN, c.val[e], Float.NaN, Point.HAS_VAL)});
            }
            queues.add(q);
        }
        List<Object[]> out = new ArrayList<>();
        while (!queues.isEmpty()) {
            int i = rnd.nextInt(queues.size());
            out.add(queues.get(i).poll());
            if (queues.get(i).isEmpty()) {
                queues.remove(i);
            }
        }
        return out;
    }

    private static List<Map<String, Siblings>> givenAtCuts(List<Curve> curves, List<Integer> cuts, SweepRule rule, Random rnd) {
        SweepStats stats = new SweepStats("s");
        Map<String, Siblings> latest = new TreeMap<>();
        List<Map<String, Siblings>> out = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            for (Object[] p : interleaved(curves, from, cut, rnd)) {
                stats.add((String) p[0], (Point) p[1]);
                stats.verdicts((String) p[0], rule).forEach(v -> latest.put(v.runId(), v.siblings()));
            }
            out.add(new TreeMap<>(latest));
            from = cut + 1;
        }
        return out;
    }

    /** The verdict at the last epoch, from whole curves: bests by epoch, sorted, the percentile by hand. */
    private static Siblings direct(List<Curve> curves, Curve own, int epochs, SweepRule rule) {
        int at = SweepStats.floorIndex(epochs);
        long x = SweepStats.checkpoint(at);
        if (curves.size() - 1 < rule.minSiblings() || x < rule.warmup(null)) {
            return null;
        }
        float[] others = othersAt(curves, own, x);
        float mine = best(own, x);
        int better = 0;
        for (float v : others) {
            better += v < mine ? 1 : 0;
        }
        double threshold = SweepRule.percentile(others, rule.percentile());
        return new Siblings("s", x, false, false, better + 1, curves.size(), Text.round(SweepRule.percentile(others, 50)),
                Text.round(threshold), Text.round(mine), mine > threshold && !closing(curves, own, x, mine - threshold, rule));
    }

    /** Catching up, by hand: the gap at half the way (its checkpoint) shrank fast enough to close within x more epochs. */
    private static boolean closing(List<Curve> curves, Curve own, long x, double gapNow, SweepRule rule) {
        long half = SweepStats.checkpoint(SweepStats.floorIndex(x / 2));
        float[] then = othersAt(curves, own, half);
        double gapThen = best(own, half) - SweepRule.percentile(then, rule.percentile());
        return half < x && Double.isFinite(gapThen) && gapThen > gapNow && gapNow / (gapThen - gapNow) * (x - half) <= x;
    }

    /** The siblings' bests at checkpoint {@code x}, sorted. */
    private static float[] othersAt(List<Curve> curves, Curve own, long x) {
        float[] others = new float[curves.size() - 1];
        int n = 0;
        for (Curve c : curves) {
            if (c != own) {
                others[n++] = best(c, x);
            }
        }
        Arrays.sort(others);
        return others;
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
