package dev.lossdoctor.core;

import static dev.lossdoctor.core.RunBuilder.aRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import org.junit.jupiter.api.Test;

/**
 * A validation rise above its best counts only when validation is also above the best's neighbours (the
 * median of the three): the lowest point of a jumpy early stretch is its luckiest draw. keras-015
 * (converged) was called overfitting at epoch 18, 3.7% above a best of 0.539 at epoch 5 whose neighbours
 * are 0.846 and 0.601, with validation at 0.55-0.56 ever since: below the level around its best.
 */
class LuckyBestOverfittingTest {

    // keras-015 as logged (Keras CSVLogger, epochs 1-38)
    private static final double[] TRAIN = {1.4034, 0.73322, 0.64405, 0.59492, 0.56052, 0.53737, 0.52023, 0.50514, 0.48499,
        0.41545, 0.40411, 0.39733, 0.38916, 0.38823, 0.38504, 0.38628, 0.38415, 0.38207, 0.38408, 0.38393, 0.38789, 0.38383,
        0.38184, 0.38022, 0.38186, 0.37948, 0.37976, 0.37951, 0.37551, 0.37696, 0.37789, 0.37885, 0.37549, 0.37687, 0.37482,
        0.37533, 0.3747, 0.37374};
    private static final double[] VAL = {0.776, 0.65105, 0.9563, 0.84557, 0.53864, 0.60097, 0.59594, 0.54615, 0.78438, 0.5492,
        0.55887, 0.55921, 0.54905, 0.54788, 0.55458, 0.55367, 0.56208, 0.55875, 0.55562, 0.55502, 0.54806, 0.5541, 0.54902,
        0.55326, 0.54826, 0.54957, 0.55557, 0.55671, 0.55343, 0.54975, 0.55683, 0.55388, 0.55419, 0.55452, 0.55641, 0.55239,
        0.54426, 0.54919};

    @Test
    void shouldNotCallValidationAboveALuckyBestButBelowItsNeighboursOverfitting() {
        Analysis run = aRun("keras-015").firstEpoch(1).withTrainLoss(TRAIN).withValLoss(VAL).finished().analyze();

        assertThat(run.codes()).doesNotContain(Diagnosis.OVERFITTING).contains(Diagnosis.CONVERGED);
    }

    @Test
    void shouldStillCallValidationClimbingAboveTheLevelAroundItsBestOverfitting() {
        double[] val = VAL.clone();
        for (int i = 12; i < val.length; i++) { // from epoch 13 validation climbs 1% an epoch above 0.6
            val[i] = 0.6 * (1 + 0.01 * (i - 11));
        }
        Analysis run = aRun("climbing").firstEpoch(1).withTrainLoss(TRAIN).withValLoss(val).finished().analyze();

        DiagnosisEvent overfitting = run.first(Diagnosis.OVERFITTING);
        assertThat(overfitting.epoch()).isBetween(14L, 24L);
        assertThat(overfitting.summary()).contains("Validation loss has risen");
    }
}
