package dev.lossdoctor.core;

import static dev.lossdoctor.core.RunBuilder.aRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lossdoctor.core.RunBuilder.Analysis;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A slow but significant rise of validation over hundreds of points is overfitting (issue 13 item 6;
 * the wild run tb-002: validation best at 38, 2.4% above it by 300 while training falls 7%).
 */
class SlowOverfittingTest {

    private static RunBuilder slowRun(String id, DoubleUnaryOperator valAfterBest) {
        return aRun(id).epochs(300).trainCurve(e -> 1.95 - 0.0005 * e)
                .valCurve(e -> e <= 38 ? 1.955 + 0.0005 * (38 - e) : valAfterBest.applyAsDouble(e - 38)).noise(0.002, 7);
    }

    @Test
    void shouldCallASlowSteadyValidationRiseOverHundredsOfPointsOverfitting() {
        Analysis slow = slowRun("slow", d -> 1.955 + 0.00018 * d).analyze();

        DiagnosisEvent overfitting = slow.first(Diagnosis.OVERFITTING);
        assertThat(overfitting).isNotNull();
        assertThat(overfitting.epoch()).isGreaterThan(38 + Measures.VIEW); // no better point in a whole view first
        assertThat(overfitting.summary()).contains("since its best at epoch");
        // said again at the end (this synthetic run flaps once, overfitting -> plateau -> overfitting: docs/wild-curves.md)
        assertThat(slow.last().diagnosis()).isEqualTo(Diagnosis.OVERFITTING);
    }

    @Test
    void shouldNotCallAValidationThatRoseAndLevelledOffOverfittingWhileTrainingCreepsDown() {
        // the same training, validation 1% above its best and flat there: no rise over the view
        Analysis levelled = slowRun("levelled", d -> 1.955 + 0.02 * (1 - Math.exp(-d / 10.0))).analyze();

        assertThat(levelled.codes()).doesNotContain(Diagnosis.OVERFITTING);
    }
}
