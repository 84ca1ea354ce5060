package dev.lossdoctor.core;

import static dev.lossdoctor.core.RunBuilder.aRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import org.junit.jupiter.api.Test;

/**
 * "Stuck above its best" near 0 is measured against half the descent, as rises are, where the level is
 * under a tenth of the descent. lightning-051 (converged; losses 1e-4 to 1e-6) was called a plateau at
 * epoch 85, "stuck 20 percent above its best (4.67e-07)": 2.8e-6 after a fall from 8.2e-5, 2 percent of what was learned.
 */
class NearZeroPlateauTest {

    // lightning-051 as logged, epochs 0-99 (one batch's training loss per epoch)
    private static final double[] TRAIN = {
        8.212e-05, 7.48e-05, 4.106e-05, 1.155e-05, 3.283e-06, 1.258e-05, 2.477e-06, 3.299e-06, 4.361e-06, 2.164e-06,
        1.753e-06, 3.243e-06, 1.129e-06, 6.356e-06, 1.258e-06, 1.964e-06, 3.462e-06, 4.45e-06, 0.0001974, 1.334e-06,
        1.176e-06, 5.39e-06, 1.857e-06, 1.487e-06, 6.019e-06, 9.813e-07, 1.359e-06, 2.723e-06, 2.333e-06, 4.671e-07,
        1.007e-05, 2.774e-06, 2.845e-06, 1.599e-06, 8.03e-07, 5.507e-06, 4.056e-06, 1.847e-06, 9.498e-07, 8.494e-07,
        1.817e-06, 1.055e-06, 2.154e-06, 1.449e-06, 1.534e-06, 9.234e-07, 6.865e-07, 1.159e-06, 1.114e-06, 1.17e-06,
        1.722e-06, 1.656e-06, 7.911e-07, 7.241e-07, 9.572e-07, 1.413e-06, 1.746e-06, 7.618e-07, 7.839e-07, 4.709e-07,
        4.916e-07, 9.82e-07, 9.531e-07, 3.553e-06, 1.863e-06, 1.142e-06, 6.902e-07, 1.259e-06, 1.194e-06, 1.131e-06,
        2.363e-06, 5.172e-07, 1.189e-06, 4.682e-07, 7.349e-07, 9.125e-07, 9.558e-07, 1.027e-06, 7.718e-07, 7.015e-07,
        1.118e-06, 8.718e-07, 6.164e-07, 5.68e-06, 8.224e-07, 2.803e-06, 7.641e-07, 6.123e-07, 9.597e-07, 1.312e-06,
        7.348e-07, 9.461e-07, 1.026e-06, 1.024e-06, 7.916e-07, 4.161e-07, 5.943e-07, 6.782e-07, 6.67e-07, 1.018e-06};
    private static final double[] VAL = {
        1.716e-05, 1.346e-05, 1.1e-05, 4.434e-06, 2.511e-06, 1.821e-06, 1.498e-06, 1.26e-06, 1.477e-06, 3.066e-06,
        1.235e-06, 2.512e-06, 1.358e-06, 1.088e-06, 1.424e-06, 1.435e-06, 2.986e-06, 1.216e-06, 2.743e-06, 1.144e-06,
        1.027e-06, 9.815e-07, 1.499e-06, 1.703e-06, 1.232e-06, 8.996e-07, 1.425e-06, 1.045e-06, 1.19e-06, 9.643e-07,
        9.599e-07, 1.092e-06, 2.201e-06, 1.298e-06, 1.058e-06, 1.039e-06, 1.32e-06, 8.866e-07, 1.017e-06, 1.036e-06,
        9.218e-07, 9.314e-07, 9.835e-07, 9.916e-07, 9.374e-07, 9.924e-07, 9.688e-07, 1.027e-06, 9.179e-07, 9.573e-07,
        1.078e-06, 8.468e-07, 8.442e-07, 9.253e-07, 8.124e-07, 8.893e-07, 8.51e-07, 8.063e-07, 1.18e-06, 8.309e-07,
        7.691e-07, 9.817e-07, 8.028e-07, 7.414e-07, 8.248e-07, 8.053e-07, 6.892e-07, 9.136e-07, 7.798e-07, 1.12e-06,
        1.015e-06, 8.706e-07, 7.911e-07, 7.745e-07, 7.473e-07, 6.865e-07, 6.62e-07, 7.284e-07, 7.311e-07, 6.772e-07,
        6.39e-07, 6.731e-07, 6.835e-07, 6.255e-07, 8.901e-07, 7.431e-07, 7.015e-07, 8.928e-07, 7.609e-07, 6.52e-07,
        7.071e-07, 6.096e-07, 5.891e-07, 7.756e-07, 5.729e-07, 5.714e-07, 6.247e-07, 5.92e-07, 5.455e-07, 5.778e-07};

    @Test
    void shouldNotCallALossAFewMillionthsAboveItsBestAfterAFallFromATenThousandthAPlateau() {
        Analysis run = aRun("lightning-051").firstEpoch(0).withTrainLoss(TRAIN).withValLoss(VAL).analyze();

        assertThat(run.codes()).doesNotContain(Diagnosis.PLATEAU).contains(Diagnosis.CONVERGED);
    }

    @Test
    void shouldStillCallALossStuckAThirdOfItsDescentAboveItsBestAPlateau() {
        double[] train = TRAIN.clone(), val = VAL.clone();
        for (int i = 60; i < train.length; i++) { // from epoch 60 both losses sit well above their best, flat
            train[i] = 1.5e-5 * (1 + 0.02 * Math.sin(i));
            val[i] = 1.2e-5 * (1 + 0.02 * Math.cos(i));
        }
        Analysis run = aRun("stuck").firstEpoch(0).withTrainLoss(train).withValLoss(val).analyze();

        assertThat(run.first(Diagnosis.PLATEAU).epoch()).isBetween(60L, 99L); // (when the dwell of what was said lets go)
    }
}
