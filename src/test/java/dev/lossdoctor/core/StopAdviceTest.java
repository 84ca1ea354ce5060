package dev.lossdoctor.core;

import static dev.lossdoctor.core.Curves.decay;
import static dev.lossdoctor.core.Curves.uShape;
import static dev.lossdoctor.core.RunBuilder.aRun;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a run trains after it was first advised to stop: DESIGN.md section 4, {@code after_stop_advice}. */
class StopAdviceTest {

    private final RunAnalyzer analyzer = new RunAnalyzer();

    @Test
    void shouldCountTheEpochsAndSecondsAnOverfittingRunTrainedAfterTheAdvice() {
        RunBuilder.Analysis a = aRun("overfit").epochs(60).trainCurve(e -> decay(e, 2.2, 0.1, 10))
                .valCurve(e -> uShape(e, 2.3, 0.5, 18, 0.03)).noise(0.005, 9).analyze();
        DiagnosisEvent advice = a.first(Diagnosis.OVERFITTING);

        StopAdvice.Spent spent = analyzer.status(a.state()).afterStopAdvice();

        assertThat(spent).isNotNull();
        assertThat(spent.diagnosis()).isEqualTo(Diagnosis.OVERFITTING);
        assertThat(spent.sinceEpoch()).isEqualTo(advice.epoch());
        assertThat(spent.epochs()).isEqualTo(lastEpoch(a) - advice.epoch()); // trained on to the last epoch
        // one event a minute (RunBuilder.INTERVAL): the seconds follow the epochs
        assertThat(spent.seconds()).isEqualTo(spent.epochs() * RunBuilder.INTERVAL.toSeconds());
    }

    @Test
    void shouldKeepTheFirstAdviceWhateverIsSaidAfterIt() {
        RunBuilder.Analysis a = aRun("overfit-then-more").epochs(60).trainCurve(e -> decay(e, 2.2, 0.1, 10))
                .valCurve(e -> uShape(e, 2.3, 0.5, 18, 0.03)).noise(0.005, 9).finished().analyze();
        long firstAdvice = a.first(Diagnosis.OVERFITTING).epoch();

        StopAdvice.Spent spent = a.state().afterStopAdvice();

        assertThat(spent.sinceEpoch()).isEqualTo(firstAdvice);
        assertThat(spent.epochs()).isEqualTo(lastEpoch(a) - firstAdvice);
    }

    @Test
    void shouldSayNothingForAHealthyRun() {
        RunBuilder.Analysis a = aRun("healthy").epochs(30).trainCurve(e -> decay(e, 2.0, 0.2, 40))
                .valCurve(e -> decay(e, 2.1, 0.3, 40)).noise(0.002, 3).analyze();

        assertThat(a.codes()).doesNotContain(Diagnosis.OVERFITTING, Diagnosis.DIVERGING, Diagnosis.CONVERGED, Diagnosis.PLATEAU);
        assertThat(a.state().afterStopAdvice()).isNull();
        assertThat(analyzer.status(a.state()).afterStopAdvice()).isNull();
    }

    @Test
    void shouldCountAPlateauOnlyOnceItLasted() {
        RunBuilder.Analysis a = aRun("stuck").epochs(40).trainCurve(e -> decay(e, 2.0, 1.9, 3))
                .valCurve(e -> decay(e, 2.1, 2.0, 3)).noise(0.002, 5).analyze();
        DiagnosisEvent plateau = a.first(Diagnosis.PLATEAU);
        assertThat(plateau).as("the curve is read as a plateau: %s", a.codes()).isNotNull();

        StopAdvice.Spent spent = a.state().afterStopAdvice();

        assertThat(spent.diagnosis()).isEqualTo(Diagnosis.PLATEAU);
        assertThat(spent.sinceEpoch()).isEqualTo(plateau.epoch() + StopAdvice.PLATEAU_LASTED_POINTS);
        assertThat(spent.epochs()).isEqualTo(lastEpoch(a) - spent.sinceEpoch());
    }

    @Test
    void shouldLeaveSecondsOutWhenTheEventsCarryNoTime() {
        List<TrainingEvent> untimed = aRun("untimed").epochs(60).trainCurve(e -> decay(e, 2.2, 0.1, 10))
                .valCurve(e -> uShape(e, 2.3, 0.5, 18, 0.03)).noise(0.005, 9).metricsEvents().stream()
                .<TrainingEvent>map(m -> new MetricsReported(m.runId(), m.epoch(), m.step(), null, m.metrics())).toList();

        RunBuilder.Analysis a = RunBuilder.analyze(untimed);

        assertThat(a.state().afterStopAdvice().epochs()).isPositive();
        assertThat(a.state().afterStopAdvice().seconds()).isNull();
    }

    private static long lastEpoch(RunBuilder.Analysis a) {
        return a.state().point(a.state().windowSize() - 1).epoch();
    }

    @Test
    void shouldGiveWhatWasSpentBetweenTwoStatusesForTheCounters() {
        StopAdvice.Spent before = new StopAdvice.Spent(Diagnosis.OVERFITTING, 12, 3, 180L);
        StopAdvice.Spent after = new StopAdvice.Spent(Diagnosis.OVERFITTING, 12, 5, 300L);

        assertThat(StopAdvice.Spent.growth(before, after)).isEqualTo(new StopAdvice.Spent(Diagnosis.OVERFITTING, 12, 2, 120L));
        assertThat(StopAdvice.Spent.growth(null, after)).isEqualTo(after);
        assertThat(StopAdvice.Spent.growth(null, null)).isNull();
    }
}
