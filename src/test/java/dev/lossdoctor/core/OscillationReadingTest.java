package dev.lossdoctor.core;

import static dev.lossdoctor.core.RunBuilder.aRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import org.junit.jupiter.api.Test;

/**
 * Oscillation is the loss jumping up and down with no trend under the jumps (DESIGN §1): the steps
 * are thrown about. Two shapes of the public logs of {@code ../shared/curves/wild} jump without being
 * that, and were called {@code oscillating} on healthy runs: a training loss logged from single
 * batches that jumps while validation falls steadily (lightning-040), and a small validation set
 * that jumps while training falls smoothly (keras-015).
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
}
