package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;

/**
 * The forecast of where a validation loss is heading: right on curves whose end is known, absent
 * where there is nothing to forecast, and a function of the curve's numbers alone (scale, order).
 */
class ForecastProperties {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static RunConfig maxEpochs(Integer max) {
        return new RunConfig(null, null, null, null, null, null, null, max, null, null, null);
    }

    /** The events of a run with the given validation losses at epochs 1.., a training loss just below. */
    private static List<TrainingEvent> run(String id, double[] val, Integer max) {
        List<TrainingEvent> out = new ArrayList<>();
        out.add(new RunStarted(id, T0, maxEpochs(max)));
        for (int i = 0; i < val.length; i++) {
            out.add(new MetricsReported(id, (long) i + 1, null, T0.plusSeconds(i + 1),
                    Map.of("train_loss", val[i] * 0.9, "val_loss", val[i])));
        }
        return out;
    }

    private static RunStatus statusAfter(List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState s = new RunState(events.get(0).runId());
        for (TrainingEvent e : events) {
            analyzer.apply(s, e);
        }
        return analyzer.status(s);
    }

    /** c + a·x^-alpha with multiplicative noise of the given size (seeded), at epochs 1..n. */
    private static double[] decay(int n, double c, double a, double alpha, double noise, long seed) {
        Random r = new Random(seed);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = (c + a * Math.pow(i + 1, -alpha)) * (1 + noise * r.nextGaussian());
        }
        return y;
    }

    @Example
    void aCleanPowerLawIsForecastWhereItEndsAndTheBandHoldsIt() {
        double[] y = decay(30, 0.3, 2, 0.5, 0, 1);
        RunStatus status = statusAfter(run("pow", y, 100));
        Forecast f = status.forecast();
        double truth = 0.3 + 2 * Math.pow(100, -0.5); // 0.5
        assertThat(f).isNotNull();
        assertThat(f.atEpoch()).isEqualTo(100);
        assertThat(f.horizonAssumed()).isFalse();
        // the exponential family fits the recent two thirds too, but far worse: weighted by its squared
        // error it hardly counts (an unweighted mean of the two families says 0.569)
        assertThat(f.bestValLoss()).isCloseTo(truth, offset(0.005));
        assertThat(f.low()).isLessThanOrEqualTo(truth);
        assertThat(f.high()).isGreaterThanOrEqualTo(truth).isLessThanOrEqualTo((float) y[29]); // the window keeps floats
        // the curve's last 1% of the way lies late: 2·x^-0.5 gets within 0.005 of its end only near x = 82
        assertThat(f.withinOnePctByEpoch()).isBetween(60L, 100L);
        assertThat(f.mostGainByEpoch()).isBetween(30L, f.withinOnePctByEpoch());
        assertThat(status.summary()).contains("heading for " + Text.num(f.bestValLoss())).contains("by epoch 100");
    }

    @Example
    void withoutMaxEpochsTheHorizonIsTwiceTheEpochsSeenAndSaysSo() {
        RunStatus status = statusAfter(run("no-max", decay(30, 0.3, 2, 0.5, 0, 1), null));
        assertThat(status.forecast().atEpoch()).isEqualTo(60);
        assertThat(status.forecast().horizonAssumed()).isTrue();
        assertThat(status.summary()).contains("by epoch 60 (twice the epochs so far: no max_epochs in the config)");
    }

    @Example
    void aFlatCurveARisingCurveAndATooShortCurveGetNoForecast() {
        double[] flat = new double[30];
        java.util.Arrays.fill(flat, 0.7);
        double[] rising = new double[30];
        for (int i = 0; i < 30; i++) {
            rising[i] = 0.5 + 0.01 * i;
        }
        double[] bottomedOut = decay(30, 0.3, 2, 0.5, 0, 1);
        for (int i = 20; i < 30; i++) {
            bottomedOut[i] = bottomedOut[19] * (1 + 0.02 * (i - 19)); // best at epoch 20, rising since
        }
        assertThat(statusAfter(run("flat", flat, 100)).forecast()).isNull();
        assertThat(statusAfter(run("rising", rising, 100)).forecast()).isNull();
        assertThat(statusAfter(run("turned", bottomedOut, 100)).forecast()).isNull();
        assertThat(statusAfter(run("short", decay(5, 0.3, 2, 0.5, 0, 1), 100)).forecast()).isNull();
        assertThat(statusAfter(run("flat", flat, 100)).summary()).doesNotContain("heading for");
    }

    @Property(tries = 60, seed = "20261203")
    void aNonFiniteLossAnywhereMeansNoForecast(@ForAll @IntRange(min = 0, max = 29) int at,
                                              @ForAll @LongRange(min = 1, max = 1000) long seed) {
        double[] y = decay(30, 0.3, 2, 0.5, 0.005, seed);
        y[at] = at % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY;
        assertThat(statusAfter(run("nan", y, 100)).forecast()).isNull();
    }

    @Property(tries = 100, seed = "20261203")
    void multiplyingTheLossesByAPowerOfTwoMultipliesTheForecast(@ForAll @IntRange(min = 8, max = 150) int n,
                                                               @ForAll @DoubleRange(min = 0.05, max = 2) double alpha,
                                                               @ForAll @DoubleRange(min = 0, max = 0.05) double noise,
                                                               @ForAll @IntRange(min = -20, max = 20) int twos,
                                                               @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        double k = Math.scalb(1.0, twos);
        double[] y = decay(n, 0.2, 3, alpha, noise, seed);
        double[] scaled = new double[n];
        for (int i = 0; i < n; i++) {
            scaled[i] = (float) y[i] * k; // the window keeps floats: scale what it keeps, exactly
        }
        Forecast f = statusAfter(run("a", y, 3 * n)).forecast();
        Forecast g = statusAfter(run("a", scaled, 3 * n)).forecast();
        if (f == null) {
            assertThat(g).isNull();
            return;
        }
        assertThat(g).isNotNull();
        assertThat(g.bestValLoss()).isEqualTo(f.bestValLoss() * k);
        assertThat(g.low()).isEqualTo(f.low() * k);
        assertThat(g.high()).isEqualTo(f.high() * k);
        assertThat(g.withinOnePctByEpoch()).isEqualTo(f.withinOnePctByEpoch());
        assertThat(g.mostGainByEpoch()).isEqualTo(f.mostGainByEpoch());
    }

    @Property(tries = 60, seed = "20261203")
    void theForecastIsTheSameWhateverOrderThePointsCameIn(@ForAll @IntRange(min = 8, max = 60) int n,
                                                           @ForAll @DoubleRange(min = 0, max = 0.03) double noise,
                                                           @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        List<TrainingEvent> inOrder = run("o", decay(n, 0.1, 1, 0.7, noise, seed), 2 * n);
        List<TrainingEvent> shuffled = new ArrayList<>(inOrder.subList(1, inOrder.size()));
        Collections.shuffle(shuffled, new Random(seed));
        shuffled.add(0, inOrder.get(0));
        shuffled.add(inOrder.get(1 + (int) (seed % n))); // and a duplicate
        assertThat(statusAfter(shuffled).forecast()).isEqualTo(statusAfter(inOrder).forecast());
    }

    @Property(tries = 100, seed = "20261203")
    void theForecastNeverExceedsTheBestSoFarAndTheBandHoldsIt(@ForAll @IntRange(min = 8, max = 150) int n,
                                                              @ForAll @DoubleRange(min = 0.05, max = 3) double alpha,
                                                              @ForAll @DoubleRange(min = 0, max = 0.1) double noise,
                                                              @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        RunStatus s = statusAfter(run("b", decay(n, 0.2, 3, alpha, noise, seed), 4 * n));
        Forecast f = s.forecast();
        if (f == null) {
            return;
        }
        assertThat(f.bestValLoss()).isLessThanOrEqualTo(s.bestValLoss());
        assertThat(f.low()).isLessThanOrEqualTo(f.bestValLoss());
        assertThat(f.high()).isBetween(f.bestValLoss(), s.bestValLoss());
        assertThat(f.withinOnePctByEpoch()).isBetween(s.epoch(), f.atEpoch());
        assertThat(f.mostGainByEpoch()).isBetween(s.epoch(), f.atEpoch());
    }

    @Property(tries = 200, seed = "20261203")
    void theBandIsShownRoundedOutwardAndReadingItBackRoundsItToItself(@ForAll @DoubleRange(min = 1, max = 10) @Scale(9) double mantissa,
                                                                      @ForAll @IntRange(min = -6, max = 6) int exponent,
                                                                      @ForAll @DoubleRange(min = 0, max = 1) @Scale(9) double width) {
        double low = mantissa * Math.pow(10, exponent);
        double high = low * (1 + width);
        Forecast shown = new Forecast(100, (low + high) / 2, low, high, 90, 80, false, false).rounded();
        assertThat(shown.low()).isLessThanOrEqualTo(low);
        assertThat(shown.high()).isGreaterThanOrEqualTo(high);
        // 4 significant digits: within a unit of the 4th digit
        assertThat(low - shown.low()).isLessThanOrEqualTo(1.001e-3 * low);
        assertThat(shown.high() - high).isLessThanOrEqualTo(1.001e-3 * high);
        // a status read back from the topic or another instance is shown again: the same numbers
        assertThat(shown.rounded()).isEqualTo(shown);
    }
}
