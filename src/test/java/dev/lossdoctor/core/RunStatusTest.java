package dev.lossdoctor.core;

import static dev.lossdoctor.core.Curves.decay;
import static dev.lossdoctor.core.Curves.uShape;
import static dev.lossdoctor.core.RunBuilder.aRun;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A run's status speaks of the diagnosis it holds, with the run's latest numbers. */
class RunStatusTest {

    private final RunAnalyzer analyzer = new RunAnalyzer();

    @Test
    void shouldDescribeWarmingUpWhileTheRunIsWarmingUpEvenIfTheCurveAlreadyFalls() {
        RunState state = aRun("early").epochs(5).trainCurve(e -> decay(e, 2.0, 0.1, 3)).valCurve(e -> decay(e, 2.1, 0.2, 3))
                .analyze().state();
        // five points: the readings say learning, but learning needs three agreeing readings
        RunStatus status = analyzer.status(state);

        assertThat(status.diagnosis()).isEqualTo(state.current()).isEqualTo(Diagnosis.WARMING_UP);
        assertThat(status.summary()).startsWith("Too few points");
        assertThat(status.epoch()).isEqualTo(5L);
    }

    @Test
    void shouldDescribeOverfittingWithTheRunsOwnBestEpochAndLatestLosses() {
        RunBuilder.Analysis run = aRun("overfit").epochs(30)
                .trainCurve(e -> decay(e, 1.2, 0.02, 6)).valCurve(e -> uShape(e, 1.25, 0.5, 14, 0.03)).analyze();
        RunStatus status = analyzer.status(run.state());

        assertThat(status.diagnosis()).isEqualTo(Diagnosis.OVERFITTING);
        assertThat(status.sinceEpoch()).isEqualTo(14L);
        assertThat(status.bestValEpoch()).isEqualTo(14L);
        assertThat(status.summary()).contains("since its best at epoch 14");
        assertThat(status.recommendations()).contains("Stop training and restore the epoch-14 checkpoint");
        assertThat(status.valLoss()).isGreaterThan(status.bestValLoss());
        assertThat(status.curve()).hasSize(30);
    }
}
