package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.SteadinessProperties.Lr;
import dev.lossdoctor.core.SteadinessProperties.Shape;
import dev.lossdoctor.core.SteadinessProperties.SteadyCurve;
import dev.lossdoctor.core.SteadinessProperties.Val;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The noise bands the steadiness property ({@link SteadinessProperties}) last failed on, each on the
 * curve of the property's seeds that met it: the reading at the point where it flipped, and the
 * changes of the whole noisy run within the property's bound.
 */
class NoiseBandsTest {

    /**
     * An exponential descent at 4.5% scatter: around point 60 its 12-point stretch is flat within its
     * noise, the loss is high and slow since the start (within the rate's band of underfitting) and
     * the view's late half falls at t = -12 (learning). Read "converged or underfitting", the
     * learning said gave way to converged at 63 and came back at 103 (7 changes, 3 clean).
     */
    @Test
    void aConvergedReadingOnTheUnderfittingAndTheLearningLinesKeepsTheLearningSaid() {
        SteadyCurve curve = new SteadyCurve(Shape.EXPONENTIAL, Val.NONE, Lr.CONSTANT, 356, 0.17046022448387035);
        double scatter = 0.04525580970295777;
        long seed = 681290;

        Finding at60 = judgeAt(curve, scatter, seed, 60);

        assertThat(at60.diagnosis()).isEqualTo(Diagnosis.CONVERGED);
        assertThat(at60.keepsStill()).as("on two lines: any still state said stands").isTrue();
        assertThat(RawReading.of(at60).meaning(Diagnosis.LEARNING)).isEqualTo(Diagnosis.LEARNING);
        assertWithinTheBound(curve, scatter, seed);
    }

    /**
     * A slow linear descent at 4.5% scatter (a creep the stretch can't see): near point 124 the
     * converged reading is within the no-progress line's noise, and the plateau it may be is itself
     * flat by its noise only ("or underfitting"). Read "converged or plateau", the underfitting said
     * gave way to converged at 125 and to plateau at 188 (4 changes, 1 clean).
     */
    @Test
    void aConvergedReadingNearANoProgressPlateauThatMayBeASlowFallKeepsTheUnderfittingSaid() {
        SteadyCurve curve = new SteadyCurve(Shape.SLOW_LINEAR, Val.ABOVE, Lr.CONSTANT, 299, 0.16740322568986388);
        double scatter = 0.04547240350000624;
        long seed = 943161;

        Finding at124 = judgeAt(curve, scatter, seed, 124);

        assertThat(at124.diagnosis()).isEqualTo(Diagnosis.CONVERGED);
        assertThat(at124.keepsStill()).as("on two lines: any still state said stands").isTrue();
        assertThat(RawReading.of(at124).meaning(Diagnosis.UNDERFITTING)).isEqualTo(Diagnosis.UNDERFITTING);
        assertWithinTheBound(curve, scatter, seed);
    }

    /**
     * A slow linear descent with validation above it, at 3.9% scatter: at point 21 validation's
     * stretch rises (t = 3) 15% above its luckiest point, past the degrading line (10%, or three
     * scatters of a dozen points, which came out at a third of the true scatter), but not past it
     * above a noise-robust best (the luck of the best added). Read "overfitting", the plateau said
     * gave way to it at 21 and came back at 33 (4 changes, 1 clean).
     */
    @Test
    void aDegradingValidationWithinTheLuckOfItsBestKeepsThePlateauSaid() {
        SteadyCurve curve = new SteadyCurve(Shape.SLOW_LINEAR, Val.ABOVE, Lr.NONE, 191, 0.2774290132200501);
        double scatter = 0.03882244848900449;
        long seed = 657698;

        Finding at21 = judgeAt(curve, scatter, seed, 21);

        assertThat(at21.diagnosis()).isEqualTo(Diagnosis.OVERFITTING);
        assertThat(at21.why()).isEqualTo(Finding.Why.VAL_DEGRADING);
        assertThat(at21.orElse()).as("on the line: the still rules' reading said stands").isEqualTo(Diagnosis.PLATEAU);
        assertThat(RawReading.of(at21).meaning(Diagnosis.PLATEAU)).isEqualTo(Diagnosis.PLATEAU);
        assertWithinTheBound(curve, scatter, seed);
    }

    /**
     * A slow linear descent with validation below it (dropout), at 4.4% scatter, whose first
     * validation point came out high and first training point low: at point 10 (before the long
     * stretch is full) validation is 11% under its first point while training is not, within the
     * drops' noise of the data issue line (a scatter of each, twice). Read "data issue", the plateau
     * said at 7 gave way to it at 11 (6 changes, 1 clean); now a plateau said stands on the line,
     * and a healthy run is still told at once.
     */
    @Test
    void aDataIssueWithinTheDropsNoiseOnTheFirstPointsKeepsThePlateauSaid() {
        SteadyCurve curve = new SteadyCurve(Shape.SLOW_LINEAR, Val.BELOW, Lr.CONSTANT, 194, 0.2544582246529854);
        double scatter = 0.04391983137784191;
        long seed = 982313;

        Finding at10 = judgeAt(curve, scatter, seed, 10);

        assertThat(at10.diagnosis()).isEqualTo(Diagnosis.DATA_ISSUE);
        assertThat(at10.orElse()).as("on the line: a plateau said stands").isEqualTo(Diagnosis.PLATEAU);
        assertThat(RawReading.of(at10).meaning(Diagnosis.PLATEAU)).isEqualTo(Diagnosis.PLATEAU);
        assertThat(RawReading.of(at10).meaning(Diagnosis.LEARNING)).isEqualTo(Diagnosis.DATA_ISSUE);
        assertWithinTheBound(curve, scatter, seed);
    }

    /** The raw finding of the noisy curve's first {@code points} points. */
    static Finding judgeAt(SteadyCurve curve, double scatter, long seed, int points) {
        List<TrainingEvent> events = curve.builder("noisy", scatter, seed, 0, 0).events();
        RunAnalyzer analyzer = new RunAnalyzer();
        RunState state = new RunState("noisy");
        for (TrainingEvent e : events.subList(0, points)) {
            analyzer.apply(state, e);
        }
        return Rules.judge(Measures.of(state, state.size - 1, new Aggregates()));
    }

    static void assertWithinTheBound(SteadyCurve curve, double scatter, long seed) {
        int clean = SteadinessProperties.changes(curve.run("clean", 0, seed));
        int noisy = SteadinessProperties.changes(curve.run("noisy", scatter, seed));
        assertThat(noisy).as("changes clean %d, noisy", clean).isLessThanOrEqualTo(Math.max(2 * clean, clean + 2));
    }
}
