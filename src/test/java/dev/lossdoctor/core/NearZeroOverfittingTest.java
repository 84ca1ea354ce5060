package dev.lossdoctor.core;

import static dev.lossdoctor.core.RunBuilder.aRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import org.junit.jupiter.api.Test;

/**
 * A validation rise is judged in units of the best, or of half the descent when the best is near 0
 * (as {@link Measures.Series#rise()}): at a best of 0.013 after a fall from 0.5, a drift of a few
 * thousandths is 20% "above its best" but a hundredth of what validation fell. The wild runs
 * mlflow-006 and lightning-001 (converged) were called overfitting for it.
 */
class NearZeroOverfittingTest {

    // mlflow-006 as logged (Keras, Adam at 0.001, early stopping on val_loss)
    private static final double[] TRAIN = {0.4617, 0.4023, 0.3218, 0.2075, 0.1082, 0.07807, 0.09504, 0.07833, 0.07598, 0.07205,
        0.06472, 0.05759, 0.07848, 0.06231, 0.06398, 0.04275, 0.04813, 0.06958, 0.05886, 0.05874, 0.05569, 0.05595, 0.04601,
        0.06027, 0.05009, 0.04202, 0.04416, 0.06193, 0.05055, 0.0461, 0.04291, 0.04812, 0.04018, 0.04301, 0.04376, 0.0376, 0.05569};
    private static final double[] VAL = {0.5012, 0.4243, 0.3157, 0.08581, 0.0361, 0.03435, 0.019, 0.02221, 0.02043, 0.01321,
        0.01315, 0.0174, 0.01397, 0.01723, 0.01472, 0.01311, 0.01643, 0.02309, 0.01358, 0.01497, 0.0127, 0.01337, 0.01298, 0.01333,
        0.01389, 0.01357, 0.01383, 0.0143, 0.01334, 0.01545, 0.01311, 0.01575, 0.01669, 0.01302, 0.01326, 0.01328, 0.0127};

    @Test
    void shouldNotCallAConvergedRunWhoseValidationDriftsAFewThousandthsNearZeroOverfitting() {
        Analysis run = aRun("near-zero-drift").withTrainLoss(TRAIN).withValLoss(VAL).analyze();

        assertThat(run.codes()).doesNotContain(Diagnosis.OVERFITTING).contains(Diagnosis.CONVERGED);
    }

    @Test
    void shouldStillCallAValidationRiseOfAShareOfItsDescentNearZeroOverfitting() {
        // the same run, validation climbing from epoch 24 by 0.01 an epoch: a fifth of its descent by the end
        double[] val = VAL.clone();
        for (int i = 23; i < val.length; i++) {
            val[i] = 0.0127 + 0.01 * (i - 22);
        }
        Analysis run = aRun("near-zero-rise").withTrainLoss(TRAIN).withValLoss(val).analyze();

        DiagnosisEvent overfitting = run.first(Diagnosis.OVERFITTING);
        assertThat(overfitting.epoch()).isBetween(24L, 32L);
        assertThat(overfitting.summary()).contains("Validation loss has risen");
    }
}
