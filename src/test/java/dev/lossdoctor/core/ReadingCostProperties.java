package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * What the reading does to cost less gives what the plain computation gives: the median by
 * selection is the median of the sorted values; a fit made when first read is the fit made at once;
 * the status and the words of a point read again from the reading kept of it are those of a reader
 * that reads it afresh.
 */
class ReadingCostProperties {

    /** Values of every kind a window's spreads see: ties, zeros of both signs, infinities, NaN. */
    @Provide
    Arbitrary<List<Float>> values() {
        Arbitrary<Float> v = Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.floats().between(0, 2)),
                Tuple.of(3, Arbitraries.of(0f, -0f, 1f, 0.5f, 0.25f)), // ties
                Tuple.of(1, Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
                        Float.MAX_VALUE, -1f)),
                Tuple.of(2, Arbitraries.floats()));
        return v.list().ofMaxSize(70);
    }

    @Property(tries = 3000, seed = "8101")
    void theMedianBySelectionIsTheMedianOfTheSortedValues(@ForAll("values") List<Float> values) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        float[] sorted = v.clone();
        Arrays.sort(sorted);
        int n = v.length;
        double expected = n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        double median = Fit.median(v.clone(), n);
        assertThat(Double.doubleToLongBits(median)).as("median %s of %s", median, values)
                .isEqualTo(Double.doubleToLongBits(expected));
        // (the spreads take the median of a prefix of their working space)
        if (n > 2) {
            float[] prefix = Arrays.copyOf(v, n - 1);
            Arrays.sort(prefix);
            int k = n - 1;
            double first = k % 2 == 1 ? prefix[k / 2] : (prefix[k / 2 - 1] + prefix[k / 2]) / 2.0;
            assertThat(Double.doubleToLongBits(Fit.median(v.clone(), k))).isEqualTo(Double.doubleToLongBits(first));
        }
    }

    /** Noisy curves of any length, with a few NaN, and points out of order now and then. */
    @Provide
    Arbitrary<List<TrainingEvent>> runs() {
        return Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            int n = 5 + r.nextInt(160);
            int kind = r.nextInt(4);
            double noise = 0.001 + 0.05 * r.nextDouble(), start = 0.3 + 3 * r.nextDouble();
            List<TrainingEvent> out = new ArrayList<>();
            for (int e = 0; e < n; e++) {
                double train = start * Math.exp(-e / 30.0) + 0.05;
                double val = kind == 1 ? train + Math.max(0, e - 40) * 0.004 : kind == 2 ? start * 0.7 : train * 1.05;
                train = kind == 3 && e > n / 2 ? train * Math.exp((e - n / 2) / 8.0) : kind == 2 ? start * 0.69 : train;
                train *= 1 + noise * r.nextGaussian();
                val *= 1 + noise * r.nextGaussian();
                java.util.Map<String, Double> m = new java.util.HashMap<>();
                m.put("train_loss", seed % 5 == 0 && r.nextInt(60) == 0 ? Double.NaN : train);
                if (r.nextInt(8) > 0) {
                    m.put("val_loss", val);
                }
                out.add(new MetricsReported("r", (long) e, e * 10L, java.time.Instant.ofEpochSecond(1_000_000 + e), m));
            }
            for (int i = 0; i < n / 15; i++) {
                Collections.swap(out, r.nextInt(n), r.nextInt(n));
            }
            return out;
        });
    }

    /** Every fit a later fit stands for, read after every point: the fit made at once, bit for bit. */
    @Property(tries = 60, seed = "8102")
    void aFitMadeLaterIsTheFitMadeAtOnce(@ForAll("runs") List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState("r");
        for (TrainingEvent e : events) {
            analyzer.apply(s, e);
            for (int from = Math.max(0, s.size - 64); from < s.size; from += 7) {
                for (Fit.Spread spread : Fit.Spread.values()) {
                    sameFit(Fit.later(s.trainSums, s.train, s.size, from, s.size, spread),
                            Fit.of(s.trainSums, s.train, s.size, from, s.size, spread), spread);
                    sameFit(Fit.later(s.valSums, s.val, s.size, from, s.size, spread), Fit.of(s.val, from, s.size, spread), spread);
                }
            }
        }
    }

    private static void sameFit(Fit later, Fit now, Fit.Spread spread) {
        if (spread != Fit.Spread.NONE) { // (a spread first: it makes the fit too)
            assertThat(Double.doubleToLongBits(later.scatter())).isEqualTo(Double.doubleToLongBits(now.scatter()));
            assertThat(Double.doubleToLongBits(later.noise())).isEqualTo(Double.doubleToLongBits(now.noise()));
        }
        assertThat(Double.doubleToLongBits(later.t())).isEqualTo(Double.doubleToLongBits(now.t()));
        assertThat(Double.doubleToLongBits(later.slope())).isEqualTo(Double.doubleToLongBits(now.slope()));
        assertThat(later.n()).isEqualTo(now.n());
        assertThat(later.hasSlope()).isEqualTo(now.hasSlope());
        assertThat(Float.floatToRawIntBits(later.firstFinite())).isEqualTo(Float.floatToRawIntBits(now.firstFinite()));
        assertThat(Float.floatToRawIntBits(later.lastFinite())).isEqualTo(Float.floatToRawIntBits(now.lastFinite()));
        assertThat(later.finiteSpan()).isEqualTo(now.finiteSpan());
        assertThat(later.reversalRate()).isEqualTo(now.reversalRate());
        if (spread != Fit.Spread.NONE) {
            assertThat(later.noiseAtLeast(now.noise())).isEqualTo(now.noiseAtLeast(now.noise()));
        }
    }

    /**
     * The status and the words of the newest point, from the reading the analyzer kept of it, equal a
     * fresh reader's, after every event (diagnosis changes, late points, a config and a finish included).
     */
    @Property(tries = 80, seed = "8103")
    void theReadingKeptForTheStatusIsTheFreshOne(@ForAll("runs") List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState("r");
        List<TrainingEvent> all = new ArrayList<>(events);
        all.add(all.size() / 3, new RunStarted("r", java.time.Instant.ofEpochSecond(999_999),
                new RunConfig("adam", 0.01, 32, "classification", "cross_entropy", null, null, 200, 10, null, null)));
        all.add(new RunFinished("r", null, "completed", java.time.Instant.ofEpochSecond(2_000_000)));
        int reused = 0;
        for (TrainingEvent e : all) {
            analyzer.apply(s, e);
            if (s.size == 0) {
                continue;
            }
            RunStatus fresh = new RunAnalyzer().status(s);
            assertThat(analyzer.status(s)).isEqualTo(fresh);
            assertThat(analyzer.statusWithoutCurve(s)).isEqualTo(new RunAnalyzer().statusWithoutCurve(s));
            assertThat(new CurveReader().read(s, s.size - 1)).isEqualTo(keptReader(analyzer).read(s, s.size - 1));
            reused++;
        }
        assertThat(reused).isPositive();
    }

    /**
     * A reader asked for the status of a state it read before, that changed since without it (a point
     * read by another reader, another run's state copied into the same object): the reading is made again.
     */
    @Property(tries = 60, seed = "8104")
    void aReadingKeptIsNotReusedOnceTheStateChanged(@ForAll("runs") List<TrainingEvent> events) {
        RunAnalyzer other = new RunAnalyzer();
        CurveReader reader = new CurveReader();
        RunState s = new RunState("r");
        RunState elsewhere = new RunState("r");
        for (int i = 0; i < events.size(); i++) {
            other.apply(s, events.get(i));
            if (i % 2 == 0) {
                other.apply(elsewhere, events.get(i)); // a copy of the run a point behind, now and then
            }
            if (s.size == 0) {
                continue;
            }
            assertThat(reader.status(s, true)).isEqualTo(new CurveReader().status(s, true));
            if (i % 5 == 4 && elsewhere.size > 0) {
                elsewhere.copyInto(s);
                assertThat(reader.status(s, true)).isEqualTo(new CurveReader().status(s, true));
            }
        }
    }

    /** The reader inside an analyzer (the one that keeps its readings). */
    private static CurveReader keptReader(RunAnalyzer analyzer) {
        try {
            java.lang.reflect.Field f = RunAnalyzer.class.getDeclaredField("reader");
            f.setAccessible(true);
            return (CurveReader) f.get(analyzer);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
