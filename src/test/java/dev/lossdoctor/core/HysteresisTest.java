package dev.lossdoctor.core;

import static dev.lossdoctor.core.Curves.assertWellFormedTimeline;
import static dev.lossdoctor.core.Curves.decay;
import static dev.lossdoctor.core.Diagnosis.CONVERGED;
import static dev.lossdoctor.core.Diagnosis.DIVERGING;
import static dev.lossdoctor.core.Diagnosis.LEARNING;
import static dev.lossdoctor.core.Diagnosis.PLATEAU;
import static dev.lossdoctor.core.Diagnosis.WARMING_UP;
import static dev.lossdoctor.core.RunBuilder.aRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A diagnosis changes only when the curve does: one noisy point flips nothing, and each change is said once. */
class HysteresisTest {

    private static RunBuilder learning(String id) {
        return aRun(id).epochs(30)
                .trainCurve(e -> decay(e, 2.0, 0.2, 12))
                .valCurve(e -> decay(e, 2.1, 0.3, 12))
                .noise(0.01, 5);
    }

    @ParameterizedTest(name = "train x{0} at epoch 15")
    @ValueSource(doubles = {0.5, 1.5, 2.5})
    void shouldNotFlipOnASingleTrainingOutlierInALearningRun(double factor) {
        Analysis clean = learning("clean").analyze();
        double v = decay(15, 2.0, 0.2, 12) * factor;
        Analysis spiked = learning("spiked").at(15, "train_loss", v).analyze();

        assertThat(clean.codes()).containsExactly(WARMING_UP, LEARNING);
        assertThat(spiked.codes()).isEqualTo(clean.codes());
        assertThat(spiked.diagnoses()).extracting(DiagnosisEvent::epoch).isEqualTo(clean.diagnoses().stream()
                .map(DiagnosisEvent::epoch).toList());
    }

    @ParameterizedTest(name = "val x{0} at epoch 15")
    @ValueSource(doubles = {0.75, 1.5})
    void shouldNotFlipOnASingleValidationOutlierInALearningRun(double factor) {
        Analysis clean = learning("clean").analyze();
        Analysis spiked = learning("spiked").at(15, "val_loss", decay(15, 2.1, 0.3, 12) * factor).analyze();

        assertThat(spiked.codes()).isEqualTo(clean.codes());
    }

    @Test
    void shouldNotCallOverfittingWhileValidationFallsAfterOneLowOutlier() {
        Analysis spiked = learning("low-val").at(15, "val_loss", decay(15, 2.1, 0.3, 12) * 0.6).analyze();

        assertThat(spiked.diagnoses()).filteredOn(e -> e.diagnosis() == Diagnosis.OVERFITTING)
                .allSatisfy(e -> assertThat(e.evidence()).as("overfitting said while validation falls")
                        .doesNotContainEntry("val_loss_trend", "falling"));
        assertThat(spiked.codes()).containsExactly(WARMING_UP, LEARNING);
    }

    @Test
    void shouldNotFlipAConvergedRunOnASingleOutlier() {
        RunBuilder converged = aRun("converged").epochs(70)
                .trainCurve(e -> decay(e, 1.5, 0.2, 4))
                .valCurve(e -> decay(e, 1.55, 0.26, 4))
                .noise(0.003, 21);
        Analysis clean = converged.analyze();
        Analysis spiked = converged.at(62, "train_loss", 0.3).at(62, "val_loss", 0.36).analyze();

        assertThat(clean.last().diagnosis()).isEqualTo(CONVERGED);
        assertThat(clean.last().epoch()).isLessThan(62L);
        assertThat(spiked.diagnoses()).isEqualTo(clean.diagnoses());
    }

    @Test
    void shouldNotFlipAPlateauOnASingleLowPoint() {
        double lnC = Math.log(5);
        Analysis run = aRun("stuck").withConfig(RunBuilder.config().classes(5).loss("cross_entropy")).epochs(25)
                .trainCurve(e -> lnC).valCurve(e -> lnC).noise(0.002, 9)
                .at(14, "train_loss", lnC * 0.8).analyze();

        assertThat(run.codes()).containsExactly(WARMING_UP, PLATEAU);
    }

    @Test
    void shouldSayEachDiagnosisOnceOverALongSteadyRun() {
        Analysis run = aRun("long").epochs(300)
                .trainCurve(e -> decay(e, 2.0, 0.2, 30))
                .valCurve(e -> decay(e, 2.1, 0.28, 30))
                .noise(0.004, 77).analyze();

        assertThat(run.codes()).containsExactly(WARMING_UP, LEARNING, CONVERGED);
        assertWellFormedTimeline(run.diagnoses());
    }

    static Stream<Arguments> familiesAndSeeds() {
        List<Arguments> out = new ArrayList<>();
        for (Families f : Families.values()) {
            for (long seed = 1; seed <= 6; seed++) {
                out.add(Arguments.of(f, seed, seed % 3 == 0 ? 0.0 : 0.02 * (seed % 3)));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} seed {1} noise {2}")
    @MethodSource("familiesAndSeeds")
    void shouldEmitOnlyWhenTheDiagnosisChangesAndNameThePreviousOne(Families family, long seed, double noise) {
        Analysis run = family.run("fam", seed, 60, noise).finished().analyze();

        assertThat(run.diagnoses()).isNotEmpty();
        assertThat(run.diagnoses().get(0).previous()).isNull();
        assertWellFormedTimeline(run.diagnoses());
        assertThat(run.state().current()).isEqualTo(run.last().diagnosis());
    }

    /**
     * RunAnalyzer's contract: a healthy run is told of its first problem at the first reading, a
     * move from one problem to another takes two readings in a row, back to healthy three;
     * diverging at once.
     */
    @ParameterizedTest(name = "{0} seed {1} noise {2}")
    @MethodSource("familiesAndSeeds")
    void shouldNeedAsManyReadingsInARowAsTheChangeCalls(Families family, long seed, double noise) {
        // the raw reading at every point, as the stream saw it
        RunAnalyzer analyzer = new RunAnalyzer();
        CurveReader reader = new CurveReader();
        RunState s = new RunState("raw");
        Map<Long, Finding> raw = new HashMap<>();
        List<DiagnosisEvent> events = new ArrayList<>();
        for (TrainingEvent e : family.run("raw", seed, 60, noise).events()) {
            List<DiagnosisEvent> out = analyzer.apply(s, e);
            if (e instanceof MetricsReported m) {
                raw.put(m.epoch(), Rules.judge(reader.measure(s, s.size - 1)));
            }
            events.addAll(out);
        }
        for (DiagnosisEvent e : events) {
            if (e.epoch() == null || e.diagnosis() == Diagnosis.WARMING_UP || e.previous() == null
                    || e.previous() == Diagnosis.WARMING_UP) {
                continue;
            }
            int needed = e.diagnosis() == DIVERGING ? 1
                    : e.severity() == Severity.INFO ? RunState.READINGS
                    : e.previous().severity() == Severity.INFO ? 1 : RunState.READINGS - 1;
            for (long at = e.epoch() - needed + 1; at <= e.epoch(); at++) {
                Finding a = raw.get(at);
                assertThat(a).as("reading at epoch %d", at).isNotNull();
                List<Diagnosis> means = a.orElse() == null ? List.of(a.diagnosis()) : List.of(a.diagnosis(), a.orElse());
                assertThat(means)
                        .as("%s (after %s) said at epoch %d: reading at %d", e.diagnosis(), e.previous(), e.epoch(), at)
                        .contains(e.diagnosis());
            }
        }
    }
}
