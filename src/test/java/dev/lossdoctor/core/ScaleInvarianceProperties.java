package dev.lossdoctor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Multiplying all of a run's losses by a positive constant changes no trend decision: every
 * threshold of the reader is a ratio of the curve's own numbers.
 */
class ScaleInvarianceProperties {

    /** What the reader decided at one prefix of the curve. */
    record Trends(long epoch, Trend train, Trend val) {
    }

    static List<Trends> trendsAtEveryPrefix(List<TrainingEvent> events) {
        RunAnalyzer analyzer = new RunAnalyzer();
        CurveReader reader = new CurveReader();
        RunState s = new RunState(events.get(0).runId());
        List<Trends> out = new ArrayList<>();
        for (TrainingEvent e : events) {
            analyzer.apply(s, e);
            if (e instanceof MetricsReported && s.size > 0) {
                Measures m = reader.measure(s, s.size - 1);
                out.add(new Trends(m.epoch(), m.train().trend(), m.val().trend()));
            }
        }
        return out;
    }

    @Provide
    Arbitrary<Families> anyFamily() {
        return Arbitraries.of(Families.class);
    }

    @Provide
    Arbitrary<Families> diagnosedFamilies() {
        return Arbitraries.of(Families.DECAY, Families.OVERFIT, Families.PLATEAU, Families.DIVERGE);
    }

    @Provide
    Arbitrary<Double> positiveConstants() {
        // log-uniform over [1e-3, 1e3]
        return Arbitraries.doubles().between(-3, 3).map(x -> Math.pow(10, x));
    }

    @Property(tries = 200, seed = "20261126")
    void scalingByAPowerOfTwoChangesNoTrendDecision(
            @ForAll("anyFamily") Families family,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 8, max = 90) int epochs,
            @ForAll @DoubleRange(min = 0, max = 0.08) double noise,
            @ForAll @IntRange(min = 1, max = 4) int stepsPerEpoch,
            @ForAll @IntRange(min = -20, max = 20) int exponent) {
        RunBuilder run = family.run("scaled", seed, epochs, noise).perStep(stepsPerEpoch);
        List<Trends> original = trendsAtEveryPrefix(run.events());
        List<Trends> scaled = trendsAtEveryPrefix(run.scaled(Math.scalb(1.0, exponent)).events());

        assertThat(scaled).isEqualTo(original);
    }

    @Property(tries = 200, seed = "20261129")
    void scalingByAnyPositiveConstantChangesNoTrendDecision(
            @ForAll("anyFamily") Families family,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 8, max = 90) int epochs,
            @ForAll @DoubleRange(min = 0, max = 0.08) double noise,
            @ForAll @IntRange(min = 1, max = 4) int stepsPerEpoch,
            @ForAll("positiveConstants") double k) {
        RunBuilder run = family.run("scaled", seed, epochs, noise).perStep(stepsPerEpoch);
        List<Trends> original = trendsAtEveryPrefix(run.events());
        List<Trends> scaled = trendsAtEveryPrefix(run.scaled(k).events());

        assertThat(scaled).as("trends of the run x%s", k).isEqualTo(original);
    }

    @Property(tries = 200, seed = "20261127")
    // Every trend decision is scale-free; one reading is not: a loss sitting on ln C is a
    // C-class classifier at chance, an absolute level. A regression run has no chance level, so
    // there every diagnosis must survive any scaling.
    void scalingByAnyPositiveConstantChangesNoDiagnosis(
            @ForAll("diagnosedFamilies") Families family,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 20, max = 80) int epochs,
            @ForAll @DoubleRange(min = 0, max = 0.05) double noise,
            @ForAll("positiveConstants") double k) {
        RunBuilder run = family.run("scaled", seed, epochs, noise)
                .withConfig(RunBuilder.config().task("regression").loss("mse")).finished();
        List<Diagnosis> original = run.analyze().codes();
        List<Diagnosis> scaled = run.scaled(k).analyze().codes();

        assertThat(scaled).as("diagnoses of the run x%s", k).isEqualTo(original);
    }

    /** Where no chance level applies (a regressor's loss), nothing absolute is left: no diagnosis may change. */
    @Property(tries = 200, seed = "20261130")
    void scalingARegressorsLossByAnyPositiveConstantChangesNoDiagnosis(
            @ForAll("diagnosedFamilies") Families family,
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @IntRange(min = 20, max = 80) int epochs,
            @ForAll @DoubleRange(min = 0, max = 0.05) double noise,
            @ForAll("positiveConstants") double k) {
        RunBuilder run = family.run("scaled", seed, epochs, noise).withConfig(RunBuilder.config().task("regression")).finished();
        List<DiagnosisEvent> original = run.analyze().diagnoses();
        List<DiagnosisEvent> scaled = run.scaled(k).analyze().diagnoses();

        assertThat(scaled).extracting(DiagnosisEvent::diagnosis).as("diagnoses of the run x%s", k)
                .isEqualTo(original.stream().map(DiagnosisEvent::diagnosis).toList());
        assertThat(scaled).extracting(DiagnosisEvent::epoch).isEqualTo(original.stream().map(DiagnosisEvent::epoch).toList());
        assertThat(scaled).extracting(DiagnosisEvent::sinceEpoch)
                .isEqualTo(original.stream().map(DiagnosisEvent::sinceEpoch).toList());
    }
}
