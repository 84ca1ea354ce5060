package dev.lossdoctor.core;

import static dev.lossdoctor.core.EvaluationFirstRulesTest.TRAIN;
import static dev.lossdoctor.core.EvaluationFirstRulesTest.VAL;
import static dev.lossdoctor.core.EvaluationFirstRulesTest.evaluationFirst;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import org.junit.jupiter.api.Test;

/**
 * Memorizing (training a fraction of validation, validation not improving) near 0: the gap must also
 * be a rise that counts in the rise's units (half the descent for a best near 0). lightning-007
 * (converged) ends with validation at 2.7e-4 after a fall from 0.075 and training at 5.7e-5: 79% "a
 * fraction", but 0.6% of half validation's descent: both losses are at 0.
 */
class NearZeroMemorizingTest {

    @Test
    void shouldNotCallBothLossesAtZeroMemorizing() {
        Analysis run = evaluationFirst("lightning-007", TRAIN, VAL);

        assertThat(run.codes()).doesNotContain(Diagnosis.OVERFITTING);
        assertThat(run.last().diagnosis()).isEqualTo(Diagnosis.CONVERGED);
    }

    @Test
    void shouldStillCallATrainingLossFallingToZeroBelowAValidationStuckAtATwelfthOfItsStartMemorizing() {
        double[] val = VAL.clone();
        for (int e = 12; e < val.length; e++) {
            val[e] = 0.0062 + 0.0001 * Math.sin(e); // validation stuck at 0.0062 from epoch 12: 16% of half its descent
        }
        Analysis run = evaluationFirst("stuck-val", TRAIN, val);

        DiagnosisEvent overfitting = run.first(Diagnosis.OVERFITTING);
        assertThat(overfitting.epoch()).isBetween(18L, 29L);
        assertThat(overfitting.summary()).contains("memorizing");
    }
}
