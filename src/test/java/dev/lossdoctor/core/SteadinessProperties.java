package dev.lossdoctor.core;

import static dev.lossdoctor.core.Curves.decay;
import static dev.lossdoctor.core.RunBuilder.aRun;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Steady on long noisy runs (issue 13 item 6): a diagnosis changes only when the evidence changed
 * beyond the run's noise, so adding noise of the run's own scatter to a steady curve does not
 * multiply the changes.
 *
 * <p>The curves are steady: an exponential descent to a floor, a power-law descent, a slow linear
 * descent, or flat; training alone or with validation (above training, or below it as with dropout);
 * with or without a reported learning rate (constant, or stepped down once halfway); 50 to 400 points.
 * The run's own scatter is the residual scatter the generator gives it (0.5% to 5% of the level,
 * Gaussian), so the noisy curve is the clean one plus exactly the noise such a run shows.
 *
 * <p>The bound: {@code changes(noisy) <= max(2 * changes(clean), changes(clean) + 2)}. Noise may
 * legitimately move a boundary the clean curve crosses once (learning to converged a few points
 * earlier or later, and one flip back while the noise is still of the same size as the remaining
 * descent), so one more pair of changes is allowed; more than that, or a multiple of the clean
 * changes, means a diagnosis reacts to the noise instead of to the evidence.
 */
class SteadinessProperties {

    enum Shape { EXPONENTIAL, POWER_LAW, SLOW_LINEAR, FLAT }

    enum Val { NONE, ABOVE, BELOW }

    enum Lr { NONE, CONSTANT, STEPPED }

    /** Curves generated per scatter band, from a fixed seed (each diagnosed twice: about 10 s for both bands). */
    private static final int CURVES = 400;

    /**
     * The property in the form, over steady curves of every shape: {@code changes(noisy) <=
     * max(2 * changes(clean), changes(clean) + 2)} for every curve at a scatter of up to 2% of the
     * level, and for all but two at up to 5% (each curve that fails is named in the message); for
     * every one within the dwell's bound. Measured on these seeds: 0 of 400 curves at up to 2%, 2
     * (0.5%) at up to 5%; asserted: none and at most 2. Before: 6 (1.5%), and 12 (3%) before a
     * converged reading of a noisy curve within its rate's band of the flat line kept learning said;
     * before the readings had noise bands around their thresholds: 6% and 24% (and 12% / 34% before
     * the view's late half); with the first bands 0.5% and 12%. The two left at 5% (see
     * docs/wild-curves.md): a slow linear descent whose first validation point is a 3.5-scatter high
     * draw (and first training point a 2-scatter low one), so that validation's drop since its first
     * point passes the data issue line beyond its noise band again and again; and a power-law descent
     * that reads plateau at point 7 (a 7-point stretch at t = -2.4) and, once its level falls under
     * half its first, converged on a tail whose 12-point rate can't tell learning from flat.
     */
    @Test
    void addingNoiseOfTheRunsOwnScatterRarelyMultipliesTheChanges() {
        List<String> upTo2 = multiplied(new Random(1313), 0.02), upTo5 = multiplied(new Random(1314), 0.05);
        assertThat(upTo2).as("curves with their changes multiplied, scatter up to 2%%").isEmpty();
        assertThat(upTo5.size()).as("curves with their changes multiplied, scatter up to 5%%: %s", upTo5)
                .isLessThanOrEqualTo(2);
    }

    /** The curves of {@link #CURVES} generated steady ones whose changes the noise multiplied, each named. */
    private static List<String> multiplied(Random r, double maxScatter) {
        List<String> multiplied = new ArrayList<>();
        for (int k = 0; k < CURVES; k++) {
            SteadyCurve curve = new SteadyCurve(Shape.values()[r.nextInt(4)], Val.values()[r.nextInt(3)],
                    Lr.values()[r.nextInt(3)], 50 + r.nextInt(351), 0.02 + 0.28 * r.nextDouble());
            double scatter = 0.005 + (maxScatter - 0.005) * r.nextDouble();
            long seed = 1 + r.nextInt(1_000_000);
            int clean = changes(curve.run("clean", 0, seed)), noisy = changes(curve.run("noisy", scatter, seed));
            if (noisy > Math.max(2 * clean, clean + 2)) {
                multiplied.add(String.format(Locale.ROOT, "%s at scatter %.4f, seed %d: %d changes clean, %d noisy",
                        curve, scatter, seed, clean, noisy));
            }
            assertThat(noisy).as("%s at scatter %.3f, seed %d", curve, scatter, seed).isLessThanOrEqualTo(dwellBound(curve.points()));
        }
        return multiplied;
    }

    /**
     * The case the stronger property failed on (learning and converged taking turns on the flat noisy
     * tail of a descent, 1 change clean, 4 with the noise): the tail's verdict is the whole view's.
     */
    @Test
    void aDescentThatFlattensIsNotFlappedByItsNoise() {
        int clean = changes(aRun("clean").epochs(150).trainCurve(e -> decay(e, 2.0, 0.3, 5))
                .valCurve(e -> decay(e, 2.1, 0.4, 5)).diagnose());
        int noisy = changes(aRun("noisy").epochs(150).trainCurve(e -> decay(e, 2.0, 0.3, 5))
                .valCurve(e -> decay(e, 2.1, 0.4, 5)).noise(0.02 * Math.sqrt(2), 52).diagnose());
        assertThat(noisy).isLessThanOrEqualTo(Math.max(2 * clean, clean + 2));
    }

    @Property(tries = 200, seed = "1314")
    void doublingTheNoiseOfANoisyRunKeepsTheChangesWithinTheDwellBound(
            @ForAll Shape shape, @ForAll Val val, @ForAll Lr lr,
            @ForAll @IntRange(min = 50, max = 400) int points,
            @ForAll @DoubleRange(min = 0.01, max = 0.03) double scatter,
            @ForAll @DoubleRange(min = 0.02, max = 0.3) double pace,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed) {
        // the time-based hysteresis bounds the changes whatever the noise: about 2 + log(N/10)/log(1.5)
        SteadyCurve curve = new SteadyCurve(shape, val, lr, points, pace);
        assertThat(changes(curve.run("noisy", scatter, seed))).isLessThanOrEqualTo(dwellBound(points));
        assertThat(changes(curve.run("noisier", scatter, seed, scatter, seed + 1))).isLessThanOrEqualTo(dwellBound(points));
    }

    private static int dwellBound(int points) {
        return 3 + (int) Math.ceil(Math.log(points / 10.0) / Math.log(1 + RunState.DWELL_SHARE));
    }

    /** A steady curve: its shape, its validation loss, its learning rate and how fast it descends ({@code pace}). */
    record SteadyCurve(Shape shape, Val val, Lr lr, int points, double pace) {

        /** The training loss at point i (0-based), on a level of 1 at the floor. */
        double train(int i) {
            double x = i / (double) points; // the share of the run
            return switch (shape) {
                case EXPONENTIAL -> 1 + 2 * Math.exp(-x / pace);                      // down to its floor in 5 pace
                case POWER_LAW -> 1 + 2 * Math.pow(1 + x / pace, -1.5);
                case SLOW_LINEAR -> 1 + (1 - x) * pace;                               // a straight descent by 2% to 30%
                case FLAT -> 1;
            };
        }

        double val(int i) {
            return switch (val) {
                case NONE -> Double.NaN;
                case ABOVE -> 0.15 + 1.05 * train(i);
                case BELOW -> 0.85 * train(i);
            };
        }

        double lr(int i) {
            return switch (lr) {
                case NONE -> Double.NaN;
                case CONSTANT -> 1e-3;
                case STEPPED -> i < points / 2 ? 1e-3 : 1e-4;
            };
        }

        /** The run's events diagnosed, with Gaussian noise of {@code scatter} (relative) on each loss. */
        List<DiagnosisEvent> run(String id, double scatter, long seed) {
            return run(id, scatter, seed, 0, 0);
        }

        /** ... plus a second, independent noise of {@code extra} (seeded by {@code extraSeed}). */
        List<DiagnosisEvent> run(String id, double scatter, long seed, double extra, long extraSeed) {
            return builder(id, scatter, seed, extra, extraSeed).diagnose();
        }

        /** The run's events, not yet diagnosed. */
        RunBuilder builder(String id, double scatter, long seed, double extra, long extraSeed) {
            Random noise = new Random(seed), more = new Random(extraSeed);
            double[] t = new double[points], v = new double[points], l = new double[points];
            for (int i = 0; i < points; i++) {
                t[i] = train(i) * (1 + scatter * noise.nextGaussian() + extra * more.nextGaussian());
                v[i] = val(i) * (1 + scatter * noise.nextGaussian() + extra * more.nextGaussian());
                l[i] = lr(i);
            }
            RunBuilder b = aRun(id).withTrainLoss(t);
            if (val != Val.NONE) {
                b.withValLoss(v);
            }
            if (lr != Lr.NONE) {
                b.withMetric("lr", l);
            }
            return b;
        }
    }

    /** Diagnoses of the curve said after the first one (what the steadiness figure counts, less the first). */
    static int changes(List<DiagnosisEvent> events) {
        int n = 0;
        for (DiagnosisEvent d : events) {
            if (RunState.ofTheCurve(d.diagnosis())) {
                n++;
            }
        }
        return Math.max(0, n - 1);
    }
}
