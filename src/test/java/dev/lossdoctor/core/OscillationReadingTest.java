package dev.lossdoctor.core;

import static dev.lossdoctor.core.RunBuilder.aRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import org.junit.jupiter.api.Test;

/**
 * Oscillation is the loss jumping up and down with no trend under the jumps (DESIGN §1): the steps
 * are thrown about. Two shapes of the public logs of {@code ../shared/curves/wild} jump without being
 * that, and were called {@code oscillating} on healthy runs: a training loss logged from single
 * batches that jumps while validation falls steadily (lightning-040), a small validation set
 * that jumps while training falls smoothly (keras-015), and losses near 0 that jump by a share of a
 * tiny level while both sit at their best (lightning-004).
 */
class OscillationReadingTest {

    /** A deterministic up-and-down of about ±{@code share} that reverses at almost every point. */
    private static double jump(double e, double share) {
        int i = (int) e;
        double size = 0.6 + 0.4 * ((i * 7) % 5) / 4.0;
        return 1 + share * size * (i % 2 == 0 ? 1 : -1);
    }

    @Test
    void shouldNotCallAJumpyTrainingLossOverASteadilyFallingValidationOscillating() {
        Analysis run = aRun("batch-logged").epochs(50)
                .valCurve(e -> 0.62 + 1.0 / Math.pow(e + 1, 0.8))
                .trainCurve(e -> (0.6 + 1.0 / Math.pow(e + 1, 0.8)) * jump(e, 0.15))
                .analyze();

        assertThat(run.codes()).doesNotContain(Diagnosis.OSCILLATING).contains(Diagnosis.LEARNING);
    }

    @Test
    void shouldNotCallAJumpyValidationOverASmoothlyFallingTrainingLossOscillating() {
        Analysis run = aRun("small-val-set").epochs(38)
                .trainCurve(e -> 0.37 + 1.0 * Math.exp(-e / 3))
                .valCurve(e -> (0.55 + 0.3 * Math.exp(-e / 4)) * (e <= 12 ? jump(e, 0.2) : jump(e, 0.01)))
                .analyze();

        assertThat(run.codes()).doesNotContain(Diagnosis.OSCILLATING);
    }

    @Test
    void shouldStillCallBothLossesJumpingWithNoTrendOscillating() {
        Analysis run = aRun("thrown-about").epochs(30)
                .trainCurve(e -> 0.8 * jump(e, 0.2))
                .valCurve(e -> 0.9 * jump(e + 1, 0.25))
                .analyze();

        DiagnosisEvent oscillating = run.first(Diagnosis.OSCILLATING);
        assertThat(oscillating).isNotNull();
        assertThat(oscillating.summary()).contains("jumps up and down");
    }

    @Test
    void shouldNotCallLossesNearZeroThatJumpAtTheirBestOscillating() {
        // lightning-004 as logged (a TCN, focal loss): both fall 25-fold in five epochs, then training jumps
        // between 0.0009 and 0.017 from batch noise while validation holds at 0.0022 (one spike at 12)
        Analysis run = aRun("near-zero").firstEpoch(0)
                .withTrainLoss(0.04959, 0.03103, 0.01278, 0.009023, 0.003697, 0.00405, 0.007252, 0.006829, 0.001542, 0.01668,
                        0.0009428, 0.002477, 0.003227, 0.0042, 0.007241, 0.00185, 0.0009165, 0.00133, 0.0009129, 0.004064)
                .withValLoss(0.05402, 0.03344, 0.008357, 0.005477, 0.004022, 0.002355, 0.02161, 0.002212, 0.002236, 0.002245,
                        0.002189, 0.002116, 0.1104, 0.002405, 0.002316, 0.002184, 0.00232, 0.002188, 0.002388, 0.002243)
                .analyze();

        assertThat(run.codes()).doesNotContain(Diagnosis.OSCILLATING).contains(Diagnosis.CONVERGED);
    }

    @Test
    void shouldStillCallALossNearZeroThrownAboutOscillatingAtOnce() {
        // bench/corpus pc-009 (iris, RMSprop at 0.03, batch 2): also 20-fold down, but validation is thrown
        // far above its best again and again (0.78 at 8, 0.46 at 25, 2.7 at 28)
        Analysis run = aRun("thrown-about-near-zero")
                .withTrainLoss(2.11, 0.6561, 0.2314, 0.1451, 0.126, 0.09794, 0.1469, 0.5981, 0.1393, 0.09064, 0.4077, 0.1383,
                        0.08847, 0.06531, 0.0811, 0.1817, 0.1032, 0.08642, 0.09133, 0.3299, 0.1256, 0.08638, 0.08194, 0.06781,
                        0.1167, 0.0908, 0.2405, 0.137, 0.2547, 0.06765, 0.09777, 0.0645, 0.09287, 0.07628, 0.06285, 0.09044)
                .withValLoss(0.4005, 0.2387, 0.0853, 0.07832, 0.1061, 0.212, 0.07037, 0.7836, 0.06525, 0.09987, 0.04092, 0.05743,
                        0.1018, 0.06808, 0.04276, 0.05882, 0.03959, 0.1016, 0.02751, 0.05123, 0.04292, 0.05466, 0.06833, 0.05014,
                        0.4563, 0.06543, 0.06596, 2.699, 0.09526, 0.08459, 0.1889, 0.02981, 0.06739, 0.08796, 0.08266, 0.08498)
                .analyze();

        assertThat(run.first(Diagnosis.OSCILLATING).epoch()).isEqualTo(10L); // as soon as the stretch is long enough
        assertThat(run.codes()).doesNotContain(Diagnosis.CONVERGED);
    }
}
